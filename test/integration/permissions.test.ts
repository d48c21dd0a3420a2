/**
 * The role matrix: every role against every resource and verb. Row-level security in PostgreSQL
 * is what enforces it; these tests go through the HTTP API as each role would.
 *
 * Cast: an admin; a manager with agent Ann in their team; agent Bob outside it; a viewer.
 * Ann owns a lead with a record of every kind attached; Bob owns one; one lead is in the pool.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

type Headers = Record<string, string>;

describe('who may do what', () => {
  let t: TestApp;
  let manager: TestUser;
  let ann: TestUser;
  let bob: TestUser;
  let viewer: TestUser;
  let annLead: string;
  let bobLead: string;
  let poolLead: string;
  /** resource -> id of a record attached to Ann's lead */
  const annRecords: Record<string, string> = {};
  let stageId: string;

  const call = async (headers: Headers, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) => {
    const response = await t.app.inject({ method, url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: response.statusCode, body: response.body ? response.json() : undefined };
  };
  const created = async (headers: Headers, url: string, payload: unknown): Promise<string> => {
    const response = await call(headers, 'POST', url, payload);
    assert.equal(response.status, 201, `${url}: ${JSON.stringify(response.body)}`);
    return response.body.id as string;
  };

  before(async () => {
    t = await createTestApp();
    manager = await t.user('manager', { name: 'Maya Manager' });
    ann = await t.user('agent', { managerId: manager.id, name: 'Ann Agent' });
    bob = await t.user('agent', { name: 'Bob Agent' });
    viewer = await t.user('viewer');
    annLead = await created(ann.headers, '/api/v1/leads', { contact_person: 'Ann Prospect', email: 'ann.prospect@example.com' });
    bobLead = await created(bob.headers, '/api/v1/leads', { contact_person: 'Bob Prospect', email: 'bob.prospect@example.com' });
    poolLead = await created(t.admin.headers, '/api/v1/leads', { contact_person: 'Pool Prospect', agent_id: null });
    stageId = (await call(t.admin.headers, 'GET', '/api/v1/pipeline_stages')).body.data[1].id;

    const start = new Date(Date.now() + 86_400_000);
    const end = new Date(start.getTime() + 1_800_000);
    annRecords.notes = await created(ann.headers, '/api/v1/notes', { lead_id: annLead, body: 'Ann private note' });
    annRecords.activities = await created(ann.headers, '/api/v1/activities', { lead_id: annLead, activity_type: 'email', subject: 'Sent pricing' });
    annRecords.follow_ups = await created(ann.headers, '/api/v1/follow_ups', { lead_id: annLead, due_date: start.toISOString() });
    annRecords.meetings = await created(ann.headers, '/api/v1/meetings', {
      lead_id: annLead,
      title: 'Demo',
      start_time: start.toISOString(),
      end_time: end.toISOString(),
    });
    annRecords.todos = await created(ann.headers, '/api/v1/todos', { lead_id: annLead, title: 'Send contract' });
    annRecords.calls = await created(ann.headers, '/api/v1/calls', { lead_id: annLead, call_type: 'manual', transcript: 'ann secret transcript' });
    annRecords.opportunities = await created(ann.headers, '/api/v1/opportunities', { lead_id: annLead, name: 'Ann deal', amount: 1000 });
  });
  after(async () => {
    await t.close();
  });

  describe('leads', () => {
    const visibleLeads = async (user: TestUser | { headers: Headers }) =>
      new Set<string>((await call(user.headers, 'GET', '/api/v1/leads?limit=500')).body.data.map((lead: { id: string }) => lead.id));

    test('admin and viewer see every lead; the manager sees the team and the pool; an agent sees their own and the pool', async () => {
      for (const who of [t.admin, viewer]) {
        const seen = await visibleLeads(who);
        assert.ok(seen.has(annLead) && seen.has(bobLead) && seen.has(poolLead));
      }
      const managerSees = await visibleLeads(manager);
      assert.ok(managerSees.has(annLead) && managerSees.has(poolLead));
      assert.equal(managerSees.has(bobLead), false);
      const annSees = await visibleLeads(ann);
      assert.ok(annSees.has(annLead) && annSees.has(poolLead));
      assert.equal(annSees.has(bobLead), false);
      const bobSees = await visibleLeads(bob);
      assert.ok(bobSees.has(bobLead) && bobSees.has(poolLead));
      assert.equal(bobSees.has(annLead), false);
    });

    test("an agent cannot read another agent's lead by id, by filter or by search", async () => {
      assert.equal((await call(bob.headers, 'GET', `/api/v1/leads/${annLead}`)).status, 404);
      assert.equal((await call(bob.headers, 'GET', `/api/v1/leads?agent_id=${ann.id}`)).body.data.length, 0);
      assert.equal((await call(bob.headers, 'GET', '/api/v1/leads?q=ann')).body.data.length, 0);
      assert.equal((await call(bob.headers, 'GET', '/api/v1/leads?email=ann.prospect%40example.com')).body.data.length, 0);
      assert.equal((await call(ann.headers, 'GET', '/api/v1/leads?q=ann')).body.data.length, 1);
    });

    test("an agent cannot change, delete, restore or take over another agent's lead", async () => {
      assert.equal((await call(bob.headers, 'PATCH', `/api/v1/leads/${annLead}`, { notes: 'mine now' })).status, 404);
      assert.equal((await call(bob.headers, 'DELETE', `/api/v1/leads/${annLead}`)).status, 404);
      assert.equal((await call(bob.headers, 'POST', `/api/v1/leads/${annLead}/restore`)).status, 404);
      assert.equal((await call(bob.headers, 'PATCH', `/api/v1/leads/${bobLead}`, { agent_id: ann.id })).status, 403, 'cannot hand a lead to someone outside their reach');
      const lead = (await call(t.admin.headers, 'GET', `/api/v1/leads/${annLead}`)).body;
      assert.equal(lead.notes, null);
      assert.equal(lead.deleted_at, null);
    });

    test('the manager changes the team\'s leads but not others\'', async () => {
      assert.equal((await call(manager.headers, 'PATCH', `/api/v1/leads/${annLead}`, { pipeline_stage_id: stageId })).status, 200);
      assert.equal((await call(manager.headers, 'PATCH', `/api/v1/leads/${bobLead}`, { pipeline_stage_id: stageId })).status, 404);
    });

    test('pool leads are open to every agent, who claims one by taking it', async () => {
      assert.equal((await call(bob.headers, 'GET', `/api/v1/leads/${poolLead}`)).status, 200);
      assert.equal((await call(bob.headers, 'POST', `/api/v1/leads/${poolLead}/claim`)).status, 200);
      assert.equal((await call(ann.headers, 'GET', `/api/v1/leads/${poolLead}`)).status, 404, 'claimed: no longer in the pool');
    });

    test('a viewer reads but cannot create, change or delete', async () => {
      assert.equal((await call(viewer.headers, 'GET', `/api/v1/leads/${annLead}`)).status, 200);
      assert.equal((await call(viewer.headers, 'POST', '/api/v1/leads', { contact_person: 'x' })).status, 403);
      assert.equal((await call(viewer.headers, 'PATCH', `/api/v1/leads/${annLead}`, { notes: 'x' })).status, 403);
      assert.equal((await call(viewer.headers, 'DELETE', `/api/v1/leads/${annLead}`)).status, 403);
      const key = await t.apiKey('viewer');
      assert.equal((await call(key.headers, 'POST', '/api/v1/leads', { contact_person: 'x' })).status, 403, 'API keys obey their role too');
    });
  });

  describe('records attached to a lead follow the lead', () => {
    const resources = ['notes', 'activities', 'follow_ups', 'meetings', 'todos', 'calls', 'opportunities'];

    for (const resource of resources) {
      test(`${resource}: the owner, the manager, admins and viewers see it; another agent cannot read, list, change or delete it`, async () => {
        const id = annRecords[resource];
        for (const who of [ann, manager, t.admin, viewer]) {
          assert.equal((await call(who.headers, 'GET', `/api/v1/${resource}/${id}`)).status, 200, `${who.email} reads ${resource}`);
        }
        assert.equal((await call(bob.headers, 'GET', `/api/v1/${resource}/${id}`)).status, 404);
        const listed = (await call(bob.headers, 'GET', `/api/v1/${resource}?lead_id=${annLead}`)).body.data;
        assert.equal(listed.length, 0);
        assert.equal((await call(bob.headers, 'PATCH', `/api/v1/${resource}/${id}`, {})).status, 404);
        assert.equal((await call(bob.headers, 'DELETE', `/api/v1/${resource}/${id}`)).status, 404);
        assert.equal((await call(viewer.headers, 'DELETE', `/api/v1/${resource}/${id}`)).status, 403);
      });
    }

    test("an agent cannot attach records to another agent's lead", async () => {
      // A lead Bob cannot see reads as one that does not exist: the same 422, so ids leak nothing.
      const attempt = await call(bob.headers, 'POST', '/api/v1/notes', { lead_id: annLead, body: 'sneaky' });
      assert.equal(attempt.status, 422);
      assert.equal(attempt.body.code, 'invalid_reference');
      const notes = (await call(ann.headers, 'GET', `/api/v1/notes?lead_id=${annLead}`)).body.data;
      assert.ok(notes.every((note: { body: string }) => note.body !== 'sneaky'), 'nothing was written');
    });

    test("call transcripts of another agent's lead never show up in a search", async () => {
      assert.equal((await call(bob.headers, 'GET', '/api/v1/calls?q=secret')).body.data.length, 0);
      assert.equal((await call(ann.headers, 'GET', '/api/v1/calls?q=secret')).body.data.length, 1);
    });

    test("another agent's lead activity never reaches an export", async () => {
      const response = await t.app.inject({ method: 'GET', url: '/api/v1/leads/export.csv', headers: bob.headers });
      assert.equal(response.statusCode, 200);
      assert.doesNotMatch(response.body, /Ann Prospect/);
    });
  });

  describe('admin-only areas', () => {
    const nonAdmins = () => [manager, ann, viewer];

    test('only admins create users, see API keys and read the audit trail', async () => {
      for (const who of nonAdmins()) {
        assert.equal((await call(who.headers, 'POST', '/api/v1/users', { email: `x-${who.id}@t.local`, full_name: 'X', role: 'agent', password: 'long-enough-pw' })).status, 403);
        assert.equal((await call(who.headers, 'GET', '/api/v1/api_keys')).status, 403);
        assert.equal((await call(who.headers, 'POST', '/api/v1/api_keys', { name: 'x', role: 'admin' })).status, 403);
        assert.equal((await call(who.headers, 'GET', '/api/v1/admin_audit')).status, 403);
        assert.equal((await call(who.headers, 'PATCH', `/api/v1/users/${bob.id}`, { role: 'admin' })).status, 403);
      }
      assert.equal((await call(t.admin.headers, 'GET', '/api/v1/admin_audit')).status, 200);
    });

    test('only admins change pipeline stages, scoring rules and Clara\'s settings; everyone reads them', async () => {
      for (const who of nonAdmins()) {
        assert.equal((await call(who.headers, 'GET', '/api/v1/pipeline_stages')).status, 200);
        assert.equal((await call(who.headers, 'PATCH', `/api/v1/pipeline_stages/${stageId}`, { win_probability: 99 })).status, 403);
        assert.equal((await call(who.headers, 'GET', '/api/v1/lead_scoring_criteria')).status, 200);
        assert.equal((await call(who.headers, 'PATCH', '/api/v1/lead_scoring_criteria/need_stated', { points: 100 })).status, 403);
        assert.equal((await call(who.headers, 'PATCH', '/api/v1/agent/settings', { agent_name: 'Hacked' })).status, 403);
      }
      assert.equal((await call(t.admin.headers, 'PATCH', '/api/v1/lead_scoring_criteria/need_stated', { points: 16 })).status, 200);
    });

    test('users read the directory but change nobody', async () => {
      assert.equal((await call(ann.headers, 'GET', '/api/v1/users')).status, 200);
      assert.equal((await call(ann.headers, 'PATCH', `/api/v1/users/${ann.id}`, { role: 'admin' })).status, 403);
    });
  });

  describe('personal records', () => {
    test('notifications are each user\'s own', async () => {
      const mine = await call(ann.headers, 'GET', '/api/v1/notifications');
      assert.equal(mine.status, 200);
      for (const notification of mine.body.data) assert.equal(notification.user_id, ann.id);
    });
  });
});
