import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The migrated database every test file clones. Each `npm test` run names its own (test/run.ts
 * passes it down), so that runs sharing one PostgreSQL server (CI jobs, several developers on
 * one machine) never drop each other's template in the middle of a run.
 */
export const TEMPLATE_DATABASE = process.env.CLARA_TEST_TEMPLATE ?? 'clara_test_template';

function serverUrl(): string {
  const url = process.env.CLARA_TEST_SERVER_URL;
  if (!url) throw new Error('CLARA_TEST_SERVER_URL is not set: run the tests with `npm test`');
  return url;
}

/** A fresh, migrated database cloned from the template; drop() removes it. */
export async function createTestDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `clara_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl() });
      await client.connect();
      try {
        await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await client.end();
      }
    },
  };
}
