import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, assertRejectedWithoutWrites, crmApi, NO_SUCH_ID, type ApiRecord, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('opportunities API', () => {
  let t: TestApp;
  let api: CrmApi;
  let agent: TestUser;
  let lead: ApiRecord;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    agent = await t.user('agent');
    lead = await api.create(agent, 'leads', { contact_person: 'Opportunity Lead', company_name: 'Vandelay' });
  });
  after(async () => {
    await t.close();
  });

  test("creates an opportunity on a lead, owned by the caller, and it shows on the lead's timeline", async () => {
    const stages = await api.list(agent, '/api/v1/pipeline_stages');
    const opportunity = await api.create(agent, 'opportunities', {
      name: 'Vandelay - import deal',
      lead_id: lead.id,
      pipeline_stage_id: stages[4]?.id,
      amount: 125000.5,
      currency: 'EUR',
      close_date: '2030-06-30',
      probability: 60,
    });
    assert.equal(opportunity.agent_id, agent.id);
    assert.equal(opportunity.created_by, agent.id);
    assert.equal(opportunity.amount, 125000.5);
    assert.equal(opportunity.status, 'open');
    assert.equal(opportunity.close_date, '2030-06-30');
    assert.deepEqual((await api.get(agent, `/api/v1/opportunities/${opportunity.id}`)).json(), opportunity);

    const timeline = await api.list(agent, `/api/v1/activities?lead_id=${lead.id}&activity_type=opportunity_created`);
    assert.equal(timeline.length, 1);
  });

  test("lists a lead's opportunities and pages through them by amount, empty amounts last", async () => {
    const other = await api.create(agent, 'leads', { contact_person: 'Paged Lead' });
    for (const amount of [300, null, 100, 200, null]) {
      await api.create(agent, 'opportunities', { name: `Deal ${amount}`, lead_id: other.id, amount });
    }
    const ofLead = await api.list(agent, `/api/v1/opportunities?lead_id=${other.id}&sort=amount`);
    assert.deepEqual(ofLead.map((o) => o.amount), [100, 200, 300, null, null]);
    for (const sort of ['amount', '-amount', 'name', '-created_at']) {
      const ids = await api.pageThrough(agent, `/api/v1/opportunities?lead_id=${other.id}&sort=${sort}`);
      assert.equal(new Set(ids).size, 5, sort);
    }
    assert.equal((await api.list(agent, `/api/v1/opportunities?lead_id=${other.id}&status=won`)).length, 0);
  });

  test('marks an opportunity lost with a reason, trashes and restores it', async () => {
    const opportunity = await api.create(agent, 'opportunities', { name: 'Lost cause', lead_id: lead.id });
    const lost = await api.patch(agent, `/api/v1/opportunities/${opportunity.id}`, { status: 'lost', lost_reason: 'Budget cut' });
    assert.equal(lost.statusCode, 200, lost.body);
    assert.equal(lost.json().status, 'lost');
    assert.equal((await api.list(agent, `/api/v1/opportunities?status=lost`)).length, 1);

    assert.equal((await api.delete(agent, `/api/v1/opportunities/${opportunity.id}`)).statusCode, 204);
    assertProblem(await api.get(agent, `/api/v1/opportunities/${NO_SUCH_ID}`), 404, 'not_found');
    assert.equal((await api.list(agent, `/api/v1/opportunities?status=lost`)).length, 0);
    assert.equal((await api.post(agent, `/api/v1/opportunities/${opportunity.id}/restore`)).statusCode, 200);
    assert.equal((await api.list(agent, `/api/v1/opportunities?status=lost`)).length, 1);
  });

  test('rejects bad input with a problem+json 4xx and writes nothing', async () => {
    await assertRejectedWithoutWrites(api, agent, ['opportunities', 'activities'], [
      { url: '/api/v1/opportunities', payload: { name: 'X', stage: 'won' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { name: 'X', amount: '100' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { name: 'X', amount: -5 }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { name: 'X', currency: 'euro' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { name: 'X', probability: 101 }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { name: 'X', status: 'pending' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { name: 'X', close_date: '2030-02-30' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { lead_id: lead.id }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/opportunities', payload: { name: 'X', lead_id: NO_SUCH_ID }, status: 422, code: 'invalid_reference' },
      { url: '/api/v1/opportunities', payload: { name: 'X', pipeline_stage_id: NO_SUCH_ID }, status: 422, code: 'invalid_reference' },
      { method: 'GET', url: '/api/v1/opportunities?status=pending', payload: undefined, status: 400, code: 'bad_request' },
    ]);
  });
});
