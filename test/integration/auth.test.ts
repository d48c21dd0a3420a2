import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ADMIN_EMAIL, ADMIN_PASSWORD, createTestApp, type TestApp } from '../support/test-app.js';

const login = (t: TestApp, email: string, password: string) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });

const sessionCookie = (response: Awaited<ReturnType<typeof login>>) => {
  const cookie = response.cookies.find((c) => c.name === 'clara_session');
  return cookie ? `clara_session=${cookie.value}` : '';
};

describe('authentication', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('signs in with the right password and sets an httpOnly SameSite session cookie', async () => {
    const response = await login(t, ADMIN_EMAIL.toUpperCase(), ADMIN_PASSWORD);
    assert.equal(response.statusCode, 200);
    assert.equal(response.json().user.email, ADMIN_EMAIL);
    assert.equal(response.json().user.password_hash, undefined);
    const cookie = response.cookies.find((c) => c.name === 'clara_session');
    assert.ok(cookie?.httpOnly);
    assert.equal(cookie?.sameSite, 'Lax');
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: sessionCookie(response) } });
    assert.equal(me.statusCode, 200);
    assert.equal(me.json().user.role, 'admin');
  });

  test('refuses a wrong password or unknown email with the same 401', async () => {
    const wrong = await login(t, ADMIN_EMAIL, 'not-the-password');
    const unknown = await login(t, 'nobody@test.local', 'whatever-password');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.equal(wrong.json().detail, unknown.json().detail);
  });

  test('locks an account after five wrong passwords, even with the right one', async () => {
    const agent = await t.user('agent');
    for (let i = 0; i < 5; i += 1) assert.equal((await login(t, agent.email, 'wrong-password')).statusCode, 401);
    const locked = await login(t, agent.email, `password-${agent.email.split('-')[1]?.split('@')[0]}`);
    assert.equal(locked.statusCode, 429);
    assert.equal(locked.json().code, 'too_many_attempts');
  });

  test('rejects requests without a session, with a forged cookie, or after logout', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/leads' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/leads', headers: { cookie: 'clara_session=forged' } })).statusCode, 401);
    const cookie = sessionCookie(await login(t, ADMIN_EMAIL, ADMIN_PASSWORD));
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { cookie } })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie } })).statusCode, 401);
  });

  test('changing the password keeps this session, ends the others, and the new password works', async () => {
    const agent = await t.user('agent');
    const password = `password-${agent.email.split('-')[1]?.split('@')[0]}`;
    const other = sessionCookie(await login(t, agent.email, password));
    const wrongCurrent = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: agent.headers, payload: { current_password: 'nope', new_password: 'a-new-password-1' } });
    assert.equal(wrongCurrent.statusCode, 401);
    const tooShort = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: agent.headers, payload: { current_password: password, new_password: 'short' } });
    assert.equal(tooShort.statusCode, 400);
    const changed = await t.app.inject({ method: 'POST', url: '/api/v1/auth/password', headers: agent.headers, payload: { current_password: password, new_password: 'a-new-password-1' } });
    assert.equal(changed.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: agent.headers })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: other } })).statusCode, 401);
    assert.equal((await login(t, agent.email, password)).statusCode, 401);
    assert.equal((await login(t, agent.email, 'a-new-password-1')).statusCode, 200);
  });

  test('only admins create users; a deactivated user can no longer sign in or use a session', async () => {
    const manager = await t.user('manager');
    const payload = { email: 'New.Agent@Test.local', full_name: 'New Agent', role: 'agent', password: 'new-agent-password', manager_id: manager.id };
    const denied = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: manager.headers, payload });
    assert.equal(denied.statusCode, 403);
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: t.admin.headers, payload });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json().email, 'new.agent@test.local');
    assert.equal(created.json().manager_id, manager.id);
    const duplicate = await t.app.inject({ method: 'POST', url: '/api/v1/users', headers: t.admin.headers, payload });
    assert.equal(duplicate.statusCode, 409);
    const session = sessionCookie(await login(t, 'new.agent@test.local', 'new-agent-password'));
    assert.ok(session);
    const deactivated = await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${created.json().id}`, headers: t.admin.headers });
    assert.equal(deactivated.statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { cookie: session } })).statusCode, 401);
    assert.equal((await login(t, 'new.agent@test.local', 'new-agent-password')).statusCode, 401);
  });

  test('API keys: created once by an admin, stored hashed, used as a bearer token, revocable', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/api_keys', headers: t.admin.headers, payload: { name: 'zapier', role: 'agent' } });
    assert.equal(created.statusCode, 201, created.body);
    const { key, id } = created.json();
    assert.match(key, /^clara_/);
    const stored = await t.database.db.selectFrom('api_keys').select('key_hash').where('id', '=', id).executeTakeFirstOrThrow();
    assert.notEqual(stored.key_hash, key);
    assert.equal(JSON.stringify((await t.app.inject({ method: 'GET', url: '/api/v1/api_keys', headers: t.admin.headers })).json()).includes(key), false);

    const headers = { authorization: `Bearer ${key}` };
    const me = await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().via, 'api_key');
    assert.equal(me.json().user.role, 'agent');
    const lead = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers, payload: { contact_person: 'From Zapier' } });
    assert.equal(lead.statusCode, 201);
    assert.equal(lead.json().agent_id, me.json().user.id, 'the key owns what it creates');

    const byAgent = await t.app.inject({ method: 'POST', url: '/api/v1/api_keys', headers, payload: { name: 'x', role: 'admin' } });
    assert.equal(byAgent.statusCode, 403);
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/api_keys/${id}`, headers: t.admin.headers })).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: 'Bearer clara_made_up' } })).statusCode, 401);
  });
});
