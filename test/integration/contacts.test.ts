import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertProblem, assertRejectedWithoutWrites, crmApi, NO_SUCH_ID, type ApiRecord, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('contacts API', () => {
  let t: TestApp;
  let api: CrmApi;
  let agent: TestUser;
  let client: ApiRecord;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    agent = await t.user('agent');
    client = await api.create(agent, 'clients', { client_name: 'Umbrella' });
  });
  after(async () => {
    await t.close();
  });

  test('creates a contact at a client with an E.164 phone, owned by the caller', async () => {
    const contact = await api.create(agent, 'contacts', {
      client_id: client.id,
      full_name: 'Alice Wong',
      phone: '415.555.0142',
      email: 'Alice@Umbrella.Example',
      job_title: 'CTO',
      is_primary: true,
    });
    assert.equal(contact.phone, '+14155550142');
    assert.equal(contact.email, 'alice@umbrella.example');
    assert.equal(contact.agent_id, agent.id);
    assert.equal(contact.created_by, agent.id);
    assert.equal(contact.is_primary, true);
    assert.deepEqual((await api.get(agent, `/api/v1/contacts/${contact.id}`)).json(), contact);
  });

  test("lists a client's contacts and pages through them by name", async () => {
    const other = await api.create(agent, 'clients', { client_name: 'Other' });
    for (const name of ['Carol', 'Bob', 'Dave', 'Erin']) {
      await api.create(agent, 'contacts', { client_id: other.id, full_name: name });
    }
    await api.create(agent, 'contacts', { full_name: 'Unattached' });
    const ofClient = await api.list(agent, `/api/v1/contacts?client_id=${other.id}&sort=full_name`);
    assert.deepEqual(ofClient.map((c) => c.full_name), ['Bob', 'Carol', 'Dave', 'Erin']);
    const unattached = await api.list(agent, '/api/v1/contacts?client_id=null');
    assert.deepEqual(unattached.map((c) => c.full_name), ['Unattached']);
    const primary = await api.list(agent, '/api/v1/contacts?is_primary=true');
    assert.deepEqual(primary.map((c) => c.full_name), ['Alice Wong']);

    const ids = await api.pageThrough(agent, `/api/v1/contacts?client_id=${other.id}&sort=-full_name`, 3);
    assert.deepEqual(ids, [...ofClient].reverse().map((c) => c.id));
  });

  test('updates, trashes and restores a contact', async () => {
    const contact = await api.create(agent, 'contacts', { full_name: 'Frank' });
    const updated = await api.patch(agent, `/api/v1/contacts/${contact.id}`, { job_title: 'VP Sales', client_id: client.id, phone: null });
    assert.equal(updated.statusCode, 200, updated.body);
    assert.equal(updated.json().job_title, 'VP Sales');
    assert.equal(updated.json().client_id, client.id);

    assert.equal((await api.delete(agent, `/api/v1/contacts/${contact.id}`)).statusCode, 204);
    assertProblem(await api.delete(agent, `/api/v1/contacts/${contact.id}`), 404, 'not_found');
    assert.ok((await api.list(agent, '/api/v1/contacts?deleted=only')).some((c) => c.id === contact.id));
    assert.equal((await api.post(agent, `/api/v1/contacts/${contact.id}/restore`)).statusCode, 200);
    assert.ok((await api.list(agent, '/api/v1/contacts?limit=500')).some((c) => c.id === contact.id));
  });

  test('rejects bad input with a problem+json 4xx and writes nothing', async () => {
    await assertRejectedWithoutWrites(api, agent, ['contacts', 'admin_audit'], [
      { url: '/api/v1/contacts', payload: { full_name: 'X', nickname: 'x' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/contacts', payload: { full_name: 'X', is_primary: 'yes' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/contacts', payload: { email: 'no-name@example.com' }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/contacts', payload: { full_name: 'X'.repeat(201) }, status: 400, code: 'validation_failed' },
      { url: '/api/v1/contacts', payload: { full_name: 'X', phone: 'call me' }, status: 422, code: 'invalid_phone' },
      { url: '/api/v1/contacts', payload: { full_name: 'X', client_id: NO_SUCH_ID }, status: 422, code: 'invalid_reference' },
      { method: 'GET', url: '/api/v1/contacts?is_primary=maybe', payload: undefined, status: 400, code: 'bad_request' },
    ]);
  });
});
