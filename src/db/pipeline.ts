import { createRequire } from 'node:module';
import pg from 'pg';

// The driver's own conversion of a parameter to the text it sends (dates, arrays, JSON, ...).
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as { prepareValue: (value: unknown) => unknown };

export interface PipelineStatement {
  text: string;
  values: readonly unknown[];
  /**
   * Keep the statement prepared on each connection: PostgreSQL parses and plans it once per
   * connection (a generic plan after a few runs) instead of on every request. For statements of
   * a fixed shape only; what varies with the caller's input goes in values.
   */
  prepared?: boolean;
}

/**
 * Statements prepared under a name, by text. Bounded, because each connection of the pool keeps
 * every one it has run: past the bound a statement is sent unnamed (parsed and planned each time).
 */
const MAX_PREPARED = 200;
const preparedNames = new Map<string, string>();

function nameOf(statement: PipelineStatement): string {
  if (!statement.prepared) return '';
  let name = preparedNames.get(statement.text);
  if (name === undefined && preparedNames.size < MAX_PREPARED) {
    name = `clara_${preparedNames.size + 1}`;
    preparedNames.set(statement.text, name);
  }
  return name ?? '';
}

/**
 * The row layout of each prepared statement, learnt from its first Describe: a statement's
 * columns and types are fixed once it is prepared (the schema changes only in migrations, which
 * run before the server answers), so later runs skip the Describe message and the driver's
 * work of building a row parser from it.
 */
const rowLayouts = new Map<string, pg.Result>();

/** The driver's connection: its map of the statements prepared on it (which pg's own queries keep too). */
interface Connection {
  parsedStatements: Record<string, string>;
  stream: { cork?: () => void; uncork?: () => void };
  parse(message: { text: string; name: string }): void;
  bind(message: { statement: string; values: unknown[] }): void;
  describe(message: { type: 'P'; name: string }): void;
  execute(message: { portal: string }): void;
  close(message: { type: 'S'; name: string }): void;
  sync(): void;
}

/**
 * Names whose Parse was sent in a pipeline that failed: PostgreSQL may or may not have created
 * them (a Parse after the failing step is skipped), so the next Parse of the name closes it
 * first (closing a statement that does not exist is not an error).
 */
const uncertain = new WeakMap<Connection, Set<string>>();

/**
 * Runs statements in one round trip with the extended query protocol (Parse, Bind, Execute for
 * each, then one Sync) and returns each statement's rows. PostgreSQL runs everything before the
 * Sync as one implicit transaction: it commits at the Sync, and the first error rolls it all
 * back and skips the rest (the protocol's "Pipelining" section). So transaction-local settings
 * (set_config(..., true)) made by one statement hold for the next ones and end with the pipeline.
 *
 * A node-postgres "submittable": the client queues it like a query and hands it the protocol
 * messages of its turn.
 */
class Pipeline {
  private readonly parsedHere: string[] = [];
  /** Each statement's row parser: known beforehand for a prepared statement described once. */
  private readonly results: (pg.Result | undefined)[];
  private readonly rows: unknown[][];
  /** The statement whose messages arrive now. */
  private current = 0;
  private settled = false;

  constructor(
    private readonly statements: readonly PipelineStatement[],
    private readonly done: (error: Error | null, rows?: unknown[][]) => void,
  ) {
    this.results = statements.map((statement) => (statement.prepared ? rowLayouts.get(statement.text) : undefined));
    this.rows = statements.map(() => []);
  }

  submit(connection: Connection): Error | null {
    // Every value is converted before a byte is written, so a value the driver cannot send
    // fails the pipeline without leaving half of it on the wire.
    let values: unknown[][];
    try {
      values = this.statements.map((statement) => statement.values.map((value) => prepareValue(value)));
    } catch (error) {
      return error instanceof Error ? error : new Error(String(error));
    }
    connection.stream.cork?.();
    try {
      this.statements.forEach((statement, index) => {
        const name = nameOf(statement);
        if (name === '' || connection.parsedStatements[name] !== statement.text) {
          const closeFirst = uncertain.get(connection);
          if (name !== '' && closeFirst?.delete(name)) connection.close({ type: 'S', name });
          connection.parse({ text: statement.text, name });
          if (name !== '') {
            connection.parsedStatements[name] = statement.text;
            this.parsedHere.push(name);
          }
        }
        connection.bind({ statement: name, values: values[index] as unknown[] });
        // Described only until the statement's row layout is known.
        if (!this.results[index]) connection.describe({ type: 'P', name: '' });
        connection.execute({ portal: '' });
      });
      connection.sync();
    } finally {
      connection.stream.uncork?.();
    }
    return null;
  }

  handleRowDescription(message: { fields: unknown[] }): void {
    // The driver's own row parser, with the type parsers set in database.ts ('object': rows as objects).
    const result = new pg.Result('object', pg.types);
    (result as unknown as { addFields(fields: unknown[]): void }).addFields(message.fields);
    this.results[this.current] = result;
    const statement = this.statements[this.current] as PipelineStatement;
    if (statement.prepared && nameOf(statement) !== '') rowLayouts.set(statement.text, result);
  }

  handleDataRow(message: { fields: unknown[] }): void {
    const result = this.results[this.current];
    if (result) this.rows[this.current]?.push((result as unknown as { parseRow(fields: unknown[]): unknown }).parseRow(message.fields));
  }

  handleCommandComplete(): void {
    this.current += 1;
  }

  handleEmptyQuery(): void {
    this.current += 1;
  }
  handlePortalSuspended(): void {}

  /** The client stops routing messages to a query after its error; ReadyForQuery follows unseen. */
  handleError(error: Error, connection: Connection): void {
    if (this.parsedHere.length > 0) {
      const names = uncertain.get(connection) ?? new Set<string>();
      for (const name of this.parsedHere) {
        delete connection.parsedStatements[name];
        names.add(name);
      }
      uncertain.set(connection, names);
    }
    this.settle(error);
  }

  handleReadyForQuery(): void {
    this.settle(null, this.rows);
  }

  private settle(error: Error | null, rows?: unknown[][]): void {
    if (this.settled) return;
    this.settled = true;
    this.done(error, rows);
  }
}

/** The statements' rows, one list per statement, run as one pipeline on a connection of the pool. */
export async function runPipeline(pool: pg.Pool, statements: readonly PipelineStatement[]): Promise<unknown[][]> {
  const client = await pool.connect();
  try {
    const rows = await new Promise<unknown[][]>((resolve, reject) => {
      client.query(
        new Pipeline(statements, (error, result) => (error ? reject(error) : resolve(result ?? []))) as unknown as pg.QueryConfig,
      );
    });
    client.release();
    return rows;
  } catch (error) {
    // An error PostgreSQL answered (it carries a SQLSTATE) leaves the connection usable; a
    // connection that broke is discarded, not reused.
    client.release(error instanceof pg.DatabaseError ? undefined : (error as Error));
    throw error;
  }
}
