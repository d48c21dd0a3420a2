/**
 * `npm test`: unit tests beside the code and integration tests against a real PostgreSQL.
 *
 * The database is the embedded PostgreSQL 18 (a throwaway cluster under the OS temp dir), or
 * the server named by TEST_DATABASE_URL (CI's PostgreSQL 15 pass). Migrations run once into a
 * template database; every test file clones it (CREATE DATABASE ... TEMPLATE), which takes
 * milliseconds and keeps files independent so they can run in parallel.
 *
 * Arguments are test file paths or globs; none means every test.
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { glob } from 'tinyglobby';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../src/db/embedded.js';
import { migrate } from '../src/db/migrate.js';
import { randomBytes } from 'node:crypto';

// This run's own template database, handed to the test files (see test/support/database.ts).
process.env.CLARA_TEST_TEMPLATE ??= `clara_test_template_${randomBytes(4).toString('hex')}`;
const { TEMPLATE_DATABASE } = await import('./support/database.js');

const DEFAULT_PATTERNS = ['src/**/*.test.ts', 'test/**/*.test.ts'];
const BROWSER_TESTS = 'test/e2e/';

async function testFiles(patterns: string[]): Promise<string[]> {
  const files = await glob(patterns, { ignore: patterns === DEFAULT_PATTERNS ? [`${BROWSER_TESTS}**`] : [] });
  return files.sort();
}

async function prepareTemplate(serverUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${TEMPLATE_DATABASE}`;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    await migrate(client);
  } finally {
    await client.end();
  }
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  const files = await testFiles(args.length ? args : DEFAULT_PATTERNS);
  if (files.length === 0) {
    console.error('No test files match', args);
    return 1;
  }

  let embedded: EmbeddedPostgres | undefined;
  let tempRoot: string | undefined;
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    tempRoot = await mkdtemp(path.join(os.tmpdir(), 'clara-test-'));
    // The embedded server runs as the postgres user when we are root: it must reach its directory.
    await chmod(tempRoot, 0o755);
    embedded = await startEmbeddedPostgres({ dataDir: path.join(tempRoot, 'data') });
    serverUrl = embedded.url;
  }
  const started = Date.now();
  try {
    await prepareTemplate(serverUrl);
    const { rows } = await withClient(serverUrl, (client) => client.query<{ server_version: string }>('SHOW server_version'));
    console.log(`# PostgreSQL ${rows[0]?.server_version} (${embedded ? 'embedded' : 'external'}), ${files.length} test files`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
        { stdio: 'inherit', env: { ...process.env, CLARA_TEST_SERVER_URL: serverUrl } },
      );
      child.on('exit', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    });
    console.log(`# test run took ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return code;
  } finally {
    if (!embedded) {
      await withClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`)).catch(() => {});
    }
    await embedded?.stop();
    if (tempRoot) await rm(tempRoot, { recursive: true, force: true });
  }
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

process.exitCode = await main().catch((error: unknown) => {
  console.error(error);
  return 1;
});
