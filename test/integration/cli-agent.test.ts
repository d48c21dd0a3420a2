import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestApp, type TestApp } from '../support/test-app.js';

interface Result {
  code: number | null;
  stdout: string;
  stderr: string;
}

function clara(args: string[], env: Record<string, string>, stdin = ''): Promise<Result> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/clara.js', ...args], { env: { ...process.env, ...env, LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

// Two conversations; the last expectation cannot be met (no email is ever given), so the
// accuracy is below 100% whatever the extractor does.
const smallCorpus = [
  {
    name: 'cli-typed',
    channel: 'web',
    turns: ['Hi, I am Maria Garcia from Brightpath Logistics.', 'Our budget is $20k.'],
    expected: { contact_person: 'Maria Garcia', budget_amount: 20000 },
  },
  {
    name: 'cli-voice-uk',
    channel: 'voice',
    default_country: 'GB',
    turns: ['hello it is oliver bennett', 'my mobile is oh seven nine one one one two three four five six'],
    expected: { phone: '+447911123456', email: 'never-said@example.com' },
  },
];

describe('clara chat and clara eval', () => {
  let t: TestApp;
  let env: Record<string, string>;
  let dir: string;
  let corpusFile: string;
  before(async () => {
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
    env = { DATABASE_URL: t.config.databaseUrl as string, CLARA_TIMEZONE: 'UTC' };
    dir = await mkdtemp(path.join(os.tmpdir(), 'clara-cli-agent-'));
    corpusFile = path.join(dir, 'corpus.json');
    await writeFile(corpusFile, JSON.stringify(smallCorpus));
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  test('eval replays a corpus in process and prints accuracy per field', async () => {
    const result = await clara(['eval', corpusFile, '--misses'], env);
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /2 conversations/);
    for (const field of ['budget_amount', 'contact_person', 'email', 'phone']) assert.match(result.stdout, new RegExp(`^${field}\\s+\\d+\\s+1\\s+`, 'm'));
    assert.match(result.stdout, /^overall\s+\d\s+4\s+\d+\.\d%$/m);
    assert.match(result.stdout, /miss cli-voice-uk \/ email: expected "never-said@example.com", got undefined\n {4}> hello it is oliver bennett/);
  });

  test('eval exits 1 below the floor and says so', async () => {
    const result = await clara(['eval', corpusFile, '--floor', '1'], env);
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /is below the floor 100\.0%/);
  });

  test('eval refuses a malformed corpus with a clear message', async () => {
    const bad = path.join(dir, 'bad.json');
    await writeFile(bad, JSON.stringify([{ name: 'x', turns: [], expected: {} }]));
    const result = await clara(['eval', bad], env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /turns/);
  });

  test('eval talks to a running server with --url and --key', async () => {
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { key } = await t.apiKey('agent');
    const result = await clara(['eval', corpusFile, '--url', url], { ...env, DATABASE_URL: 'postgres://nobody@127.0.0.1:1/unused', CLARA_API_KEY: key });
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^overall\s+\d\s+4\s+/m);

    const refused = await clara(['eval', corpusFile, '--url', url, '--key', 'clara_not-a-real-key-at-all-0000000000000000000'], env);
    assert.equal(refused.code, 1);
    assert.match(refused.stdout + refused.stderr, /401/);
  });

  test('chat reads the prospect from standard input, shows what Clara extracted, and ends the call', async () => {
    const result = await clara(['chat', '--channel', 'voice'], env, 'hi this is maria garcia from brightpath logistics\n\nour budget is twenty thousand dollars\n/end\n');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /^Clara: .+/m, 'the greeting');
    assert.match(result.stdout, /you> hi this is maria garcia from brightpath logistics\nClara: .+\n {2}\[(P[123]|--) [\d-]+\] .*contact_person="Maria Garcia"/);
    assert.match(result.stdout, /you> our budget is twenty thousand dollars\nClara: .+\n {2}\[.*budget_amount=20000/);
    const ended = /Session ended\. Call ([0-9a-f-]{36}), lead ([0-9a-f-]{36})\./.exec(result.stdout);
    assert.ok(ended, result.stdout);

    const client = new pg.Client({ connectionString: t.config.databaseUrl });
    await client.connect();
    try {
      const { rows } = await client.query('SELECT call_type, lead_id FROM calls WHERE id = $1', [ended[1]]);
      assert.equal(rows[0]?.call_type, 'ai_voice');
      assert.equal(rows[0]?.lead_id, ended[2]);
      const keys = await client.query("SELECT revoked_at FROM api_keys WHERE name = 'clara cli (temporary)'");
      assert.ok(keys.rows.length > 0 && keys.rows.every((row) => row.revoked_at !== null), 'the temporary API keys are revoked');
    } finally {
      await client.end();
    }
  });

  test('chat ends the session when standard input closes', async () => {
    const result = await clara(['chat'], env, 'hello there');
    assert.equal(result.code, 0, result.stdout + result.stderr);
    assert.match(result.stdout, /Session ended\. Call [0-9a-f-]{36}/);
  });
});
