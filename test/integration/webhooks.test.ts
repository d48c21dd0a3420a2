import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { webhookRetention } from '../../src/channels/webhooks/deliver-webhook.js';
import { withSystem } from '../../src/db/with-actor.js';
import { assertProblem, crmApi, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import { startWebhookReceiver, waitFor, type WebhookReceiver } from '../support/webhook-receiver.js';

const HOUR = 3_600_000;

interface Delivery {
  id: string;
  status: string;
  attempts: number;
  response_status: number | null;
  last_error: string | null;
  duration_ms: number | null;
  next_attempt_at: string | null;
  event_id: string;
  event_type: string;
  redelivery_of: string | null;
}

async function subscribe(api: CrmApi, admin: TestUser, receiver: WebhookReceiver, events: string[]): Promise<string> {
  const response = await api.post(admin, '/api/v1/webhook_subscriptions', { url: receiver.url, events, description: 'test receiver' });
  assert.equal(response.statusCode, 201, response.body);
  const created = response.json();
  receiver.secret = created.secret;
  return created.id;
}

async function deliveries(api: CrmApi, admin: TestUser, query: string): Promise<Delivery[]> {
  return (await api.list(admin, `/api/v1/webhook_deliveries?${query}`)) as unknown as Delivery[];
}

describe('outbound webhooks: subscriptions (admin API)', () => {
  let t: TestApp;
  let api: CrmApi;
  before(async () => {
    t = await createTestApp({ CLARA_WEBHOOKS_ALLOW_PRIVATE: 'true', CLARA_WORKER: 'off' });
    api = crmApi(t);
  });
  after(async () => {
    await t.close();
  });

  test('an admin subscribes; the secret is shown once, never read back, never audited', async () => {
    const created = await api.post(t.admin, '/api/v1/webhook_subscriptions', {
      url: 'https://hooks.example.com/clara',
      events: ['lead.created', 'call.completed', 'lead.created'],
    });
    assert.equal(created.statusCode, 201, created.body);
    const subscription = created.json();
    assert.match(subscription.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.deepEqual(subscription.events, ['lead.created', 'call.completed']);
    assert.equal(subscription.is_active, true);

    const read = await api.get(t.admin, `/api/v1/webhook_subscriptions/${subscription.id}`);
    assert.equal(read.statusCode, 200);
    assert.equal(read.json().secret, undefined);
    const listed = await api.list(t.admin, '/api/v1/webhook_subscriptions');
    assert.ok(listed.some((s) => s.id === subscription.id && s.secret === undefined));

    const { rows } = await sql<{ after: string }>`
      SELECT after::text FROM admin_audit WHERE table_name = 'webhook_subscriptions' AND record_id = ${subscription.id}`.execute(t.database.db);
    assert.equal(rows.length, 1, 'the creation is audited');
    assert.doesNotMatch(rows[0]?.after ?? '', /whsec_/);

    const rotated = await api.post(t.admin, `/api/v1/webhook_subscriptions/${subscription.id}/rotate_secret`);
    assert.equal(rotated.statusCode, 200);
    assert.notEqual(rotated.json().secret, subscription.secret);
    const stored = await t.database.db.selectFrom('webhook_subscriptions').select('secret').where('id', '=', subscription.id).executeTakeFirstOrThrow();
    assert.equal(stored.secret, rotated.json().secret);

    const patched = await api.patch(t.admin, `/api/v1/webhook_subscriptions/${subscription.id}`, { events: ['meeting.scheduled'], is_active: false });
    assert.equal(patched.statusCode, 200, patched.body);
    assert.deepEqual(patched.json().events, ['meeting.scheduled']);
    assert.equal((await api.delete(t.admin, `/api/v1/webhook_subscriptions/${subscription.id}`)).statusCode, 204);
    assert.equal((await api.get(t.admin, `/api/v1/webhook_subscriptions/${subscription.id}`)).statusCode, 404);
  });

  test('a given secret must be a Standard Webhooks secret', async () => {
    const secret = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;
    const ok = await api.post(t.admin, '/api/v1/webhook_subscriptions', { url: 'https://a.example.com/', events: ['lead.created'], secret });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.equal(ok.json().secret, secret);
    const bad = await api.post(t.admin, '/api/v1/webhook_subscriptions', { url: 'https://a.example.com/', events: ['lead.created'], secret: 'hunter2' });
    assertProblem(bad, 400, 'validation_failed');
  });

  test('only admins manage webhooks', async () => {
    const manager = await t.user('manager');
    const agent = await t.user('agent');
    for (const who of [manager, agent]) {
      assertProblem(await api.post(who, '/api/v1/webhook_subscriptions', { url: 'https://a.example.com/', events: ['lead.created'] }), 403, 'forbidden');
      assertProblem(await api.get(who, '/api/v1/webhook_subscriptions'), 403, 'forbidden');
      assertProblem(await api.get(who, '/api/v1/webhook_deliveries'), 403, 'forbidden');
    }
  });

  test('bad input is a clear 4xx and writes nothing', async () => {
    const before = await api.count('webhook_subscriptions');
    assertProblem(await api.post(t.admin, '/api/v1/webhook_subscriptions', { url: 'https://a.example.com/', events: ['lead.exploded'] }), 400, 'validation_failed');
    assertProblem(await api.post(t.admin, '/api/v1/webhook_subscriptions', { url: 'https://a.example.com/', events: [] }), 400, 'validation_failed');
    assertProblem(await api.post(t.admin, '/api/v1/webhook_subscriptions', { url: 'ftp://a.example.com/', events: ['lead.created'] }), 400, 'validation_failed');
    assertProblem(await api.post(t.admin, '/api/v1/webhook_subscriptions', { url: 'https://a.example.com/', events: ['lead.created'], extra: 1 }), 400, 'validation_failed');
    assertProblem(await api.post(t.admin, '/api/v1/webhook_deliveries/00000000-0000-4000-8000-000000000000/redeliver'), 404, 'not_found');
    assert.equal(await api.count('webhook_subscriptions'), before);
  });

  test('the event types are listed for the UI', async () => {
    const response = await api.get(t.admin, '/api/v1/webhook_event_types');
    assert.equal(response.statusCode, 200);
    const types = response.json().data.map((entry: { type: string }) => entry.type);
    for (const type of ['lead.created', 'lead.updated', 'lead.status_changed', 'call.completed', 'meeting.scheduled', 'follow_up.created']) {
      assert.ok(types.includes(type), type);
    }
  });
});

describe('outbound webhooks: delivery', () => {
  let t: TestApp;
  let api: CrmApi;
  let receiver: WebhookReceiver;
  before(async () => {
    // Retries an hour apart: the test moves run_at instead of waiting.
    t = await createTestApp({ CLARA_WEBHOOKS_ALLOW_PRIVATE: 'true', CLARA_JOBS_BACKOFF_BASE_MS: String(HOUR), CLARA_JOBS_POLL_MS: '200' });
    api = crmApi(t);
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  test('lead events reach the receiver signed per Standard Webhooks, and the log says so', async () => {
    receiver.received.length = 0;
    receiver.respond = () => 200;
    const subscriptionId = await subscribe(api, t.admin, receiver, ['lead.created', 'lead.updated', 'lead.status_changed', 'lead.qualified']);
    const lead = await api.create(t.admin, 'leads', { contact_person: 'Dana Webhook', company_name: 'Hooks Inc', phone: '+14155550123' });
    const [created] = await receiver.waitFor(1);
    assert.ok(created);
    assert.equal(created.verified, true, 'the signature checks out');
    assert.equal(created.json.type, 'lead.created');
    assert.equal(created.json.data.lead.id, lead.id);
    assert.equal(created.json.data.lead.contact_person, 'Dana Webhook');
    assert.equal(created.json.data.lead.search, undefined);
    assert.ok(Date.parse(created.json.timestamp));
    assert.equal(created.headers['content-type'], 'application/json');
    assert.match(String(created.headers['user-agent']), /^Clara-Webhooks\//);

    const patched = await api.patch(t.admin, `/api/v1/leads/${lead.id}`, { qualification_status: 'sales_qualified' });
    assert.equal(patched.statusCode, 200, patched.body);
    const received = await receiver.waitFor(4);
    const types = received.slice(1).map((r) => r.json.type).sort();
    assert.deepEqual(types, ['lead.qualified', 'lead.status_changed', 'lead.updated']);
    const updated = received.find((r) => r.json.type === 'lead.updated');
    assert.deepEqual(updated?.json.data.changes.qualification_status, { from: 'unqualified', to: 'sales_qualified' });
    assert.equal(updated?.json.data.lead.qualification_status, 'sales_qualified');
    assert.ok(received.every((r) => r.verified));
    assert.equal(new Set(received.map((r) => r.id)).size, 4, 'each event has its own webhook-id');

    await waitFor('the log to show four deliveries', async () =>
      (await deliveries(api, t.admin, `subscription_id=${subscriptionId}&status=delivered`)).length === 4);
    const log = await deliveries(api, t.admin, `subscription_id=${subscriptionId}`);
    for (const entry of log) {
      assert.equal(entry.attempts, 1);
      assert.equal(entry.response_status, 200);
      assert.equal(entry.last_error, null);
      assert.equal(typeof entry.duration_ms, 'number');
      assert.equal(entry.next_attempt_at, null);
    }
    const event = await api.get(t.admin, `/api/v1/webhook_events/${created.id}`);
    assert.equal(event.statusCode, 200);
    assert.equal(event.json().type, 'lead.created');
    await api.delete(t.admin, `/api/v1/webhook_subscriptions/${subscriptionId}`);
  });

  test('a subscription only hears its events; several writes of one transaction are one event with the final state', async () => {
    receiver.received.length = 0;
    receiver.respond = () => 200;
    const subscriptionId = await subscribe(api, t.admin, receiver, ['lead.created', 'lead.updated', 'lead.status_changed', 'follow_up.created']);
    const lead = await withSystem(t.database.db, async (tx) => {
      const { rows } = await sql<{ id: string }>`INSERT INTO leads (contact_person) VALUES ('First Name') RETURNING id`.execute(tx);
      const id = rows[0]?.id as string;
      await sql`UPDATE leads SET contact_person = 'Final Name' WHERE id = ${id}`.execute(tx);
      await sql`UPDATE leads SET company_name = 'Final Co' WHERE id = ${id}`.execute(tx);
      return id;
    });
    await withSystem(t.database.db, async (tx) => {
      await sql`UPDATE leads SET status_bucket = 'P1' WHERE id = ${lead}`.execute(tx);
      await sql`UPDATE leads SET city = 'Lyon' WHERE id = ${lead}`.execute(tx);
      await sql`UPDATE leads SET city = 'Paris', industry = 'SaaS' WHERE id = ${lead}`.execute(tx);
    });
    const followUp = await api.create(t.admin, 'follow_ups', { lead_id: lead, due_date: '2030-01-01T10:00:00.000Z' });
    const received = await receiver.waitFor(4);
    const byType = Object.fromEntries(received.map((r) => [r.json.type, r.json]));
    assert.deepEqual(Object.keys(byType).sort(), ['follow_up.created', 'lead.created', 'lead.status_changed', 'lead.updated']);
    assert.equal(byType['lead.created']?.data.lead.contact_person, 'Final Name');
    assert.equal(byType['lead.created']?.data.lead.company_name, 'Final Co');
    assert.deepEqual(byType['lead.updated']?.data.changes, {
      status_bucket: { from: 'P3', to: 'P1' },
      city: { from: null, to: 'Paris' },
      industry: { from: null, to: 'SaaS' },
    });
    assert.deepEqual(byType['lead.status_changed']?.data.changes, { status_bucket: { from: 'P3', to: 'P1' } });
    assert.equal(byType['lead.status_changed']?.data.lead.city, 'Paris', 'every event carries the state at commit');
    assert.equal(byType['follow_up.created']?.data.follow_up.id, followUp.id);
    // Nothing else arrives: the lead.updated of the follow-up's timeline activity is not a lead change.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.length, 4);
    await api.delete(t.admin, `/api/v1/webhook_subscriptions/${subscriptionId}`);
  });

  test('a receiver that fails three times then succeeds gets the event delivered exactly once, with backoff between attempts', async () => {
    receiver.received.length = 0;
    receiver.respond = (n) => (n <= 3 ? 500 : 204);
    const subscriptionId = await subscribe(api, t.admin, receiver, ['meeting.scheduled']);
    const lead = await api.create(t.admin, 'leads', { contact_person: 'Flaky Receiver' });
    await api.create(t.admin, 'meetings', {
      lead_id: lead.id,
      title: 'Demo',
      start_time: '2030-01-02T10:00:00.000Z',
      end_time: '2030-01-02T10:30:00.000Z',
    });
    const [delivery] = await deliveries(api, t.admin, `subscription_id=${subscriptionId}`);
    assert.ok(delivery);
    const job = async () => {
      const { rows } = await sql<{ id: string; status: string; attempts: number; delay_ms: number }>`
        SELECT j.id, j.status, j.attempts, (extract(epoch FROM (j.run_at - j.updated_at)) * 1000)::float8 AS delay_ms
          FROM jobs j JOIN webhook_deliveries d ON d.job_id = j.id WHERE d.id = ${delivery.id}`.execute(t.database.db);
      return rows[0] as { id: string; status: string; attempts: number; delay_ms: number };
    };

    for (let attempt = 1; attempt <= 3; attempt += 1) {
      await receiver.waitFor(attempt);
      const state = await waitFor(`attempt ${attempt} to be rescheduled`, async () => {
        const current = await job();
        return current.status === 'pending' && current.attempts === attempt ? current : undefined;
      });
      const expected = HOUR * 2 ** (attempt - 1);
      assert.ok(state.delay_ms >= 0.8 * expected && state.delay_ms <= 1.2 * expected, `retry ${attempt}: ${state.delay_ms} ms`);
      const logged = await api.get(t.admin, `/api/v1/webhook_deliveries/${delivery.id}`);
      assert.equal(logged.json().status, 'pending');
      assert.equal(logged.json().attempts, attempt);
      assert.equal(logged.json().response_status, 500);
      assert.match(logged.json().last_error, /HTTP 500/);
      assert.ok(logged.json().next_attempt_at);
      // Time passes: the retry is due now.
      await sql`UPDATE jobs SET run_at = now() WHERE id = ${state.id}`.execute(t.database.db);
      await sql`SELECT pg_notify('clara_jobs', 'webhook.deliver')`.execute(t.database.db);
    }

    const received = await receiver.waitFor(4);
    const done = await waitFor('the delivery to be delivered', async () => {
      const logged = (await api.get(t.admin, `/api/v1/webhook_deliveries/${delivery.id}`)).json() as Delivery;
      return logged.status === 'delivered' ? logged : undefined;
    });
    assert.equal(done.attempts, 4);
    assert.equal(done.response_status, 204);
    assert.equal(done.last_error, null);
    assert.equal((await job()).status, 'succeeded');
    assert.deepEqual(received.map((r) => r.answered), [500, 500, 500, 204]);
    assert.equal(received.filter((r) => r.answered < 300).length, 1, 'delivered once');
    assert.equal(new Set(received.map((r) => r.id)).size, 1, 'every attempt carries the same webhook-id');
    assert.ok(received.every((r) => r.verified && r.json.type === 'meeting.scheduled'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.length, 4, 'no attempt after the success');
    await api.delete(t.admin, `/api/v1/webhook_subscriptions/${subscriptionId}`);
  });

  test('410 Gone switches the subscription off', async () => {
    receiver.received.length = 0;
    receiver.respond = () => 410;
    const subscriptionId = await subscribe(api, t.admin, receiver, ['lead.created']);
    await api.create(t.admin, 'leads', { contact_person: 'Gone Receiver' });
    await receiver.waitFor(1);
    const subscription = await waitFor('the subscription to be switched off', async () => {
      const current = (await api.get(t.admin, `/api/v1/webhook_subscriptions/${subscriptionId}`)).json();
      return current.is_active === false ? current : undefined;
    });
    assert.match(subscription.disabled_reason, /410/);
    const delivery = await waitFor('the delivery to fail without retries', async () => {
      const [entry] = await deliveries(api, t.admin, `subscription_id=${subscriptionId}`);
      return entry?.status === 'failed' ? entry : undefined;
    });
    assert.equal(delivery.attempts, 1);
    assert.equal(delivery.response_status, 410);
    const reactivated = await api.patch(t.admin, `/api/v1/webhook_subscriptions/${subscriptionId}`, { is_active: true });
    assert.equal(reactivated.json().disabled_reason, null);
    await api.delete(t.admin, `/api/v1/webhook_subscriptions/${subscriptionId}`);
  });
});

describe('outbound webhooks: final failure and redelivery', () => {
  let t: TestApp;
  let api: CrmApi;
  let receiver: WebhookReceiver;
  before(async () => {
    t = await createTestApp({
      CLARA_WEBHOOKS_ALLOW_PRIVATE: 'true',
      CLARA_WEBHOOKS_MAX_ATTEMPTS: '3',
      CLARA_JOBS_BACKOFF_BASE_MS: '20',
      CLARA_JOBS_BACKOFF_MAX_MS: '40',
      CLARA_JOBS_POLL_MS: '200',
    });
    api = crmApi(t);
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  test('a delivery fails for good after its attempts; redeliver sends the same event again as a new delivery', async () => {
    receiver.respond = () => 503;
    const subscriptionId = await subscribe(api, t.admin, receiver, ['call.completed']);
    const lead = await api.create(t.admin, 'leads', { contact_person: 'Caller' });
    await api.create(t.admin, 'calls', {
      lead_id: lead.id,
      call_start_time: '2030-01-01T10:00:00.000Z',
      call_end_time: '2030-01-01T10:05:00.000Z',
      outcome: 'completed',
    });
    const failed = await waitFor('the delivery to fail for good', async () => {
      const [entry] = await deliveries(api, t.admin, `subscription_id=${subscriptionId}`);
      return entry?.status === 'failed' ? entry : undefined;
    });
    assert.equal(failed.attempts, 3);
    assert.equal(failed.response_status, 503);
    assert.equal(failed.next_attempt_at, null);
    assert.equal(receiver.received.length, 3);
    assert.equal(new Set(receiver.received.map((r) => r.id)).size, 1);

    receiver.respond = () => 200;
    const redelivered = await api.post(t.admin, `/api/v1/webhook_deliveries/${failed.id}/redeliver`);
    assert.equal(redelivered.statusCode, 202, redelivered.body);
    assert.equal(redelivered.json().redelivery_of, failed.id);
    assert.equal(redelivered.json().status, 'pending');
    const delivered = await waitFor('the redelivery to be delivered', async () => {
      const entry = (await api.get(t.admin, `/api/v1/webhook_deliveries/${redelivered.json().id}`)).json() as Delivery;
      return entry.status === 'delivered' ? entry : undefined;
    });
    assert.equal(delivered.attempts, 1);
    assert.equal(receiver.received.length, 4);
    assert.equal(receiver.received[3]?.id, receiver.received[0]?.id, 'same webhook-id: the receiver can tell it is the same event');
    assert.ok(receiver.received[3]?.verified);
    const original = (await api.get(t.admin, `/api/v1/webhook_deliveries/${failed.id}`)).json();
    assert.equal(original.status, 'failed', 'the original stays in the log as it was');

    // A switched-off subscription is not redelivered to.
    await api.patch(t.admin, `/api/v1/webhook_subscriptions/${subscriptionId}`, { is_active: false });
    assertProblem(await api.post(t.admin, `/api/v1/webhook_deliveries/${failed.id}/redeliver`), 409, 'conflict');
  });
});

describe('outbound webhooks: private targets', () => {
  let t: TestApp;
  let api: CrmApi;
  let receiver: WebhookReceiver;
  before(async () => {
    t = await createTestApp({ CLARA_JOBS_POLL_MS: '200' });
    api = crmApi(t);
    receiver = await startWebhookReceiver();
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  test('without CLARA_WEBHOOKS_ALLOW_PRIVATE, loopback targets are refused: up front for an IP, at delivery for a name', async () => {
    const port = new URL(receiver.url).port;
    for (const url of [receiver.url, `http://[::1]:${port}/`, 'http://10.0.0.8/hook', 'http://169.254.169.254/latest/meta-data']) {
      assertProblem(await api.post(t.admin, '/api/v1/webhook_subscriptions', { url, events: ['lead.created'] }), 422, 'invalid_webhook_url');
    }
    const patchTarget = await api.post(t.admin, '/api/v1/webhook_subscriptions', { url: 'https://hooks.example.com/', events: ['lead.created'] });
    assertProblem(await api.patch(t.admin, `/api/v1/webhook_subscriptions/${patchTarget.json().id}`, { url: receiver.url }), 422, 'invalid_webhook_url');
    await api.patch(t.admin, `/api/v1/webhook_subscriptions/${patchTarget.json().id}`, { is_active: false });

    // A name is resolved at delivery time, and every address it resolves to is checked. The
    // subscription is stored directly, as if its name had resolved elsewhere when it was created.
    const secret = `whsec_${Buffer.alloc(32, 1).toString('base64')}`;
    const subscription = await t.database.db
      .insertInto('webhook_subscriptions')
      .values({ url: `http://localhost:${port}/hooks/clara`, events: ['lead.created'], secret })
      .returning('id')
      .executeTakeFirstOrThrow();
    await api.create(t.admin, 'leads', { contact_person: 'Nobody Inside' });
    const refused = await waitFor('the delivery to be refused', async () => {
      const [entry] = await deliveries(api, t.admin, `subscription_id=${subscription.id}`);
      return entry?.status === 'failed' ? entry : undefined;
    });
    assert.equal(refused.attempts, 1, 'refused targets are not retried');
    assert.equal(refused.response_status, null);
    assert.match(refused.last_error ?? '', /loopback or private-network/);
    assert.equal(receiver.received.length, 0, 'nothing reached the loopback receiver');
  });
});

describe('outbound webhooks: retention', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ CLARA_WORKER: 'off' });
  });
  after(async () => {
    await t.close();
  });

  test('old events and their log are removed by the worker housekeeping, unless still being delivered', async () => {
    const db = t.database.db;
    await db
      .insertInto('webhook_subscriptions')
      .values({ url: 'https://hooks.example.com/', events: ['lead.created'], secret: `whsec_${Buffer.alloc(32).toString('base64')}` })
      .execute();
    await sql`INSERT INTO leads (contact_person) VALUES ('Old One'), ('Old Two'), ('Recent')`.execute(db);
    const events = await db.selectFrom('webhook_events').select(['id', 'data']).execute();
    assert.equal(events.length, 3);
    const name = (event: (typeof events)[number]) => (event.data as { lead: { contact_person: string } }).lead.contact_person;
    const oldIds = events.filter((event) => name(event).startsWith('Old')).map((event) => event.id);
    await sql`UPDATE webhook_events SET created_at = now() - interval '40 days' WHERE id = ANY (${oldIds}::uuid[])`.execute(db);
    const stillPending = oldIds[1] as string;
    await sql`UPDATE webhook_deliveries SET status = 'failed' WHERE event_id <> ${stillPending}`.execute(db);

    assert.equal(await webhookRetention({ retentionDays: 30 }).run(db), 1);
    const left = await db.selectFrom('webhook_events').select('id').execute();
    assert.equal(left.length, 2);
    assert.ok(left.some((event) => event.id === stillPending), 'an event still being delivered is kept');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM webhook_deliveries`.execute(db);
    assert.equal(rows[0]?.n, 2, 'the removed event took its delivery log along');
  });
});
