import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { listRecords, type ListQuery } from '../records/queries.js';
import type { Resource } from '../records/resource.js';
import { listQuerySchema } from '../records/routes.js';
import type { PageOf } from '../shared/fields.js';
import { notificationResource, type Notification } from './notification-resource.js';

export const listNotificationsQuery = listQuerySchema(notificationResource).extend({
  unread: z.enum(['true', 'false']).optional().describe('true: only unread; false: only read'),
});

// "Unread" is read_at IS NULL, which the generic filters express as read_at=null; the column is
// never compared with a caller's value, so its declared kind does not matter.
const withReadFilter: Resource = { ...notificationResource, filters: { ...notificationResource.filters, read_at: 'text' } };

/** The caller's notifications, newest first; row-level security keeps them to the caller's own. */
export async function listNotifications(tx: Db, query: ListQuery, unread: 'true' | 'false' | undefined): Promise<PageOf<Notification>> {
  const filters = { ...query.filters };
  const ranges = { ...query.ranges };
  if (unread === 'true') filters.read_at = ['null'];
  if (unread === 'false') ranges.read_at = { ...ranges.read_at, from: ranges.read_at?.from ?? '-infinity' };
  return (await listRecords(tx, withReadFilter, { ...query, filters, ranges })) as PageOf<Notification>;
}
