import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withSystem } from '../../src/db/with-actor.js';
import { crmApi, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * A call on its lead's timeline (migration 020): Clara writes the call's transcript at every turn
 * of a session; before 020 each turn added a "Call Updated" entry (a five-turn chat, five
 * entries). The call's start, its end and people's edits are events; the conversation growing
 * while Clara holds the call is not.
 */
describe("calls on the lead's timeline", () => {
  let t: TestApp;
  let api: CrmApi;
  let ada: TestUser;
  let claraId: string;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    ada = await t.user('agent', { name: 'Ada Agent' });
    const { rows } = await sql<{ id: string }>`SELECT id FROM users WHERE is_ai`.execute(t.database.db);
    claraId = rows[0]?.id as string;
  });
  after(async () => {
    await t.close();
  });

  /** The lead's timeline entries about calls, oldest first, as `as` reads them. */
  async function callEntries(leadId: string, as: TestUser = t.admin) {
    const rows = await api.list(as, `/api/v1/activities?lead_id=${leadId}&sort=created_at&limit=500`);
    return rows.filter((row) => row.metadata.entity === 'call');
  }

  /** A session with Clara, turn by turn, then ended: the lead Clara filed and the call's id. */
  async function session(channel: 'web' | 'voice', turns: string[]): Promise<{ leadId: string; callId: string }> {
    const start = await t.app.inject({ method: 'POST', url: '/api/v1/agent/sessions', headers: ada.headers, payload: { channel } });
    assert.equal(start.statusCode, 201, start.body);
    const id = start.json().id as string;
    let leadId: string | null = null;
    for (const text of turns) {
      const turn = await t.app.inject({ method: 'POST', url: `/api/v1/agent/sessions/${id}/turns`, headers: ada.headers, payload: { text } });
      assert.equal(turn.statusCode, 200, turn.body);
      leadId = turn.json().lead_id ?? leadId;
    }
    const end = await t.app.inject({ method: 'POST', url: `/api/v1/agent/sessions/${id}/end`, headers: ada.headers, payload: {} });
    assert.equal(end.statusCode, 200, end.body);
    assert.ok(leadId, 'Clara filed the lead');
    return { leadId, callId: end.json().call_id as string };
  }

  const TURNS = [
    'hi this is maria garcia from brightpath logistics',
    'we keep missing calls after hours and losing leads',
    'our budget is around 20k',
    'i need to run it by my boss',
    'we want it this quarter',
  ];

  test('a five-turn chat with Clara: one entry when the call reaches the lead, one when it ends, none per turn', async () => {
    const { leadId, callId } = await session('web', TURNS);
    const { rows } = await sql<{ transcript: string }>`SELECT transcript FROM calls WHERE id = ${callId}`.execute(t.database.db);
    assert.ok((rows[0]?.transcript.split('\n').length ?? 0) >= 2 * TURNS.length, 'the transcript kept every turn');

    const entries = await callEntries(leadId);
    assert.deepEqual(
      entries.map((entry) => [entry.activity_type, entry.subject, entry.created_by, entry.metadata.entity_id]),
      [
        ['call_created', 'Call Created', claraId, callId],
        ['call_updated', 'Call Updated', claraId, callId],
      ],
    );
    // The end says what it changed (the transcript was already complete at the last turn).
    assert.deepEqual(entries[1]?.metadata.changed, ['analysis', 'call_end_time', 'duration_seconds', 'outcome', 'sentiment_score', 'summary']);
  });

  test('a voice session the same way, and a lead known from the start', async () => {
    const { leadId } = await session('voice', ['hi this is tom baker from harbor freight lines', 'we lose calls at night', 'about 10k a year']);
    assert.deepEqual((await callEntries(leadId)).map((entry) => entry.activity_type), ['call_created', 'call_updated']);
    // A call logged by a person with its lead: created once; its transcript growing while it is in
    // progress adds nothing, the end and later edits do.
    const lead = await api.create(ada, 'leads', { contact_person: 'Logged Call' });
    const call = await api.create(ada, 'calls', { lead_id: lead.id, outcome: 'in_progress', transcript: 'Ada: hello' });
    const patch = async (body: Record<string, unknown>) => {
      const response = await api.patch(ada, `/api/v1/calls/${call.id}`, body);
      assert.equal(response.statusCode, 200, response.body);
    };
    await patch({ transcript: 'Ada: hello\nProspect: hi' });
    await patch({ transcript: 'Ada: hello\nProspect: hi\nAda: how can I help?', summary: 'Greetings' });
    await patch({ outcome: 'completed', call_end_time: new Date(Date.now() + 60_000).toISOString() });
    await patch({ transcript: 'Ada: hello\nProspect: hi there\nAda: how can I help?' });
    await patch({ notes: 'Call back Monday' });
    const entries = await callEntries(lead.id, ada);
    assert.deepEqual(
      entries.map((entry) => [entry.activity_type, entry.created_by, entry.metadata.changed ?? null]),
      [
        ['call_created', ada.id, null],
        ['call_updated', ada.id, ['call_end_time', 'duration_seconds', 'outcome']],
        ['call_updated', ada.id, ['transcript']],
        ['call_updated', ada.id, ['notes']],
      ],
    );
  });

  test('deleted and restored, by whoever did it; a move to another lead adds nothing; another agent sees none of it', async () => {
    const first = await api.create(ada, 'leads', { contact_person: 'First Caller' });
    const second = await api.create(ada, 'leads', { contact_person: 'Second Caller' });
    const call = await api.create(ada, 'calls', { lead_id: first.id, outcome: 'completed' });
    assert.equal((await api.delete(ada, `/api/v1/calls/${call.id}`)).statusCode, 204);
    await withSystem(t.database.db, async (tx) => {
      await sql`SELECT set_config('app.user_id', ${t.admin.id}, true)`.execute(tx);
      await sql`UPDATE calls SET deleted_at = NULL WHERE id = ${call.id}`.execute(tx);
    });
    assert.equal((await api.patch(ada, `/api/v1/calls/${call.id}`, { lead_id: second.id })).statusCode, 200);
    assert.deepEqual(
      (await callEntries(first.id, ada)).map((entry) => [entry.activity_type, entry.created_by]),
      [
        ['call_created', ada.id],
        ['call_deleted', ada.id],
        ['call_restored', t.admin.id],
      ],
    );
    assert.deepEqual(await callEntries(second.id, ada), []);
    const bob = await t.user('agent');
    assert.deepEqual(await api.list(bob, `/api/v1/activities?lead_id=${first.id}`), []);
  });
});
