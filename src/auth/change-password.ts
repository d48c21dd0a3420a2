import { sql } from 'kysely';
import type { Actor } from './actor.js';
import type { Db } from '../db/database.js';
import { withActor } from '../db/with-actor.js';
import { BadRequestError, UnauthorizedError } from '../server/errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { hashToken } from './tokens.js';

export async function changePassword(
  db: Db,
  actor: Actor,
  currentPassword: string,
  newPassword: string,
  currentSessionToken: string | undefined,
): Promise<void> {
  if (actor.via !== 'session') throw new BadRequestError('API keys have no password');
  // The hash is only readable by the owner role: requests can set a password, never read one.
  const credentials = await db
    .selectFrom('user_credentials')
    .select('password_hash')
    .where('user_id', '=', actor.userId)
    .executeTakeFirst();
  if (!credentials || !(await verifyPassword(credentials.password_hash, currentPassword))) {
    throw new UnauthorizedError('The current password is wrong');
  }
  const passwordHash = await hashPassword(newPassword);
  await withActor(db, actor, (tx) => sql`SELECT app.set_password(${actor.userId}::uuid, ${passwordHash})`.execute(tx));
  const keep = currentSessionToken ? hashToken(currentSessionToken) : '';
  await db.deleteFrom('sessions').where('user_id', '=', actor.userId).where('token_hash', '<>', keep).execute();
}
