import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, assertRejectedWithoutWrites, crmApi, NO_SUCH_ID, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('clients API', () => {
  let t: TestApp;
  let api: CrmApi;
  let agent: TestUser;
  let otherAgent: TestUser;
  let viewer: TestUser;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    agent = await t.user('agent');
    otherAgent = await t.user('agent');
    viewer = await t.user('viewer');
  });
  after(async () => {
    await t.close();
  });

  test('creates a client owned by the caller, with a normalised phone and email', async () => {
    const client = await api.create(agent, 'clients', {
      client_name: 'Initech',
      phone: '(415) 555-0199',
      email: 'Sales@Initech.Example',
      company_size: 250,
      industry: 'Software',
    });
    assert.equal(client.phone, '+14155550199');
    assert.equal(client.email, 'sales@initech.example');
    assert.equal(client.agent_id, agent.id);
    assert.equal(client.created_by, agent.id);
    assert.equal(client.deleted_at, null);

    const fetched = await api.get(agent, `/api/v1/clients/${client.id}`);
    assert.equal(fetched.statusCode, 200);
    assert.deepEqual(fetched.json(), client);
  });

  test('lists clients by owner and pages through every sort without gaps or repeats', async () => {
    for (const [i, size] of [10, null, 30, null, 50].entries()) {
      await api.create(otherAgent, 'clients', { client_name: `Paged ${i}`, company_size: size });
    }
    const owned = await api.list(t.admin, `/api/v1/clients?agent_id=${otherAgent.id}&limit=100`);
    assert.equal(owned.length, 5);
    assert.ok(owned.every((client) => client.agent_id === otherAgent.id));

    for (const sort of ['client_name', '-client_name', 'company_size', '-company_size', '-created_at']) {
      const ids = await api.pageThrough(t.admin, `/api/v1/clients?agent_id=${otherAgent.id}&sort=${sort}`);
      assert.equal(ids.length, 5, sort);
      assert.equal(new Set(ids).size, 5, `${sort} repeats nothing`);
    }
    const byName = await api.list(t.admin, `/api/v1/clients?agent_id=${otherAgent.id}&sort=-client_name`);
    assert.deepEqual(byName.map((client) => client.client_name), ['Paged 4', 'Paged 3', 'Paged 2', 'Paged 1', 'Paged 0']);
  });

  test('an agent does not see another agent\'s client; a viewer sees it but cannot write', async () => {
    const client = await api.create(otherAgent, 'clients', { client_name: 'Private Co' });
    assertProblem(await api.get(agent, `/api/v1/clients/${client.id}`), 404, 'not_found');
    assert.equal((await api.get(viewer, `/api/v1/clients/${client.id}`)).statusCode, 200);
    assertProblem(await api.post(viewer, '/api/v1/clients', { client_name: 'Nope' }), 403, 'forbidden');
    assertProblem(await api.patch(viewer, `/api/v1/clients/${client.id}`, { city: 'Nope' }), 403, 'forbidden');
  });

  test('updates a client, and PATCH leaves other fields alone', async () => {
    const client = await api.create(agent, 'clients', { client_name: 'Hooli', city: 'Palo Alto' });
    const response = await api.patch(agent, `/api/v1/clients/${client.id}`, { website: 'https://hooli.example', phone: '+44 20 7946 0958' });
    assert.equal(response.statusCode, 200, response.body);
    const updated = response.json();
    assert.equal(updated.website, 'https://hooli.example');
    assert.equal(updated.phone, '+442079460958');
    assert.equal(updated.city, 'Palo Alto');
  });

  test('soft-deletes to the trash and restores', async () => {
    const client = await api.create(agent, 'clients', { client_name: 'Trashable' });
    assert.equal((await api.delete(agent, `/api/v1/clients/${client.id}`)).statusCode, 204);
    const live = await api.list(agent, '/api/v1/clients?limit=500');
    assert.ok(!live.some((c) => c.id === client.id));
    const trash = await api.list(agent, '/api/v1/clients?deleted=only&limit=500');
    assert.ok(trash.some((c) => c.id === client.id));
    assertProblem(await api.patch(agent, `/api/v1/clients/${client.id}`, { city: 'Ghost' }), 404, 'not_found');
    const restored = await api.post(agent, `/api/v1/clients/${client.id}/restore`);
    assert.equal(restored.statusCode, 200);
    assert.equal(restored.json().deleted_at, null);
  });

  test('rejects bad input with a problem+json 4xx and writes nothing', async () => {
    const client = await api.create(agent, 'clients', { client_name: 'Untouched' });
    await assertRejectedWithoutWrites(api, agent, ['clients', 'admin_audit'], [
      { url: '/api/v1/clients', payload: { client_name: 'X', unknown_field: 1 }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/clients', payload: { client_name: 42 }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/clients', payload: { client_name: '   ' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/clients', payload: { industry: 'No name' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/clients', payload: { client_name: 'X', company_size: -1 }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/clients', payload: { client_name: 'X', email: 'not-an-email' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/clients', payload: { client_name: 'X', phone: '12' }, status: 422, code: 'invalid_phone' },
      { method: 'PATCH', url: `/api/v1/clients/${client.id}`, payload: { agent_id: 'nope' }, status: 400, code: 'validation_failed' },
      { method: 'PATCH', url: `/api/v1/clients/${NO_SUCH_ID}`, payload: { city: 'X' }, status: 404, code: 'not_found' },
      { method: 'GET', url: '/api/v1/clients?agent_id=not-a-uuid', payload: undefined, status: 400, code: 'bad_request' },
      { method: 'GET', url: '/api/v1/clients?sort=password', payload: undefined, status: 400, code: 'validation_failed' },
      { method: 'GET', url: '/api/v1/clients?cursor=garbage', payload: undefined, status: 400, code: 'bad_request' },
    ]);
    await assertRejectedWithoutWrites(api, t.admin, ['clients'], [
      { url: '/api/v1/clients', payload: { client_name: 'X', agent_id: NO_SUCH_ID }, status: 422, code: 'invalid_reference' },
    ]);
    // An agent may not hand a new client to someone else: row-level security refuses it.
    await assertRejectedWithoutWrites(api, agent, ['clients'], [
      { url: '/api/v1/clients', payload: { client_name: 'X', agent_id: otherAgent.id }, status: 403, code: 'forbidden' },
    ]);
    assert.equal((await api.get(agent, `/api/v1/clients/${client.id}`)).json().client_name, 'Untouched');
  });
});
