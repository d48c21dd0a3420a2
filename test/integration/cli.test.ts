import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../support/database.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function clara(args: string[], env: Record<string, string>): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/clara.js', ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('clara command line', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let env: Record<string, string>;
  before(async () => {
    database = await createTestDatabase();
    env = { DATABASE_URL: database.url };
  });
  after(async () => {
    await database.drop();
  });

  test('migrate reports an up-to-date database', async () => {
    const result = await clara(['migrate'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /up to date/);
  });

  test('user create makes a user who exists in the database, with a generated password printed once', async () => {
    const result = await clara(['user', 'create', '--email', 'Sam@Example.com', '--name', 'Sam Seller', '--role', 'manager'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /Created manager sam@example.com/);
    assert.match(result.stdout, /Password \(shown once\): \S{12,}/);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query("SELECT role FROM users WHERE email = 'sam@example.com'");
      assert.equal(rows[0]?.role, 'manager');
    } finally {
      await client.end();
    }
  });

  test('user create refuses bad input with a clear message and exit code 1', async () => {
    const result = await clara(['user', 'create', '--email', 'not-an-email', '--name', 'X', '--role', 'wizard'], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /email|role/i);
  });

  test('apikey create prints a key once on stdout', async () => {
    const result = await clara(['apikey', 'create', '--role', 'admin', '--name', 'ci'], env);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.trim(), /^clara_[A-Za-z0-9_-]{40,}$/);
  });

  test('doctor passes on a migrated database with an admin', async () => {
    await clara(['user', 'create', '--email', 'boss@example.com', '--name', 'Boss', '--role', 'admin', '--password', 'boss-password-1'], env);
    const result = await clara(['doctor'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /ok\s+table leads - row-level security on/);
    assert.match(result.stdout, /All checks passed/);
  });

  test('doctor fails clearly when the database is unreachable', async () => {
    const result = await clara(['doctor'], { DATABASE_URL: 'postgres://nobody@127.0.0.1:1/nothing' });
    assert.equal(result.code, 1);
    assert.match(result.stdout, /FAIL\s+database connection/);
  });
});
