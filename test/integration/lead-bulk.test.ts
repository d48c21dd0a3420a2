import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('bulk lead actions and claiming', () => {
  let t: TestApp;
  let agent: TestUser;
  let otherAgent: TestUser;
  let viewer: TestUser;
  let stages: { id: string; name: string }[];
  let aiId: string;

  before(async () => {
    t = await createTestApp();
    agent = await t.user('agent');
    otherAgent = await t.user('agent');
    viewer = await t.user('viewer');
    stages = await t.database.db.selectFrom('pipeline_stages').select(['id', 'name']).orderBy('order_position').execute();
    aiId = (await t.database.db.selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow()).id;
  });
  after(async () => {
    await t.close();
  });

  const createLead = async (as: { headers: Record<string, string> }, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: as.headers, payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string } & Record<string, unknown>;
  };
  const bulk = (as: { headers: Record<string, string> }, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: '/api/v1/leads/bulk', headers: as.headers, payload });
  const claim = (as: { headers: Record<string, string> }, id: string) =>
    t.app.inject({ method: 'POST', url: `/api/v1/leads/${id}/claim`, headers: as.headers });
  const stored = (ids: string[]) =>
    t.database.db
      .selectFrom('leads')
      .select(['id', 'agent_id', 'pipeline_stage_id', 'tags', 'deleted_at', 'updated_at'])
      .where('id', 'in', ids)
      .orderBy('id')
      .execute();
  const timeline = async (id: string) =>
    (await t.database.db.selectFrom('activities').select('activity_type').where('lead_id', '=', id).orderBy('created_at').execute()).map(
      (a) => a.activity_type,
    );

  test('moves, tags, trashes and restores many leads, reporting the ids it could not touch', async () => {
    const a = await createLead(agent, { contact_person: 'Bulk A', tags: ['east'] });
    const b = await createLead(agent, { contact_person: 'Bulk B', tags: ['west', 'vip'] });
    const theirs = await createLead(otherAgent, { contact_person: 'Bulk Theirs' });
    const unknown = '00000000-0000-4000-8000-000000000000';
    const proposal = stages.find((s) => s.name === 'Proposal Sent')!;

    const moved = await bulk(agent, { ids: [a.id, b.id, theirs.id, unknown, a.id], action: 'move_stage', pipeline_stage_id: proposal.id });
    assert.equal(moved.statusCode, 200, moved.body);
    assert.deepEqual(moved.json(), { updated: 2, not_found: [theirs.id, unknown] });
    const afterMove = await stored([a.id, b.id, theirs.id]);
    assert.deepEqual(
      afterMove.map((lead) => lead.pipeline_stage_id === proposal.id),
      afterMove.map((lead) => lead.id !== theirs.id),
      "another agent's lead does not move",
    );
    assert.ok((await timeline(a.id)).includes('stage_changed'));

    const tagged = await bulk(agent, { ids: [a.id, b.id], action: 'add_tags', tags: ['vip', 'q3', 'vip'] });
    assert.deepEqual(tagged.json(), { updated: 2, not_found: [] });
    const afterTags = Object.fromEntries((await stored([a.id, b.id])).map((lead) => [lead.id, lead.tags]));
    assert.deepEqual(afterTags[a.id], ['east', 'vip', 'q3']);
    assert.deepEqual(afterTags[b.id], ['west', 'vip', 'q3'], 'existing tags are not repeated');

    const trashed = await bulk(agent, { ids: [a.id, theirs.id], action: 'delete' });
    assert.deepEqual(trashed.json(), { updated: 1, not_found: [theirs.id] });
    const twice = await bulk(agent, { ids: [a.id, b.id], action: 'delete' });
    assert.deepEqual(twice.json(), { updated: 1, not_found: [a.id] }, 'a trashed lead cannot be trashed again');
    const tagTrashed = await bulk(agent, { ids: [a.id], action: 'add_tags', tags: ['x'] });
    assert.deepEqual(tagTrashed.json(), { updated: 0, not_found: [a.id] });

    const restored = await bulk(agent, { ids: [a.id, b.id, theirs.id], action: 'restore' });
    assert.deepEqual(restored.json(), { updated: 2, not_found: [theirs.id] });
    assert.ok((await stored([a.id, b.id])).every((lead) => lead.deleted_at === null));
    assert.deepEqual((await timeline(a.id)).slice(-2), ['lead_deleted', 'lead_restored']);
    assert.equal((await stored([theirs.id]))[0]!.deleted_at, null);
  });

  test('assigns leads within what row-level security allows, all or nothing', async () => {
    const manager = await t.user('manager');
    const report = await t.user('agent', { managerId: manager.id });
    const x = await createLead(manager, { contact_person: 'Assign X' });
    const y = await createLead(manager, { contact_person: 'Assign Y' });

    const assigned = await bulk(manager, { ids: [x.id, y.id], action: 'assign', agent_id: report.id });
    assert.deepEqual(assigned.json(), { updated: 2, not_found: [] });
    assert.ok((await stored([x.id, y.id])).every((lead) => lead.agent_id === report.id));
    assert.ok((await timeline(x.id)).includes('lead_assigned'));

    const before = await stored([x.id, y.id]);
    const outsideTeam = await bulk(manager, { ids: [x.id, y.id], action: 'assign', agent_id: otherAgent.id });
    assert.equal(outsideTeam.statusCode, 403, outsideTeam.body);
    assert.deepEqual(await stored([x.id, y.id]), before, 'nothing changed');

    const toViewer = await bulk(manager, { ids: [x.id], action: 'assign', agent_id: viewer.id });
    assert.equal(toViewer.statusCode, 422, toViewer.body);
    assert.equal(toViewer.json().code, 'invalid_agent');

    const toPool = await bulk(report, { ids: [x.id], action: 'assign', agent_id: null });
    assert.deepEqual(toPool.json(), { updated: 1, not_found: [] }, 'an agent may hand a lead back to the pool');
    assert.equal((await stored([x.id]))[0]!.agent_id, null);
  });

  test('a viewer gets 403; invalid bodies get 400; a missing stage 422', async () => {
    const lead = await createLead(agent, { contact_person: 'Viewer target' });
    const before = await stored([lead.id]);
    const asViewer = await bulk(viewer, { ids: [lead.id], action: 'delete' });
    assert.equal(asViewer.statusCode, 403, asViewer.body);
    assert.deepEqual(await stored([lead.id]), before);

    const invalid: Record<string, unknown>[] = [
      { ids: [], action: 'delete' },
      { ids: Array.from({ length: 501 }, () => lead.id), action: 'delete' },
      { ids: [lead.id], action: 'explode' },
      { ids: [lead.id], action: 'move_stage' },
      { ids: [lead.id], action: 'add_tags', tags: [] },
      { ids: [lead.id], action: 'delete', agent_id: agent.id },
      { ids: ['not-a-uuid'], action: 'delete' },
    ];
    for (const payload of invalid) {
      const response = await bulk(agent, payload);
      assert.equal(response.statusCode, 400, `${JSON.stringify(payload).slice(0, 80)} -> ${response.body}`);
    }
    const noStage = await bulk(agent, { ids: [lead.id], action: 'move_stage', pipeline_stage_id: '00000000-0000-4000-8000-000000000000' });
    assert.equal(noStage.statusCode, 422, noStage.body);
    assert.deepEqual(await stored([lead.id]), before);
  });

  test('an agent claims a pool lead; a lead owned by a person cannot be claimed', async () => {
    const unassigned = await createLead(t.admin, { contact_person: 'Pool unassigned', agent_id: null });
    const aiOwned = await createLead(t.admin, { contact_person: 'Pool AI', agent_id: aiId });

    const first = await claim(agent, unassigned.id);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().agent_id, agent.id);
    assert.ok((await timeline(unassigned.id)).includes('lead_assigned'));
    const again = await claim(agent, unassigned.id);
    assert.equal(again.statusCode, 200, 'claiming your own lead again is harmless');

    const fromAi = await claim(agent, aiOwned.id);
    assert.equal(fromAi.statusCode, 200, fromAi.body);
    assert.equal(fromAi.json().agent_id, agent.id);

    const taken = await claim(otherAgent, unassigned.id);
    assert.equal(taken.statusCode, 404, 'another agent no longer sees it');
    const byAdmin = await claim(t.admin, unassigned.id);
    assert.equal(byAdmin.statusCode, 409, byAdmin.body);
    assert.equal(byAdmin.json().code, 'conflict');

    const manager = await t.user('manager');
    const report = await t.user('agent', { managerId: manager.id });
    const teamLead = await createLead(report, { contact_person: 'Team owned' });
    assert.equal((await claim(manager, teamLead.id)).statusCode, 409);
    assert.equal((await claim(viewer, aiOwned.id)).statusCode, 403);
    assert.equal((await stored([aiOwned.id]))[0]!.agent_id, agent.id);
  });
});
