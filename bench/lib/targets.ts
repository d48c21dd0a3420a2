/**
 * Where a benchmark runs: a throwaway database on a fresh embedded PostgreSQL, or one created
 * (and dropped afterwards) on an existing server such as CI's PostgreSQL 15. Shared by
 * bench:api, bench:analytics and bench:agent.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ensureDatabase } from '../../src/db/database.js';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';

export interface BenchTarget {
  label: string;
  /** Owner (superuser) URL of the benchmark database. */
  url: string;
  /** The postmaster, to read PostgreSQL's CPU time (same machine only). */
  postmasterPid?: number;
  cleanup(): Promise<void>;
}

export async function embeddedTarget(database: string): Promise<BenchTarget> {
  const root = await mkdtemp(path.join(os.tmpdir(), `${database.replace(/_/g, '-')}-`));
  // As root the server runs as `postgres`, which must pass through the directory (as the tests do).
  await chmod(root, 0o755);
  const embedded = await startEmbeddedPostgres({ dataDir: path.join(root, 'data') });
  return {
    label: 'embedded',
    url: await ensureDatabase(embedded.url, database),
    postmasterPid: embedded.pid,
    async cleanup() {
      await embedded.stop();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/**
 * A fresh `database` on the server at `serverUrl` (PostgreSQL >= 15), dropped by cleanup().
 * Throws when the server cannot be reached; callers that may skip it catch that.
 */
export async function externalTarget(serverUrl: string, database: string, label = 'pg15'): Promise<BenchTarget> {
  const admin = new pg.Client({ connectionString: serverUrl, connectionTimeoutMillis: 3000 });
  await admin.connect();
  let postmasterPid: number | undefined;
  try {
    const { rows } = await admin.query<{ version: string; dir: string }>(
      "SELECT current_setting('server_version_num') AS version, current_setting('data_directory') AS dir",
    );
    const row = rows[0];
    if (!row || Number(row.version) < 150000) throw new Error(`PostgreSQL >= 15 needed, found ${row?.version}`);
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${database}`);
    // Same machine: the postmaster's pid lets us read PostgreSQL's CPU time (best effort).
    postmasterPid = await readFile(path.join(row.dir, 'postmaster.pid'), 'utf8')
      .then((text) => Number.parseInt(text, 10) || undefined)
      .catch(() => undefined);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return {
    label,
    url: url.toString(),
    postmasterPid,
    async cleanup() {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * Starts a load generator in its own process (so its CPU is not the server's) and resolves once
 * it says it is ready with its first message.
 */
export async function forkLoadGenerator(file: string): Promise<ChildProcess> {
  const child = fork(file, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: 'inherit' });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`load generator exited (${code})`)));
  });
  return child;
}

/** Asks the load generator to close, and kills it if it has not exited within 5 s. */
export async function stopLoadGenerator(child: ChildProcess, closeMessage: unknown): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send(closeMessage as object);
  const timer = setTimeout(() => child.kill(), 5000);
  await exited;
  clearTimeout(timer);
}
