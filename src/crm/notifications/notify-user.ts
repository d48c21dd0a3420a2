import type { Db } from '../../db/database.js';
import { insertNotificationUnlessMuted, type NotificationValues } from './queries.js';

export type NotifyUserInput = NotificationValues;

/**
 * Tells one user something in the app, unless they switched this type of notification off
 * (notification_preferences: {"<type>": {"in_app": false}}). Returns the notification's id, or
 * undefined when it was muted.
 *
 * Notifications are written by the system, never by requests: the request role clara_app has no
 * INSERT grant on the table, so that nobody can notify someone else through the API. `tx` must be
 * a transaction of the owner connection (withSystem, or the agent's withAgent), inside the same
 * transaction as the change it announces, so a rolled-back change notifies nobody.
 */
export async function notifyUser(tx: Db, input: NotifyUserInput): Promise<string | undefined> {
  try {
    return await insertNotificationUnlessMuted(tx, {
      ...input,
      title: input.title.slice(0, 300),
      body: input.body?.slice(0, 5000) ?? null,
    });
  } catch (error) {
    if ((error as { code?: string }).code === '42501') {
      throw new Error('notifyUser needs the system connection (withSystem): request transactions cannot create notifications', {
        cause: error,
      });
    }
    throw error;
  }
}
