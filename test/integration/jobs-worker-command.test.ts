import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import pg from 'pg';
import { createTestDatabase } from '../support/database.js';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.js';

describe('clara worker (jobs run apart from the server)', () => {
  let database: Awaited<ReturnType<typeof createTestDatabase>>;
  let receiver: WebhookReceiver;
  before(async () => {
    database = await createTestDatabase();
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await receiver.close();
    await database.drop();
  });

  test('refuses to run without a shared DATABASE_URL', async () => {
    const child = spawn(process.execPath, ['bin/clara.js', 'worker'], { env: { ...process.env, DATABASE_URL: '', LOG_LEVEL: 'warn' } });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 1);
    assert.match(stderr, /needs DATABASE_URL/);
  });

  test('delivers webhooks queued by another process, and stops cleanly on SIGTERM', async () => {
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      receiver.secret = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
      await client.query('INSERT INTO webhook_subscriptions (url, events, secret) VALUES ($1, $2, $3)', [
        receiver.url,
        ['lead.created'],
        receiver.secret,
      ]);
      // Queued before the worker runs: it must find the backlog, not only new notifications.
      await client.query("INSERT INTO leads (contact_person) VALUES ('Queued Earlier')");

      const child = spawn(process.execPath, ['bin/clara.js', 'worker', '--concurrency', '2'], {
        env: { ...process.env, DATABASE_URL: database.url, LOG_LEVEL: 'warn', CLARA_WEBHOOKS_ALLOW_PRIVATE: 'true' },
      });
      let output = '';
      child.stdout.on('data', (chunk) => (output += chunk));
      child.stderr.on('data', (chunk) => (output += chunk));
      const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        await receiver.waitFor(1, 30_000);
        await client.query("INSERT INTO leads (contact_person) VALUES ('Queued Later')");
        const received = await receiver.waitFor(2, 15_000);
        assert.deepEqual(received.map((r) => r.json.data.lead.contact_person).sort(), ['Queued Earlier', 'Queued Later']);
        assert.ok(received.every((r) => r.verified));
        assert.match(output, /Clara worker .* running webhook\.deliver \(concurrency 2\)/);
      } finally {
        child.kill('SIGTERM');
      }
      assert.equal(await exit, 0, output);
      const { rows } = await client.query<{ status: string }>('SELECT status FROM webhook_deliveries');
      assert.deepEqual(rows.map((row) => row.status), ['delivered', 'delivered']);
    } finally {
      await client.end();
    }
  });
});
