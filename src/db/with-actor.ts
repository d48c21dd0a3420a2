import { sql, type RawBuilder } from 'kysely';
import type { Database, Db } from './database.js';
import { runPipeline, type PipelineStatement } from './pipeline.js';
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

/** The opening statement of readAsActor as a prepared statement: the credential travels as a parameter. */
function actAsStatement(actor: Actor): PipelineStatement {
  const { credential } = actor;
  if (credential) {
    return credential.kind === 'session'
      ? { text: 'SELECT app.act_as_session($1)', values: [credential.hash], prepared: true }
      : { text: 'SELECT app.act_as_api_key($1)', values: [credential.hash], prepared: true };
  }
  return { text: 'SELECT app.act_as($1)', values: [actor.userId], prepared: true };
}

/** SET LOCAL ROLE as a function call, so that it can be a prepared statement in a pipeline. */
const AS_REQUEST_ROLE: PipelineStatement = { text: "SELECT set_config('role', 'clara_app', true)", values: [], prepared: true };

/**
 * One read statement as the caller, in one round trip instead of three: withActor's opening
 * statements and the query are sent together (runPipeline), and PostgreSQL runs them as one
 * implicit transaction, so the role and the caller's settings end with it and an error rolls it
 * back. For hot single-statement reads (a record by id, a list); anything that writes or reads
 * twice uses withActor.
 *
 * The opening statements are prepared on each connection, and so is the query with `prepared`
 * (a fixed shape such as a record by id): PostgreSQL then plans the row-level-security read once
 * per connection instead of on every request, which made a read by id's database work about a
 * third of what the same statements cost sent as text (docs/benchmarks.md, API, session 9).
 */
export async function readAsActor<Row>(
  database: Database,
  actor: Actor,
  query: RawBuilder<Row>,
  options: { prepared?: boolean } = {},
): Promise<Row[]> {
  const compiled = query.compile(database.db);
  return runPipeline<Row>(database.pool, [
    actAsStatement(actor),
    AS_REQUEST_ROLE,
    { text: compiled.sql, values: compiled.parameters, prepared: options.prepared },
  ]);
}

/** A transaction as the owner role, for system work that must see everything (jobs, imports of the CLI). */
export async function withSystem<T>(db: Db, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(work);
}
