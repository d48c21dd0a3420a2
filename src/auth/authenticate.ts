import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { Actor, Credential, Role } from './actor.js';
import { hashToken } from './tokens.js';

export const API_KEY_PREFIX = 'clara_';

interface ActorRow {
  id: string;
  role: Role;
  email: string;
  full_name: string;
}

const toActor = (row: ActorRow, credential: Credential): Actor => ({
  userId: row.id,
  role: row.role,
  email: row.email,
  fullName: row.full_name,
  via: credential.kind,
  credential,
});

/** The signed-in person behind a session token, if the session is live and the user active. */
export async function findActorBySession(db: Db, token: string): Promise<Actor | undefined> {
  return findActor(db, { kind: 'session', hash: hashToken(token) });
}

/** The service user behind an API key, if the key is live and the user active. */
export async function findActorByApiKey(db: Db, key: string): Promise<Actor | undefined> {
  return findActor(db, { kind: 'api_key', hash: hashToken(key) });
}

/**
 * The same rules as app.act_as_session / app.act_as_api_key (migration 016), which re-check the
 * credential in every transaction; the key's "last used" is recorded there.
 */
export async function findActor(db: Db, credential: Credential): Promise<Actor | undefined> {
  const { rows } = credential.kind === 'session'
    ? await sql<ActorRow>`
        SELECT u.id, u.role, u.email, u.full_name
          FROM sessions s JOIN users u ON u.id = s.user_id
         WHERE s.token_hash = ${credential.hash} AND s.expires_at > now() AND u.is_active`.execute(db)
    : await sql<ActorRow>`
        SELECT u.id, u.role, u.email, u.full_name
          FROM api_keys k JOIN users u ON u.id = k.user_id
         WHERE k.key_hash = ${credential.hash} AND k.revoked_at IS NULL
           AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active`.execute(db);
  return rows[0] ? toActor(rows[0], credential) : undefined;
}
