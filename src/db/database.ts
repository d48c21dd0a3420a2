import os from 'node:os';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded.js';
import { migrate } from './migrate.js';
import { toIsoInstant } from './timestamps.js';

// Amounts are numeric(14,2): well inside a double's exact range, and the API speaks JSON numbers.
pg.types.setTypeParser(pg.types.builtins.NUMERIC, (value) => Number.parseFloat(value));
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number.parseInt(value, 10));
// Timestamps travel as ISO 8601 strings, the form the API returns: PostgreSQL prints
// "2026-11-23 08:30:00.123456+00", which becomes "2026-11-23T08:30:00.123Z".
pg.types.setTypeParser(pg.types.builtins.TIMESTAMPTZ, toIsoInstant);
// A calendar date has no time zone; turning it into a Date would shift it by the server's offset.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);

export type Db = Kysely<DB>;

export interface Database {
  /** Owner connection: migrations, authentication and system jobs. Bypasses row-level security. */
  readonly db: Db;
  readonly pool: pg.Pool;
  /**
   * A second, smaller pool for reads that hold a connection for one round trip only
   * (readAsActor): see defaultReadPoolSize.
   */
  readonly readPool: pg.Pool;
  readonly mode: 'embedded' | 'external';
  readonly url: string;
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
  poolSize?: number;
  /** Connections of the read pool (default: defaultReadPoolSize()). */
  readPoolSize?: number;
  log?: (line: string) => void;
  /** Apply pending migrations before returning (default true). */
  migrate?: boolean;
}

/**
 * Connections for one-round-trip reads: two per core. Such a read keeps its connection only while
 * PostgreSQL works on it, so more connections than the cores can serve add context switches and
 * nothing else: with 16 reads by id in flight on 2 cores, 4 connections answered 1,570-1,800
 * requests/s where the 20 of the main pool answered 1,030-1,450 (docs/benchmarks.md, API,
 * session 10). The main pool stays larger, for transactions that wait on the application
 * between statements (and a connection held that way must not starve these reads).
 */
export const defaultReadPoolSize = () => Math.max(2, 2 * os.availableParallelism());

/** The database Clara uses inside its embedded PostgreSQL. */
export const EMBEDDED_DATABASE = 'clara';

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  const log = options.log ?? (() => {});
  let embedded: EmbeddedPostgres | undefined;
  let url = options.databaseUrl;
  if (!url) {
    embedded = await startEmbeddedPostgres({ dataDir: options.dataDir, log });
    url = await ensureDatabase(embedded.url, EMBEDDED_DATABASE);
  }
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 20, application_name: 'clara' });
  // An idle connection dropped by the server (restart, failover) must not crash the process;
  // the pool replaces it on the next checkout.
  pool.on('error', (error) => log(`idle database connection lost: ${error.message}`));
  const readPool = new pg.Pool({ connectionString: url, max: options.readPoolSize ?? defaultReadPoolSize(), application_name: 'clara-read' });
  readPool.on('error', (error) => log(`idle database connection lost: ${error.message}`));
  try {
    if (options.migrate !== false) {
      const client = await pool.connect();
      try {
        await migrate(client, log);
      } finally {
        client.release();
      }
    }
  } catch (error) {
    await Promise.all([pool.end(), readPool.end()]);
    await embedded?.stop();
    throw error;
  }
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    pool,
    readPool,
    mode: embedded ? 'embedded' : 'external',
    url,
    async close() {
      await db.destroy();
      // Kysely only ends a pool it has used; the pool may have served raw pg work alone.
      if (!pool.ending) await pool.end();
      if (!readPool.ending) await readPool.end();
      await embedded?.stop();
    },
  };
}

/** Creates the database on the server if it does not exist; returns its URL. */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    }
  } finally {
    await client.end();
  }
  const target = new URL(serverUrl);
  target.pathname = `/${name}`;
  return target.toString();
}

export async function serverVersion(db: Db): Promise<string> {
  const { rows } = await sql<{ server_version: string }>`SHOW server_version`.execute(db);
  return rows[0]?.server_version ?? 'unknown';
}
