import { z } from 'zod';
import type { Resource } from '../records/resource.js';
import { timestamp, uuid } from '../shared/fields.js';

export const notificationSchema = z
  .object({
    id: uuid,
    user_id: uuid,
    type: z.string().describe('lead_p1, support_request, ...: what preferences switch on and off'),
    title: z.string(),
    body: z.string().nullable(),
    link: z.string().nullable().describe('Where the web app opens it, e.g. /leads/{id}'),
    entity_type: z.string().nullable(),
    entity_id: uuid.nullable(),
    read_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Notification' });
export type Notification = z.infer<typeof notificationSchema>;

/**
 * A person's own notifications (row-level security shows nobody else's, admins included). The
 * system creates them (notify-user.ts); people read, mark read and dismiss them, viewers too.
 */
export const notificationResource: Resource = {
  name: 'notifications',
  label: 'Notification',
  entity: notificationSchema,
  create: z.object({}).strict(),
  update: z.object({}).strict(),
  filters: { type: 'text', entity_type: 'text', entity_id: 'uuid' },
  sortable: ['created_at', 'read_at'],
  defaultSort: '-created_at',
  dateFilters: ['created_at', 'read_at'],
  softDelete: true,
  writeRoles: ['admin', 'manager', 'agent', 'viewer'],
};
