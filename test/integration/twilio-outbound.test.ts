import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { assertProblem } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';
import { startFakeTwilio, twilioEnv, TwilioSimulator, TWILIO_ACCOUNT_SID, TWILIO_NUMBER } from '../support/twilio.js';

describe('Click-to-call: Clara calls a lead through Twilio', () => {
  let t: TestApp;
  let twilio: TwilioSimulator;
  let fake: Awaited<ReturnType<typeof startFakeTwilio>>;
  let agent: TestUser;
  let otherAgent: TestUser;
  const refused = '+14155550199';

  before(async () => {
    fake = await startFakeTwilio({ failNumber: refused });
    t = await createTestApp(twilioEnv({ TWILIO_ACCOUNT_SID, TWILIO_API_BASE_URL: fake.url }));
    twilio = new TwilioSimulator(t);
    agent = await t.user('agent');
    otherAgent = await t.user('agent');
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  const createLead = async (as: TestUser, body: Record<string, unknown>): Promise<string> => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: as.headers, payload: body });
    assert.equal(response.statusCode, 201, response.body);
    return response.json().id;
  };
  const dial = (as: TestUser, leadId: string) => t.app.inject({ method: 'POST', url: '/api/v1/calls/outbound', headers: as.headers, payload: { lead_id: leadId } });
  const callCount = async () => (await sql<{ n: number }>`SELECT count(*)::int AS n FROM calls`.execute(t.database.db)).rows[0]?.n ?? 0;

  test("places the call with Twilio's REST API and tracks it through the same webhooks: one call record, Clara talks, the status ends it", async () => {
    const leadId = await createLead(agent, { contact_person: 'Rita Moreno', company_name: 'Moreno Foods', phone: '+14155550180', agent_id: agent.id });
    const response = await dial(agent, leadId);
    assert.equal(response.statusCode, 201, response.body);
    const placed = response.json();
    assert.match(placed.provider_call_id, /^CA/);
    assert.equal(placed.status, 'queued');

    const request = fake.requests.find((r) => r.method === 'POST' && r.path === `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Calls.json`);
    assert.ok(request, 'Twilio was asked to place the call');
    assert.equal(request.form.To, '+14155550180');
    assert.equal(request.form.From, TWILIO_NUMBER);
    assert.equal(request.form.Url, `https://clara.example.test/webhooks/twilio/voice?call_id=${placed.call_id}`);
    assert.equal(request.form.StatusCallback, `https://clara.example.test/webhooks/twilio/status?call_id=${placed.call_id}`);

    // The agent sees the call on the lead (row-level security).
    const calls = (await t.app.inject({ method: 'GET', url: `/api/v1/calls?lead_id=${leadId}`, headers: agent.headers })).json().data;
    assert.equal(calls.length, 1);
    assert.equal(calls[0].direction, 'outbound');
    assert.equal(calls[0].provider_call_id, placed.provider_call_id);

    // Rita answers: Twilio fetches the Url it was given.
    const call = twilio.call(TWILIO_NUMBER, { callSid: placed.provider_call_id, url: request.form.Url as string, direction: 'outbound-api', to: '+14155550180' });
    const greeting = await call.answer();
    assert.match(greeting.says.join(' '), /Hi Rita, this is Clara from .*, following up on your interest\. .*record this call/);
    await call.say('no, please do not record');
    await call.say('we need help with our sales calls');
    assert.equal(await callCount(), 1, 'the answered call is the same call record');
    const status = await call.status('completed', { CallDuration: '64' }, request.form.StatusCallback as string);
    assert.equal(status.statusCode, 200, status.body);

    const row = await t.database.db.selectFrom('calls').selectAll().where('id', '=', placed.call_id).executeTakeFirstOrThrow();
    assert.equal(row.lead_id, leadId);
    assert.equal(row.user_id, agent.id, 'the call is the agent who placed it');
    assert.equal(row.direction, 'outbound');
    assert.equal(row.duration_seconds, 64);
    assert.equal(row.outcome, 'completed');
    assert.equal(row.recording_consent, false);
    assert.match(row.transcript ?? '', /Prospect: we need help with our sales calls/);
    const sessions = await t.database.db.selectFrom('conversations').select(['lead_id', 'status']).where('call_id', '=', placed.call_id).execute();
    assert.deepEqual(sessions, [{ lead_id: leadId, status: 'ended' }]);
  });

  test('a call nobody answers is tracked too: busy is its outcome', async () => {
    const leadId = await createLead(agent, { contact_person: 'Ben Hall', phone: '+14155550181', agent_id: agent.id });
    const placed = (await dial(agent, leadId)).json();
    const request = fake.requests.find((r) => r.form.To === '+14155550181');
    const call = twilio.call(TWILIO_NUMBER, { callSid: placed.provider_call_id, direction: 'outbound-api', to: '+14155550181' });
    await call.status('busy', { CallDuration: '0' }, request?.form.StatusCallback as string);
    const row = await t.database.db.selectFrom('calls').selectAll().where('id', '=', placed.call_id).executeTakeFirstOrThrow();
    assert.equal(row.outcome, 'busy');
    assert.ok(row.call_end_time);
    assert.equal(row.duration_seconds, 0);
  });

  test("respects row-level security: another agent's lead is a 404, a viewer may not call", async () => {
    const leadId = await createLead(otherAgent, { contact_person: 'Private Person', phone: '+14155550182', agent_id: otherAgent.id });
    const before = fake.requests.length;
    assertProblem(await dial(agent, leadId), 404, 'not_found');
    const viewer = await t.user('viewer');
    assert.equal((await dial(viewer, leadId)).statusCode, 403);
    assertProblem(await dial(agent, '00000000-0000-4000-8000-000000000000'), 404, 'not_found');
    assert.equal(fake.requests.length, before, 'Twilio was not asked');
  });

  test('refuses a do-not-contact lead and a lead without a phone, and asks Twilio nothing', async () => {
    const dnc = await createLead(agent, { contact_person: 'Do Not Call', phone: '+14155550183', agent_id: agent.id, do_not_contact: true });
    const noPhone = await createLead(agent, { contact_person: 'No Phone', email: 'nophone@example.com', agent_id: agent.id });
    const before = { requests: fake.requests.length, calls: await callCount() };
    assertProblem(await dial(agent, dnc), 422, 'do_not_contact');
    assertProblem(await dial(agent, noPhone), 422, 'no_phone');
    assert.deepEqual({ requests: fake.requests.length, calls: await callCount() }, before);
  });

  test("Twilio's refusal is a 502 with its message, and no call record is left behind", async () => {
    const leadId = await createLead(agent, { contact_person: 'Bad Number', phone: refused, agent_id: agent.id });
    const before = await callCount();
    const response = await dial(agent, leadId);
    assertProblem(response, 502, 'twilio_error');
    assert.match(response.json().detail ?? response.json().title, /not a valid phone number/);
    assert.equal(await callCount(), before);
  });

  test('unauthenticated callers get 401; a bad body gets 400', async () => {
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/calls/outbound', payload: { lead_id: '00000000-0000-4000-8000-000000000000' } })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/calls/outbound', headers: agent.headers, payload: { lead_id: 'x' } })).statusCode, 400);
  });
});

describe('Click-to-call without Twilio credentials', () => {
  test('answers 503 twilio_not_configured', async () => {
    const t = await createTestApp({ PUBLIC_URL: 'https://clara.example.test' });
    try {
      const lead = (await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: 'X', phone: '+14155550184' } })).json();
      assertProblem(await t.app.inject({ method: 'POST', url: '/api/v1/calls/outbound', headers: t.admin.headers, payload: { lead_id: lead.id } }), 503, 'twilio_not_configured');
      // And webhooks cannot be verified, so they are refused.
      assert.equal((await t.app.inject({ method: 'POST', url: '/webhooks/twilio/voice', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': 'x' }, payload: 'CallSid=CA0123456789abcdef' })).statusCode, 403);
    } finally {
      await t.close();
    }
  });
});
