import { sql, type RawBuilder } from 'kysely';
import type { Database, Db } from './database.js';
import { runPipeline, type PipelineStatement } from './pipeline.js';
import type { Actor } from '../auth/actor.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SHA256_HEX = /^[0-9a-f]{64}$/;

/** SQLSTATE raised by app.act_as_session / app.act_as_api_key for a credential that no longer holds. */
export const CREDENTIAL_REFUSED = '28000';

/**
 * The statement that opens a request's transaction, run as the owner: it checks the credential,
 * reads the caller's role, team and the shared pool once, keeps them in transaction settings for
 * the row-level security policies (migration 016) and switches the transaction to the request
 * role clara_app (migration 024). Only validated hex and UUIDs are inlined, so the batch can use
 * the simple protocol safely.
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
 * BEGIN and the opening statement go in one simple-protocol round trip: a request pays that, its
 * own statements and COMMIT.
 */
export async function withActor<T>(db: Db, actor: Actor, work: (tx: Db) => Promise<T>): Promise<T> {
  const begin = `BEGIN; ${actAs(actor)}`;
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

/** The opening statement as a prepared statement for readAsActor: the credential travels as a parameter. */
function actAsStatement(actor: Actor): PipelineStatement {
  const { credential } = actor;
  if (credential) {
    return credential.kind === 'session'
      ? { text: 'SELECT app.act_as_session($1)', values: [credential.hash], prepared: true }
      : { text: 'SELECT app.act_as_api_key($1)', values: [credential.hash], prepared: true };
  }
  return { text: 'SELECT app.act_as($1)', values: [actor.userId], prepared: true };
}

/** A read for readAsActor; `prepared` for a fixed shape such as a record by id (see PipelineStatement). */
export interface Read<Row> {
  query: RawBuilder<Row>;
  prepared?: boolean;
}

/**
 * Read statements as the caller, in one round trip instead of one per statement plus BEGIN and
 * COMMIT: withActor's opening statement and the queries are sent together (runPipeline), and
 * PostgreSQL runs them as one implicit transaction, so the role and the caller's settings hold
 * for every query and end with it, and an error rolls it back. For hot reads (a record by id, a
 * list, a search's candidates and page); anything that writes, or decides between statements,
 * uses withActor.
 *
 * The opening statement is prepared on each connection, and so are the prepared reads:
 * PostgreSQL then plans the row-level-security read once per connection instead of on every
 * request, which made a read by id's database work about a third of what the same statements
 * cost sent as text (docs/benchmarks.md, API, session 9). Reads go through the read pool
 * (Database.readPool), sized to the cores.
 */
export async function readSeveralAsActor(database: Database, actor: Actor, reads: readonly Read<unknown>[]): Promise<unknown[][]> {
  const statements = reads.map(({ query, prepared }) => {
    const compiled = query.compile(database.db);
    return { text: compiled.sql, values: compiled.parameters, prepared };
  });
  const [, ...rows] = await runPipeline(database.readPool, [actAsStatement(actor), ...statements]);
  return rows;
}

/** One read statement as the caller (readSeveralAsActor). */
export async function readAsActor<Row>(
  database: Database,
  actor: Actor,
  query: RawBuilder<Row>,
  options: { prepared?: boolean } = {},
): Promise<Row[]> {
  const [rows] = await readSeveralAsActor(database, actor, [{ query, prepared: options.prepared }]);
  return rows as Row[];
}

/** A transaction as the owner role, for system work that must see everything (jobs, imports of the CLI). */
export async function withSystem<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
