import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('leads API', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('creates a lead with a normalised phone and email, in the first pipeline stage', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: t.admin.headers,
      payload: { contact_person: 'Jane Roe', phone: '(415) 555-0123', email: 'Jane@Acme.COM', company_name: 'Acme' },
    });
    assert.equal(response.statusCode, 201, response.body);
    const lead = response.json();
    assert.equal(lead.phone, '+14155550123');
    assert.equal(lead.email, 'jane@acme.com');
    assert.equal(lead.agent_id, t.admin.id);
    assert.equal(lead.win_probability, 5, 'takes the New Lead stage probability');
    assert.ok(lead.pipeline_stage_id);
  });

  test('finds leads by name, company, email and phone digits', async () => {
    for (const q of ['jane', 'acme', 'jane@acme.com', '415 555 0123', '5550123', 'ja ro']) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/leads?q=${encodeURIComponent(q)}`, headers: t.admin.headers });
      assert.equal(response.statusCode, 200);
      assert.equal(response.json().data.length, 1, `search "${q}"`);
    }
    const none = await t.app.inject({ method: 'GET', url: '/api/v1/leads?q=zebra', headers: t.admin.headers });
    assert.equal(none.json().data.length, 0);
  });

  test('pages with a cursor through a sorted list without gaps or repeats', async () => {
    for (let i = 0; i < 7; i += 1) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/leads',
        headers: t.admin.headers,
        payload: { contact_person: `Page ${i}`, deal_value: i % 3 === 0 ? null : i * 100 },
      });
      assert.equal(response.statusCode, 201);
    }
    for (const sort of ['-created_at', 'deal_value', '-deal_value', 'contact_person']) {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const url: string = `/api/v1/leads?limit=3&sort=${sort}${cursor ? `&cursor=${cursor}` : ''}`;
        const page = (await t.app.inject({ method: 'GET', url, headers: t.admin.headers })).json();
        seen.push(...page.data.map((lead: { id: string }) => lead.id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.equal(seen.length, 8, `sort ${sort}`);
      assert.equal(new Set(seen).size, 8, `sort ${sort} repeats nothing`);
    }
  });

  test('rejects bad input with a problem+json 4xx and writes nothing', async () => {
    const before = (await t.app.inject({ method: 'GET', url: '/api/v1/leads?limit=500', headers: t.admin.headers })).json().data.length;
    const cases: { payload: string; status: number; code: string }[] = [
      { payload: '{"contact_person":', status: 400, code: 'malformed_json' },
      { payload: '{"contact_person":"x","unknown_field":1}', status: 400, code: 'validation_failed' },
      { payload: '{"contact_person":42}', status: 400, code: 'validation_failed' },
      { payload: '{"contact_person":"x","phone":"not a phone"}', status: 422, code: 'invalid_phone' },
      { payload: '{"contact_person":"x","pipeline_stage_id":"00000000-0000-0000-0000-000000000000"}', status: 422, code: 'invalid_reference' },
      { payload: '{}', status: 400, code: 'validation_failed' },
      { payload: `{"contact_person":"${'x'.repeat(2 * 1024 * 1024)}"}`, status: 413, code: 'payload_too_large' },
    ];
    for (const { payload, status, code } of cases) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/leads',
        headers: { ...t.admin.headers, 'content-type': 'application/json' },
        payload,
      });
      assert.equal(response.statusCode, status, `${payload.slice(0, 60)} -> ${response.body.slice(0, 200)}`);
      assert.match(response.headers['content-type'] as string, /application\/problem\+json/);
      assert.equal(response.json().code, code);
    }
    const afterCount = (await t.app.inject({ method: 'GET', url: '/api/v1/leads?limit=500', headers: t.admin.headers })).json().data.length;
    assert.equal(afterCount, before);
  });

  test('stores injection strings as plain text', async () => {
    const evil = `Robert'); DROP TABLE leads;-- <script>alert(1)</script>`;
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: evil } });
    assert.equal(created.statusCode, 201);
    const fetched = await t.app.inject({ method: 'GET', url: `/api/v1/leads/${created.json().id}`, headers: t.admin.headers });
    assert.equal(fetched.json().contact_person, evil);
    const search = await t.app.inject({ method: 'GET', url: `/api/v1/leads?q=${encodeURIComponent("'); DROP")}`, headers: t.admin.headers });
    assert.equal(search.statusCode, 200);
  });

  test('soft-deletes and restores, and the timeline and audit record both', async () => {
    const lead = (await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: 'Temp' } })).json();
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/leads/${lead.id}`, headers: t.admin.headers });
    assert.equal(deleted.statusCode, 204);
    const listed = (await t.app.inject({ method: 'GET', url: '/api/v1/leads?q=temp', headers: t.admin.headers })).json();
    assert.equal(listed.data.length, 0);
    const trash = (await t.app.inject({ method: 'GET', url: '/api/v1/leads?q=temp&deleted=only', headers: t.admin.headers })).json();
    assert.equal(trash.data.length, 1);
    const restored = await t.app.inject({ method: 'POST', url: `/api/v1/leads/${lead.id}/restore`, headers: t.admin.headers });
    assert.equal(restored.statusCode, 200);
    assert.equal(restored.json().deleted_at, null);

    const activities = await t.database.db.selectFrom('activities').select('activity_type').where('lead_id', '=', lead.id).orderBy('created_at').execute();
    assert.deepEqual(activities.map((a) => a.activity_type), ['lead_created', 'lead_deleted', 'lead_restored']);
    const audit = (await t.app.inject({ method: 'GET', url: `/api/v1/admin_audit?table_name=leads&record_id=${lead.id}&sort=id`, headers: t.admin.headers })).json();
    assert.deepEqual(audit.data.map((a: { action: string }) => a.action), ['create', 'update', 'update']);
    assert.equal(audit.data[0].actor_id, t.admin.id);
  });
});
