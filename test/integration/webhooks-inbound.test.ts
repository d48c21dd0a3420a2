import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { assertProblem, crmApi, type ApiRecord, type CrmApi, type Reply } from '../support/crm-api.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const SECRET = `whsec_${Buffer.from('an external CRM shares this secret').toString('base64')}`;

/** Signs like the external CRM: Standard Webhooks over the exact body bytes (written here, not with Clara's code). */
function signed(body: unknown, options: { id?: string; timestamp?: number; secret?: string } = {}) {
  const raw = JSON.stringify(body);
  const id = options.id ?? `evt_${randomUUID()}`;
  const timestamp = options.timestamp ?? Math.floor(Date.now() / 1000);
  const key = Buffer.from((options.secret ?? SECRET).slice('whsec_'.length), 'base64');
  const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${raw}`).digest('base64');
  return {
    id,
    payload: raw,
    headers: {
      'content-type': 'application/json',
      'webhook-id': id,
      'webhook-timestamp': String(timestamp),
      'webhook-signature': `v1,${signature}`,
    },
  };
}

describe('inbound webhook of an external CRM', () => {
  let t: TestApp;
  let api: CrmApi;
  let lead: ApiRecord;
  const send = (request: { payload: string; headers: Record<string, string> }): Promise<Reply> =>
    t.app.inject({ method: 'POST', url: '/webhooks/crm', payload: request.payload, headers: request.headers });
  const reload = async () => (await api.get(t.admin, `/api/v1/leads/${lead.id}`)).json();

  before(async () => {
    t = await createTestApp({ CLARA_CRM_WEBHOOK_SECRET: SECRET, CLARA_WORKER: 'off' });
    api = crmApi(t);
    lead = await api.create(t.admin, 'leads', { contact_person: 'Inbound Person', company_name: 'Old Co' });
  });
  after(async () => {
    await t.close();
  });

  test('a signed lead_updated applies through the lead rules, as the integration user', async () => {
    const event = signed({ type: 'lead_updated', data: { lead_id: lead.id, changes: { company_name: 'New Co', phone: '(415) 555-0199' } } });
    const response = await send(event);
    assert.equal(response.statusCode, 200, response.body);
    assert.deepEqual(response.json(), { received: true, status: 'applied', lead_id: lead.id });
    const current = await reload();
    assert.equal(current.company_name, 'New Co');
    assert.equal(current.phone, '+14155550199', 'normalised to E.164 like any API write');
    const { rows } = await sql<{ email: string }>`
      SELECT u.email FROM admin_audit a JOIN users u ON u.id = a.actor_id
       WHERE a.table_name = 'leads' AND a.record_id = ${lead.id} AND a.action = 'update'
       ORDER BY a.id DESC LIMIT 1`.execute(t.database.db);
    assert.equal(rows[0]?.email, 'crm.integration@clara.local');
  });

  test('the same event id twice changes nothing the second time, even when both arrive at once', async () => {
    const event = signed({ type: 'lead_updated', data: { lead_id: lead.id, changes: { city: 'Denver' } } });
    assert.equal((await send(event)).json().status, 'applied');
    // Someone changes the lead in Clara; a replay of the old event must not undo it.
    await api.patch(t.admin, `/api/v1/leads/${lead.id}`, { city: 'Boulder' });
    const replay = await send(event);
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.json().status, 'duplicate');
    assert.equal((await reload()).city, 'Boulder');

    const twin = signed({ type: 'lead_updated', data: { lead_id: lead.id, changes: { industry: 'Retail' } } });
    const answers = await Promise.all([send(twin), send(twin), send(twin)]);
    assert.deepEqual(answers.map((a) => a.json().status).sort(), ['applied', 'duplicate', 'duplicate']);
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM inbound_webhook_events WHERE source = 'crm' AND event_id = ${twin.id}`.execute(t.database.db);
    assert.equal(rows[0]?.n, 1);
  });

  test('unsigned, wrongly signed, tampered or stale requests get 401 and change nothing', async () => {
    const body = { type: 'lead_updated', data: { lead_id: lead.id, changes: { company_name: 'Hacked Co' } } };
    const good = signed(body);
    const cases: { payload: string; headers: Record<string, string> }[] = [
      { payload: good.payload, headers: { 'content-type': 'application/json' } },
      signed(body, { secret: `whsec_${Buffer.from('some other secret of enough length').toString('base64')}` }),
      { payload: good.payload.replace('Hacked Co', 'Hacked Co!'), headers: good.headers },
      signed(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }),
      signed(body, { timestamp: Math.floor(Date.now() / 1000) + 600 }),
      { payload: good.payload, headers: { ...good.headers, 'webhook-id': 'evt_other' } },
    ];
    for (const request of cases) {
      assertProblem(await send(request), 401, 'invalid_signature');
    }
    assert.notEqual((await reload()).company_name, 'Hacked Co');
    // A rejected event id is not burned: the genuine event still applies.
    assert.equal((await send(good)).json().status, 'applied');
    assert.equal((await reload()).company_name, 'Hacked Co');
  });

  test('an unknown lead is 404, a malformed event 400, and neither is recorded', async () => {
    const missing = signed({ type: 'lead_updated', data: { lead_id: randomUUID(), changes: { city: 'Nowhere' } } });
    assertProblem(await send(missing), 404, 'not_found');
    assertProblem(await send(signed({ type: 'lead_exploded', data: { lead_id: lead.id } })), 400, 'validation_failed');
    assertProblem(await send(signed({ type: 'lead_updated', data: { lead_id: lead.id, changes: {} } })), 400, 'validation_failed');
    assertProblem(await send(signed({ type: 'lead_updated', data: { lead_id: lead.id, changes: { lead_score: 99 } } })), 400, 'validation_failed');
    assertProblem(await send(signed({ type: 'lead_updated', data: { lead_id: lead.id, changes: { phone: 'not a phone' } } })), 422, 'invalid_phone');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM inbound_webhook_events WHERE event_id = ${missing.id}`.execute(t.database.db);
    assert.equal(rows[0]?.n, 0);
  });

  test('lead_assigned sets the owner by email (or returns the lead to the pool); unknown people are 422', async () => {
    const agent = await t.user('agent');
    const assigned = await send(signed({ type: 'lead_assigned', data: { lead_id: lead.id, agent_email: agent.email.toUpperCase() } }));
    assert.equal(assigned.statusCode, 200, assigned.body);
    assert.equal((await reload()).agent_id, agent.id);
    assertProblem(await send(signed({ type: 'lead_assigned', data: { lead_id: lead.id, agent_email: 'ghost@example.com' } })), 422, 'unknown_agent');
    const viewer = await t.user('viewer');
    assertProblem(await send(signed({ type: 'lead_assigned', data: { lead_id: lead.id, agent_email: viewer.email } })), 422, 'invalid_agent');
    assert.equal((await send(signed({ type: 'lead_assigned', data: { lead_id: lead.id, agent_email: null } }))).statusCode, 200);
    assert.equal((await reload()).agent_id, null);
  });

  test('lead_status_changed sets the qualification status and, by name, the pipeline stage', async () => {
    const response = await send(signed({ type: 'lead_status_changed', data: { lead_id: lead.id, new_status: 'sales_qualified', pipeline_stage: 'negotiation' } }));
    assert.equal(response.statusCode, 200, response.body);
    const current = await reload();
    assert.equal(current.qualification_status, 'sales_qualified');
    const stage = await t.database.db.selectFrom('pipeline_stages').select('name').where('id', '=', current.pipeline_stage_id).executeTakeFirstOrThrow();
    assert.equal(stage.name, 'Negotiation');
    assertProblem(
      await send(signed({ type: 'lead_status_changed', data: { lead_id: lead.id, new_status: 'converted', pipeline_stage: 'Moon' } })),
      422,
      'unknown_stage',
    );
    assert.equal((await reload()).qualification_status, 'sales_qualified', 'nothing half written');
  });
});

describe('inbound CRM webhook without a secret', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp({ CLARA_WORKER: 'off' });
  });
  after(async () => {
    await t.close();
  });

  test('is off: 404 whatever is sent', async () => {
    const request = signed({ type: 'lead_updated', data: { lead_id: randomUUID(), changes: { city: 'X' } } });
    assertProblem(await t.app.inject({ method: 'POST', url: '/webhooks/crm', payload: request.payload, headers: request.headers }), 404, 'not_configured');
  });
});
