import type { Db } from '../../db/database.js';
import { NotFoundError } from '../../server/errors.js';
import type { Notification } from './notification-resource.js';
import { countUnreadNotifications, setAllNotificationsRead, setNotificationRead } from './queries.js';

/** Marking read twice keeps the first read time. */
export async function markNotificationRead(tx: Db, id: string): Promise<Notification> {
  const notification = await setNotificationRead(tx, id);
  if (!notification) throw new NotFoundError('Notification');
  return notification;
}

export async function markAllNotificationsRead(tx: Db): Promise<{ updated: number }> {
  return { updated: await setAllNotificationsRead(tx) };
}

export async function countUnread(tx: Db): Promise<{ count: number }> {
  return { count: await countUnreadNotifications(tx) };
}
