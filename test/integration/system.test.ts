import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('system endpoints', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('healthz answers 200 without authentication', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(response.statusCode, 200);
    assert.deepEqual(response.json(), { status: 'ok' });
  });

  test('every response carries the security headers, API answers and pages alike', async () => {
    for (const url of ['/healthz', '/api/v1/leads', '/api/docs', '/']) {
      const response = await t.app.inject({ method: 'GET', url });
      assert.match(String(response.headers['content-security-policy']), /default-src 'self'/, url);
      assert.match(String(response.headers['content-security-policy']), /script-src 'self'/, url);
      assert.equal(response.headers['x-content-type-options'], 'nosniff', url);
      assert.equal(response.headers['x-frame-options'], 'SAMEORIGIN', url);
      assert.equal(response.headers['cross-origin-resource-policy'], 'same-origin', url);
      assert.match(String(response.headers['strict-transport-security']), /max-age=/, url);
    }
  });

  test('status reports the database, migrations, version, uptime, memory and features', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/system/status', headers: t.admin.headers });
    assert.equal(response.statusCode, 200, response.body);
    const status = response.json();
    assert.equal(status.status, 'ok');
    assert.equal(status.database.connected, true);
    assert.equal(status.database.mode, 'external');
    assert.match(status.database.version, /^\d+/);
    assert.ok(status.database.migrations_applied >= 4);
    assert.deepEqual(status.database.migrations_pending, []);
    assert.ok(status.memory.rss_bytes > 0);
    assert.equal(typeof status.features.event_stream, 'boolean');
  });

  test('metrics are in Prometheus text format and count requests', async () => {
    await t.app.inject({ method: 'GET', url: '/healthz' });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(response.headers['content-type'] as string, /text\/plain/);
    assert.match(response.body, /clara_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/);
    assert.match(response.body, /clara_db_pool_connections\{state="total"\}/);
    assert.match(response.body, /clara_db_read_pool_connections\{state="idle"\}/);
    assert.match(response.body, /clara_process_resident_memory_bytes/);
  });

  test('the OpenAPI 3.1 document is valid and describes the API', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(response.statusCode, 200);
    const spec = response.json();
    assert.equal(spec.openapi, '3.1.0');
    const validator = new Validator();
    const result = await validator.validate(spec);
    assert.equal(result.valid, true, JSON.stringify(result.errors, null, 2)?.slice(0, 3000));
    for (const path of ['/api/v1/leads', '/api/v1/leads/{id}', '/api/v1/auth/login', '/api/v1/users', '/api/v1/api_keys', '/api/v1/admin_audit', '/api/v1/events']) {
      assert.ok(spec.paths[path], `documents ${path}`);
    }
    assert.ok(spec.components.schemas.Lead, 'the Lead schema is a named component');
  });

  test('the API docs page is served', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/api/docs/' });
    assert.equal(response.statusCode, 200);
    assert.match(response.body, /swagger/i);
  });

  test('unknown API routes are problem+json 404s', async () => {
    for (const url of ['/api/v1/nope', '/api/nope', '/webhooks/nope', '/public/v1/nope']) {
      const response = await t.app.inject({ method: 'GET', url, headers: t.admin.headers });
      assert.equal(response.statusCode, 404, url);
      assert.equal(response.json().code, 'not_found', url);
    }
    const post = await t.app.inject({ method: 'POST', url: '/nope' });
    assert.equal(post.statusCode, 404);
    assert.equal(post.json().code, 'not_found');
  });

  test('any other GET is a page of the web app (its index.html, or a notice that it is not built)', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/leads/123' });
    assert.ok([200, 503].includes(response.statusCode), String(response.statusCode));
    assert.match(String(response.headers['content-type'] ?? ''), /text\/html/);
    assert.match(response.body, /Clara/);
  });
});
