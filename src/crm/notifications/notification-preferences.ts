import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { findNotificationPreferences, saveNotificationPreferences } from './queries.js';

const channels = z
  .object({
    in_app: z.boolean().describe('Show it in the app'),
    email: z.boolean().describe('Also send it by email'),
  })
  .strict();

export const notificationPreferencesSchema = z
  .record(z.string().regex(/^[a-z][a-z0-9_.-]{0,59}$/, 'A notification type such as lead_p1'), channels)
  .refine((preferences) => Object.keys(preferences).length <= 100, 'At most 100 notification types')
  .describe('Per notification type; a type not listed is on for every channel')
  .meta({ id: 'NotificationPreferences' });
export type NotificationPreferences = z.infer<typeof notificationPreferencesSchema>;

/** The caller's own preferences; none stored means everything on. */
export async function getNotificationPreferences(tx: Db, actor: Actor): Promise<NotificationPreferences> {
  const stored = await findNotificationPreferences(tx, actor.userId);
  // A row written by hand that does not fit the shape must not break the settings page: it reads as none.
  const parsed = notificationPreferencesSchema.safeParse(stored ?? {});
  return parsed.success ? parsed.data : {};
}

/** Replaces the caller's preferences as a whole. */
export async function setNotificationPreferences(tx: Db, actor: Actor, preferences: NotificationPreferences): Promise<NotificationPreferences> {
  await saveNotificationPreferences(tx, actor.userId, preferences);
  return preferences;
}
