/**
 * The server remembers who a cookie or API key stands for (src/auth/actor-cache.ts), and
 * PostgreSQL re-checks the credential whenever a request's transaction starts (migration 016).
 * Two app instances on one database stand for two server processes: what one of them (or an
 * admin at the SQL prompt) ends must stop working in the other at once, cached or not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { EventHub } from '../../src/crm/events/event-hub.js';
import { withActor } from '../../src/db/with-actor.js';
import { buildApp } from '../../src/server/app.js';
import type { App } from '../../src/server/context.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('credentials are re-checked by PostgreSQL in every transaction', () => {
  let t: TestApp;
  let other: App;
  let otherEvents: EventHub;
  before(async () => {
    t = await createTestApp();
    otherEvents = new EventHub(t.database);
    await otherEvents.start();
    other = await buildApp({ config: t.config, database: t.database, events: otherEvents, startedAt: new Date() });
    await other.ready();
  });
  after(async () => {
    await other.close();
    await otherEvents.stop();
    await t.close();
  });

  const get = (app: App, url: string, headers: Record<string, string>) => app.inject({ method: 'GET', url, headers });

  test('a session ended in another process is refused by the next request, then forgotten', async () => {
    const agent = await t.user('agent');
    assert.equal((await get(other, '/api/v1/leads', agent.headers)).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: agent.headers })).statusCode, 204);
    const refused = await get(other, '/api/v1/leads', agent.headers);
    assert.equal(refused.statusCode, 401);
    assert.equal(refused.json().code, 'unauthorized');
    assert.equal((await get(other, '/api/v1/auth/me', agent.headers)).statusCode, 401);
  });

  test('a user deactivated at the SQL prompt is refused at once, even by a process that knows their cookie', async () => {
    const agent = await t.user('agent');
    assert.equal((await get(other, '/api/v1/leads', agent.headers)).statusCode, 200);
    await sql`UPDATE users SET is_active = false WHERE id = ${agent.id}`.execute(t.database.db);
    assert.equal((await get(other, '/api/v1/leads', agent.headers)).statusCode, 401);
  });

  test('a revoked API key is refused at once, and its use is recorded while it works', async () => {
    const key = await t.apiKey('admin');
    assert.equal((await get(other, '/api/v1/leads', key.headers)).statusCode, 200);
    const { rows: [used] } = await sql<{ last_used_at: string | null }>`
      SELECT last_used_at FROM api_keys WHERE user_id = ${key.userId}`.execute(t.database.db);
    assert.ok(used?.last_used_at, 'the key records when it was last used');
    await sql`UPDATE api_keys SET revoked_at = now() WHERE user_id = ${key.userId}`.execute(t.database.db);
    const refused = await get(other, '/api/v1/leads', key.headers);
    assert.equal(refused.statusCode, 401);
  });

  test("a demoted user's next write is refused by the database before any cache hears of it", async () => {
    const agent = await t.user('agent');
    const create = (app: App) =>
      app.inject({ method: 'POST', url: '/api/v1/leads', headers: agent.headers, payload: { contact_person: 'Ana Costa' } });
    assert.equal((await create(other)).statusCode, 201);
    await sql`UPDATE users SET role = 'viewer' WHERE id = ${agent.id}`.execute(t.database.db);
    // The other process may still remember "agent"; PostgreSQL reads the role when the transaction starts.
    assert.equal((await create(other)).statusCode, 403);
  });

  test('a promotion reaches every process: the early role checks follow it without a new sign-in', async () => {
    const agent = await t.user('agent');
    let attempt = 0;
    const createUser = async () =>
      (
        await other.inject({
          method: 'POST',
          url: '/api/v1/users',
          headers: agent.headers,
          payload: { email: `hire-${attempt++}-${agent.id.slice(0, 8)}@test.local`, full_name: 'New Hire', role: 'agent', password: 'a-long-password-1' },
        })
      ).statusCode;
    assert.equal(await createUser(), 403);
    const patched = await t.app.inject({ method: 'PATCH', url: `/api/v1/users/${agent.id}`, headers: t.admin.headers, payload: { role: 'admin' } });
    assert.equal(patched.statusCode, 200);
    // The other process hears of the change through NOTIFY, asynchronously: wait for it.
    const deadline = Date.now() + 15_000;
    let status = await createUser();
    while (status === 403 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      status = await createUser();
    }
    assert.equal(status, 201);
  });

  test('the request role without a caller set by app.act_as sees nothing, whatever app.user_id says', async () => {
    const { rows } = await t.database.db.connection().execute(async (connection) => {
      await sql.raw(`BEGIN; SET LOCAL ROLE clara_app; SELECT set_config('app.user_id', '${t.admin.id}', true)`).execute(connection);
      try {
        return await sql<{ leads: number; users: number }>`
          SELECT (SELECT count(*) FROM leads)::int AS leads, (SELECT count(*) FROM users)::int AS users`.execute(connection);
      } finally {
        await sql.raw('ROLLBACK').execute(connection);
      }
    });
    assert.deepEqual(rows[0], { leads: 0, users: 0 });
    const seen = await withActor(
      t.database.db,
      { userId: t.admin.id, role: 'admin', email: t.admin.email, fullName: 'Admin', via: 'session' },
      (tx) => sql<{ users: number }>`SELECT count(*)::int AS users FROM users`.execute(tx),
    );
    assert.ok((seen.rows[0]?.users ?? 0) > 0);
  });

  test("the caller's role, team and pool are settings of the transaction only", async () => {
    const manager = await t.user('manager');
    const report = await t.user('agent', { managerId: manager.id });
    const actor = { userId: manager.id, role: 'manager' as const, email: manager.email, fullName: 'M', via: 'session' as const };
    const inside = await withActor(t.database.db, actor, (tx) =>
      sql<{ role: string; owners: string[] }>`
        SELECT app.current_user_role() AS role, app.visible_owner_ids()::text[] AS owners`.execute(tx),
    );
    assert.equal(inside.rows[0]?.role, 'manager');
    assert.deepEqual([...(inside.rows[0]?.owners ?? [])].sort(), [manager.id, report.id].sort());
    // The same pooled connections, outside any request: nothing is left behind.
    const connections = await Promise.all(
      Array.from({ length: 10 }, () =>
        sql<{ role: string | null }>`SELECT nullif(current_setting('app.user_role', true), '') AS role`.execute(t.database.db),
      ),
    );
    assert.ok(connections.every((result) => result.rows[0]?.role === null));
  });
});
