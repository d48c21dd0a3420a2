import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { withSystem } from '../../src/db/with-actor.js';
import { crmApi, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Conversations (chat, SMS, voice sessions) on their lead's activity timeline (issue 2, migration
 * 019): started, ended, deleted and restored, but not every message.
 */
describe("conversations on the lead's timeline", () => {
  let t: TestApp;
  let api: CrmApi;
  let ada: TestUser;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    ada = await t.user('agent', { name: 'Ada Agent' });
  });
  after(async () => {
    await t.close();
  });

  /** The lead's timeline entries about conversations, oldest first, as the lead's owner reads them. */
  async function timeline(leadId: string, as: TestUser = ada) {
    const rows = await api.list(as, `/api/v1/activities?lead_id=${leadId}&sort=created_at&limit=500`);
    return rows.filter((row) => row.metadata.entity === 'conversation');
  }

  test('started, ended, deleted and restored, by whoever did it; messages and other edits add nothing', async () => {
    const lead = await api.create(ada, 'leads', { contact_person: 'Tess Timeline' });
    const conversation = await api.create(ada, 'conversations', { channel: 'sms', lead_id: lead.id, external_session_id: 'timeline-1' });
    const patch = async (body: Record<string, unknown>) => {
      const response = await api.patch(ada, `/api/v1/conversations/${conversation.id}`, body);
      assert.equal(response.statusCode, 200, response.body);
    };
    await patch({ messages: [{ role: 'user', text: 'Hi, do you integrate with Twilio?' }] });
    await patch({ messages: [{ role: 'user', text: 'Hi, do you integrate with Twilio?' }, { role: 'assistant', text: 'Yes.' }] });
    await patch({ language: 'en', sentiment: 0.4 });
    await patch({ status: 'ended' });
    // Conversations have no DELETE route; the system trashes and restores them as the owner.
    for (const deletedAt of [sql`now()`, sql`NULL`]) {
      await withSystem(t.database.db, async (tx) => {
        await sql`SELECT set_config('app.user_id', ${t.admin.id}, true)`.execute(tx);
        await sql`UPDATE conversations SET deleted_at = ${deletedAt} WHERE id = ${conversation.id}`.execute(tx);
      });
    }

    const entries = await timeline(lead.id);
    assert.deepEqual(
      entries.map((entry) => [entry.activity_type, entry.subject, entry.created_by]),
      [
        ['conversation_created', 'SMS conversation started', ada.id],
        ['conversation_ended', 'SMS conversation ended', ada.id],
        ['conversation_deleted', 'SMS conversation deleted', t.admin.id],
        ['conversation_restored', 'SMS conversation restored', t.admin.id],
      ],
    );
    for (const entry of entries) {
      assert.equal(entry.metadata.entity_id, conversation.id);
      assert.equal(entry.metadata.channel, 'sms');
    }
    assert.equal(entries[1]?.metadata.messages, 2, 'the end says how long it was');
  });

  test('a conversation shows up when it is first attached to a lead, and a later move to another lead adds nothing', async () => {
    const first = await api.create(ada, 'leads', { contact_person: 'First Lead' });
    const second = await api.create(ada, 'leads', { contact_person: 'Second Lead' });
    const conversation = await api.create(ada, 'conversations', { channel: 'web', external_session_id: 'timeline-2' });
    assert.equal((await api.patch(ada, `/api/v1/conversations/${conversation.id}`, { lead_id: first.id })).statusCode, 200);
    assert.equal((await api.patch(ada, `/api/v1/conversations/${conversation.id}`, { lead_id: second.id })).statusCode, 200);
    assert.deepEqual((await timeline(first.id)).map((entry) => entry.activity_type), ['conversation_created']);
    assert.deepEqual(await timeline(second.id), []);
  });

  test('a web chat with Clara: one entry when Clara files the lead, one when the chat ends, none per turn', async () => {
    const start = await t.app.inject({ method: 'POST', url: '/api/v1/agent/sessions', headers: ada.headers, payload: { channel: 'web' } });
    assert.equal(start.statusCode, 201, start.body);
    const session = start.json().id as string;
    const say = async (text: string) => {
      const response = await t.app.inject({ method: 'POST', url: `/api/v1/agent/sessions/${session}/turns`, headers: ada.headers, payload: { text } });
      assert.equal(response.statusCode, 200, response.body);
      return response.json() as { lead_id: string | null };
    };
    await say('hi this is maria garcia from brightpath logistics');
    await say('we keep missing calls after hours and losing leads');
    const { lead_id: leadId } = await say('our budget is around 20k');
    assert.ok(leadId, 'Clara filed the lead');
    const end = await t.app.inject({ method: 'POST', url: `/api/v1/agent/sessions/${session}/end`, headers: ada.headers, payload: {} });
    assert.equal(end.statusCode, 200, end.body);

    const { rows: clara } = await sql<{ id: string }>`SELECT id FROM users WHERE is_ai`.execute(t.database.db);
    const entries = await timeline(leadId, t.admin);
    assert.deepEqual(
      entries.map((entry) => [entry.activity_type, entry.subject, entry.created_by, entry.metadata.entity_id]),
      [
        ['conversation_created', 'Web chat started', clara[0]?.id, session],
        ['conversation_ended', 'Web chat ended', clara[0]?.id, session],
      ],
    );
  });

  test('the entries follow the lead: another agent sees none of them', async () => {
    const lead = await api.create(ada, 'leads', { contact_person: 'Private Person' });
    await api.create(ada, 'conversations', { channel: 'voice', lead_id: lead.id });
    const bob = await t.user('agent');
    assert.equal((await timeline(lead.id)).length, 1);
    assert.deepEqual(await api.list(bob, `/api/v1/activities?lead_id=${lead.id}`), []);
  });
});
