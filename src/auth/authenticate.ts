import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Actor, Role } from './actor.js';
import { hashToken } from './tokens.js';

export const API_KEY_PREFIX = 'clara_';

interface ActorRow {
  id: string;
  role: Role;
  email: string;
  full_name: string;
}

const toActor = (row: ActorRow, via: Actor['via']): Actor => ({
  userId: row.id,
  role: row.role,
  email: row.email,
  fullName: row.full_name,
  via,
});

export async function findActorBySession(db: Db, token: string): Promise<Actor | undefined> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select(['users.id', 'users.role', 'users.email', 'users.full_name'])
    .where('sessions.token_hash', '=', hashToken(token))
    .where('sessions.expires_at', '>', sql<string>`now()`)
    .where('users.is_active', '=', true)
    .executeTakeFirst();
  return row ? toActor(row as ActorRow, 'session') : undefined;
}

/** Looks the key up and records its use at most once a minute, in the same round trip. */
export async function findActorByApiKey(db: Db, key: string): Promise<Actor | undefined> {
  const { rows } = await sql<ActorRow>`
    WITH key AS (
      SELECT k.id AS key_id, u.id, u.role, u.email, u.full_name
        FROM api_keys k JOIN users u ON u.id = k.user_id
       WHERE k.key_hash = ${hashToken(key)} AND k.revoked_at IS NULL
         AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active
    ), touched AS (
      UPDATE api_keys SET last_used_at = now()
       WHERE id = (SELECT key_id FROM key) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
    )
    SELECT id, role, email, full_name FROM key`.execute(db);
  return rows[0] ? toActor(rows[0], 'api_key') : undefined;
}
