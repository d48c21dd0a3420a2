import { createRequire } from 'node:module';
import { sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { Database, Db } from './database.js';
import type { Actor } from '../auth/actor.js';

// The driver's own conversion of a parameter to the text it sends (dates, arrays, JSON, ...).
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

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

/**
 * One read statement as the caller, in one round trip instead of three: withActor's opening
 * statements and the query go in a single simple-protocol message, which PostgreSQL runs as one
 * implicit transaction (the role and the caller's settings end with it; an error rolls it back).
 * For hot single-statement reads (a record by id); anything that writes or reads twice uses withActor.
 *
 * The simple protocol carries no parameters, so each one is written into the text as a literal
 * holding exactly the text the driver would have sent (pg's prepareValue, then escapeLiteral);
 * PostgreSQL gives an untyped literal the type it would give an untyped parameter. The query must
 * be one statement built with kysely's sql tag, its parameters validated by the route (a NUL
 * character cannot travel in a simple query and is refused).
 */
export async function readAsActor<Row>(database: Database, actor: Actor, query: RawBuilder<Row>): Promise<Row[]> {
  const compiled = query.compile(database.db);
  const statement = inlineParameters(compiled.sql, compiled.parameters);
  const results = (await database.pool.query(`${actAs(actor)}; SET LOCAL ROLE clara_app; ${statement}`)) as unknown as pg.QueryResult[];
  return (results.at(-1)?.rows ?? []) as Row[];
}

function inlineParameters(text: string, parameters: readonly unknown[]): string {
  const used = new Set<number>();
  const inlined = text.replace(/\$(\d+)/g, (_, index: string) => {
    const position = Number(index) - 1;
    if (position >= parameters.length) throw new Error(`readAsActor: no parameter $${index}`);
    used.add(position);
    return literal(parameters[position]);
  });
  if (used.size !== parameters.length) throw new Error('readAsActor: a parameter is not used by the query');
  return inlined;
}

function literal(value: unknown): string {
  const text = value === undefined ? null : prepareValue(value);
  if (text === null) return 'NULL';
  if (typeof text !== 'string') throw new Error('readAsActor: binary parameters cannot be inlined');
  if (text.includes('\u0000')) throw new Error('readAsActor: a NUL character cannot travel in a simple query');
  return pg.escapeLiteral(text);
}

/** A transaction as the owner role, for system work that must see everything (jobs, imports of the CLI). */
export async function withSystem<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
