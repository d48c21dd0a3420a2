import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { notificationSchema, type Notification } from './notification-resource.js';

const columns = sql.join(Object.keys(notificationSchema.shape).map((column) => sql.ref(column)));

export async function setNotificationRead(tx: Db, id: string): Promise<Notification | undefined> {
  const { rows } = await sql<Notification>`
    UPDATE notifications SET read_at = coalesce(read_at, now())
     WHERE id = ${id} AND deleted_at IS NULL
    RETURNING ${columns}`.execute(tx);
  return rows[0];
}

export async function setAllNotificationsRead(tx: Db): Promise<number> {
  const result = await sql`UPDATE notifications SET read_at = now() WHERE read_at IS NULL AND deleted_at IS NULL`.execute(tx);
  return Number(result.numAffectedRows ?? 0);
}

export async function countUnreadNotifications(tx: Db): Promise<number> {
  const { rows } = await sql<{ count: number }>`
    SELECT count(*)::int AS count FROM notifications WHERE read_at IS NULL AND deleted_at IS NULL`.execute(tx);
  return rows[0]?.count ?? 0;
}

export async function findNotificationPreferences(tx: Db, userId: string): Promise<unknown> {
  const { rows } = await sql<{ preferences: unknown }>`
    SELECT preferences FROM notification_preferences WHERE user_id = ${userId}`.execute(tx);
  return rows[0]?.preferences;
}

export async function saveNotificationPreferences(tx: Db, userId: string, preferences: unknown): Promise<unknown> {
  const { rows } = await sql<{ preferences: unknown }>`
    INSERT INTO notification_preferences (user_id, preferences) VALUES (${userId}, ${JSON.stringify(preferences)}::jsonb)
    ON CONFLICT (user_id) DO UPDATE SET preferences = EXCLUDED.preferences, updated_at = now()
    RETURNING preferences`.execute(tx);
  return rows[0]?.preferences;
}

export interface NotificationValues {
  user_id: string;
  type: string;
  title: string;
  body?: string | null;
  link?: string | null;
  entity_type?: string | null;
  entity_id?: string | null;
}

/** Inserts unless the user switched in-app notifications of this type off; returns the new id. */
export async function insertNotificationUnlessMuted(tx: Db, values: NotificationValues): Promise<string | undefined> {
  const { rows } = await sql<{ id: string }>`
    INSERT INTO notifications (user_id, type, title, body, link, entity_type, entity_id)
    SELECT ${values.user_id}::uuid, ${values.type}::text, ${values.title}::text, ${values.body ?? null}::text,
           ${values.link ?? null}::text, ${values.entity_type ?? null}::text, ${values.entity_id ?? null}::uuid
     WHERE NOT EXISTS (
       SELECT 1 FROM notification_preferences p
        WHERE p.user_id = ${values.user_id}::uuid AND p.preferences -> ${values.type}::text ->> 'in_app' = 'false')
    RETURNING id`.execute(tx);
  return rows[0]?.id;
}
