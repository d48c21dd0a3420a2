import { sql } from 'kysely';
import type { Db } from './database.js';
import type { Actor } from '../auth/actor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Runs `work` in one transaction as the non-owner role clara_app with the caller's id set, so
 * that PostgreSQL's row-level security decides what every query may see and change.
 *
 * BEGIN, the role and the caller's id go in one simple-protocol round trip: the id is a
 * validated UUID, so it can be inlined safely, and the request pays one round trip, not three.
 */
export async function withActor<T>(db: Db, actor: Actor, work: (tx: Db) => Promise<T>): Promise<T> {
  if (!UUID.test(actor.userId)) {
    throw new Error('withActor: actor.userId must be a UUID');
  }
  return db.connection().execute(async (connection) => {
    await sql
      .raw(`BEGIN; SET LOCAL ROLE clara_app; SELECT set_config('app.user_id', '${actor.userId}', true)`)
      .execute(connection);
    try {
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
