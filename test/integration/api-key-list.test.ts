import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { assertProblem, crmApi, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * GET /api/v1/api_keys keeps the list contract of every other resource (issue 2): limit + cursor,
 * {data, next_cursor}, sorts and filters, through the shared list engine.
 */
describe('the API key list', () => {
  let t: TestApp;
  let api: CrmApi;
  const created: { id: string; name: string; role: string; key: string }[] = [];
  let otherAdminKeyId: string;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    const roles = ['agent', 'viewer', 'manager', 'admin', 'agent'];
    for (const [i, role] of roles.entries()) {
      const key = await api.create(t.admin, 'api_keys', { name: `Integration ${String.fromCharCode(69 - i)}`, role });
      created.push({ id: key.id, name: key.name, role, key: key.key });
    }
    // One more, made by another admin, to filter by creator.
    const other = await t.user('admin');
    otherAdminKeyId = (await api.create(other, 'api_keys', { name: 'Made by another admin', role: 'agent' })).id;
  });
  after(async () => {
    await t.close();
  });

  /** Every key, newest first, as the owner sees the table. */
  async function allIds(order: 'created' | 'name'): Promise<string[]> {
    const { rows } = order === 'created'
      ? await sql<{ id: string }>`SELECT id FROM api_keys ORDER BY created_at DESC, id DESC`.execute(t.database.db)
      : await sql<{ id: string }>`SELECT id FROM api_keys ORDER BY name ASC, id ASC`.execute(t.database.db);
    return rows.map((row) => row.id);
  }

  test('pages newest first by cursor, each key with its role and never its secret', async () => {
    const ids = await api.pageThrough(t.admin, '/api/v1/api_keys', 2);
    assert.deepEqual(ids, await allIds('created'));
    const page = await api.get(t.admin, '/api/v1/api_keys?limit=2');
    assert.equal(page.statusCode, 200, page.body);
    const body = page.json();
    assert.equal(body.data.length, 2);
    assert.equal(typeof body.next_cursor, 'string');
    const everything = await api.list(t.admin, '/api/v1/api_keys?limit=500');
    for (const key of created) {
      const listed = everything.find((row) => row.id === key.id);
      assert.ok(listed, key.name);
      assert.equal(listed.role, key.role, 'the role of the key user');
      assert.equal('key_hash' in listed, false);
    }
    const text = JSON.stringify(everything);
    for (const key of created) assert.equal(text.includes(key.key), false, 'the key itself is never listed');
  });

  test('sorts by name both ways and filters by creator', async () => {
    assert.deepEqual(await api.pageThrough(t.admin, '/api/v1/api_keys?sort=name', 2), await allIds('name'));
    assert.deepEqual(await api.pageThrough(t.admin, '/api/v1/api_keys?sort=-name', 3), (await allIds('name')).reverse());
    const mine = await api.list(t.admin, `/api/v1/api_keys?created_by=${t.admin.id}&limit=500`);
    assert.deepEqual(mine.map((row) => row.id).sort(), created.map((key) => key.id).sort());
    assert.equal(mine.some((row) => row.id === otherAdminKeyId), false);
  });

  test('revoked keys stay listed with their revocation time, and can be found by it', async () => {
    const revoked = created[1] as (typeof created)[number];
    assert.equal((await api.delete(t.admin, `/api/v1/api_keys/${revoked.id}`)).statusCode, 204);
    const listed = await api.list(t.admin, '/api/v1/api_keys?limit=500');
    assert.ok(listed.find((row) => row.id === revoked.id)?.revoked_at);
    const found = await api.list(t.admin, '/api/v1/api_keys?revoked_at_from=2000-01-01');
    assert.deepEqual(found.map((row) => row.id), [revoked.id]);
  });

  test('bad list parameters are 400s, other roles 403s', async () => {
    assertProblem(await api.get(t.admin, '/api/v1/api_keys?cursor=not-a-cursor'), 400, 'bad_request');
    assertProblem(await api.get(t.admin, '/api/v1/api_keys?sort=key_hash'), 400, 'validation_failed');
    assertProblem(await api.get(t.admin, '/api/v1/api_keys?limit=0'), 400, 'validation_failed');
    assertProblem(await api.get(t.admin, '/api/v1/api_keys?nope=1'), 400, 'validation_failed');
    assertProblem(await api.get(t.admin, '/api/v1/api_keys?created_by=someone'), 400, 'bad_request');
    for (const role of ['manager', 'agent', 'viewer'] as const) {
      const user = await t.user(role);
      assertProblem(await api.get(user, '/api/v1/api_keys'), 403, 'forbidden');
    }
  });

  test('the OpenAPI document gives it the list parameters and envelope', async () => {
    const spec = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    const list = spec.paths['/api/v1/api_keys'].get;
    const names = list.parameters.map((p: { name: string }) => p.name);
    for (const name of ['limit', 'cursor', 'sort', 'created_by', 'user_id', 'created_at_from']) assert.ok(names.includes(name), name);
    const schema = list.responses['200'].content['application/json'].schema;
    assert.deepEqual(Object.keys(schema.properties).sort(), ['data', 'next_cursor']);
  });
});
