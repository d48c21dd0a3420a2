import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Actor } from '../auth/actor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** SQLSTATE raised by app.act_as_session / app.act_as_api_key for a credential that no longer holds. */
export const CREDENTIAL_REFUSED = '28000';

/**
 * The statement that opens a request's transaction, run as the owner before SET LOCAL ROLE:
 * it checks the credential, reads the caller's role, team and the shared pool once, and keeps
 * them in transaction settings for the row-level security policies (migration 016).
 * Only validated hex and UUIDs are inlined, so the batch can use the simple protocol safely.
 */
function actAs(actor: Actor): string {
  const { credential } = actor;
  if (credential) {
    if (!SHA256_HEX.test(credential.hash)) throw new Error('withActor: credential hash must be SHA-256 hex');
    return credential.kind === 'session'
      ? `SELECT app.act_as_session('${credential.hash}')`
      : `SELECT app.act_as_api_key('${credential.hash}')`;
  }
  if (!UUID.test(actor.userId)) throw new Error('withActor: actor.userId must be a UUID');
  return `SELECT app.act_as('${actor.userId}')`;
}

/**
 * Runs `work` in one transaction as the non-owner role clara_app with the caller set, so that
 * PostgreSQL's row-level security decides what every query may see and change.
 *
 * BEGIN, the caller's check and the role go in one simple-protocol round trip: a request pays
 * that, its own statements and COMMIT.
 */
export async function withActor<T>(db: Db, actor: Actor, work: (tx: Db) => Promise<T>): Promise<T> {
  const begin = `BEGIN; ${actAs(actor)}; SET LOCAL ROLE clara_app`;
  return db.connection().execute(async (connection) => {
    try {
      await sql.raw(begin).execute(connection);
      const result = await work(connection);
      await sql.raw('COMMIT').execute(connection);
      return result;
    } catch (error) {
      // A broken connection cannot roll back; the original error is the one worth reporting.
      await sql.raw('ROLLBACK').execute(connection).catch(() => {});
      throw error;
    }
  });
}

/** A transaction as the owner role, for system work that must see everything (jobs, imports of the CLI). */
export async function withSystem<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
