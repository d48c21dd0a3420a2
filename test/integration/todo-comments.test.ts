/**
 * A task's comment is changed (edited, moved to the trash, restored) by its author or an admin
 * only (migration 018, src/crm/todos/change-todo-comment.ts), role by role, through the API and,
 * beneath the API's 403, by PostgreSQL itself as clara_app.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../src/auth/actor.js';
import { withActor } from '../../src/db/with-actor.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

describe('task comments: their author or an admin changes them', () => {
  let t: TestApp;
  let ann: TestUser;
  let bob: TestUser;
  let manager: TestUser;
  let viewer: TestUser;
  let todoId: string;
  const call = async (who: TestUser, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => {
    const response = await t.app.inject({ method, url, headers: who.headers, ...(payload ? { payload } : {}) });
    return { status: response.statusCode, body: response.body ? response.json() : null, raw: response.body };
  };
  const comment = async (who: TestUser, body: string): Promise<string> => {
    const created = await call(who, 'POST', `/api/v1/todos/${todoId}/comments`, { body });
    assert.equal(created.status, 201, created.raw);
    return created.body.id;
  };
  const bodies = async () => ((await call(t.admin, 'GET', `/api/v1/todos/${todoId}/comments`)).body.data as { body: string }[]).map((c) => c.body);

  before(async () => {
    t = await createTestApp();
    ann = await t.user('agent', { name: 'Ann Agent' });
    bob = await t.user('agent', { name: 'Bob Agent' });
    manager = await t.user('manager', { name: 'Meg Manager' });
    viewer = await t.user('viewer', { name: 'Vic Viewer' });
    // A task on a lead of the shared pool: every one of them sees it and its comments.
    const lead = await call(t.admin, 'POST', '/api/v1/leads', { contact_person: 'Pool Prospect', agent_id: null });
    const todo = await call(t.admin, 'POST', '/api/v1/todos', { title: 'Send the proposal', lead_id: lead.body.id });
    assert.equal(todo.status, 201, todo.raw);
    todoId = todo.body.id;
  });
  after(async () => {
    await t.close();
  });

  test('the author edits, deletes and restores their own comment', async () => {
    const id = await comment(ann, 'Call on Monday');
    const edited = await call(ann, 'PATCH', `/api/v1/todo_comments/${id}`, { body: 'Call on Tuesday' });
    assert.equal(edited.status, 200, edited.raw);
    assert.equal(edited.body.body, 'Call on Tuesday');
    assert.ok(edited.body.updated_at >= edited.body.created_at);
    assert.equal((await call(ann, 'DELETE', `/api/v1/todo_comments/${id}`)).status, 204);
    assert.ok(!(await bodies()).includes('Call on Tuesday'), 'gone from the list');
    const restored = await call(ann, 'POST', `/api/v1/todo_comments/${id}/restore`);
    assert.equal(restored.status, 200, restored.raw);
    assert.ok((await bodies()).includes('Call on Tuesday'));
  });

  test("another agent, a manager and a viewer see a comment but cannot change it: 403, nothing changed", async () => {
    const id = await comment(ann, 'Budget confirmed');
    for (const who of [bob, manager, viewer]) {
      assert.equal((await call(who, 'GET', `/api/v1/todo_comments/${id}`)).status, 200, 'they see it');
      const edit = await call(who, 'PATCH', `/api/v1/todo_comments/${id}`, { body: 'rewritten' });
      assert.equal(edit.status, 403, edit.raw);
      assert.match(edit.raw, who === viewer ? /needs the admin or manager or agent role/ : /Only its author or an admin/);
      assert.equal((await call(who, 'DELETE', `/api/v1/todo_comments/${id}`)).status, 403);
    }
    assert.equal((await call(ann, 'DELETE', `/api/v1/todo_comments/${id}`)).status, 204);
    assert.equal((await call(bob, 'POST', `/api/v1/todo_comments/${id}/restore`)).status, 403, 'nor restore it');
    assert.equal((await call(ann, 'POST', `/api/v1/todo_comments/${id}/restore`)).status, 200);
    const unchanged = await call(t.admin, 'GET', `/api/v1/todo_comments/${id}`);
    assert.equal(unchanged.body.body, 'Budget confirmed');
    assert.equal(unchanged.body.deleted_at, null);
  });

  test('an admin edits and deletes anyone’s comment', async () => {
    const id = await comment(bob, 'Phone number is wrong');
    const edited = await call(t.admin, 'PATCH', `/api/v1/todo_comments/${id}`, { body: 'Phone number fixed' });
    assert.equal(edited.status, 200, edited.raw);
    assert.equal(edited.body.created_by, bob.id, 'still Bob’s comment');
    assert.equal((await call(t.admin, 'DELETE', `/api/v1/todo_comments/${id}`)).status, 204);
  });

  test('bad input: an empty body is a 400, an unknown comment a 404', async () => {
    const id = await comment(ann, 'Keep me');
    assert.equal((await call(ann, 'PATCH', `/api/v1/todo_comments/${id}`, { body: '   ' })).status, 400);
    assert.equal((await call(ann, 'PATCH', `/api/v1/todo_comments/${id}`, { body: 'x', todo_id: todoId })).status, 400);
    assert.equal((await call(ann, 'PATCH', '/api/v1/todo_comments/00000000-0000-4000-8000-000000000000', { body: 'x' })).status, 404);
    assert.equal((await call(ann, 'DELETE', '/api/v1/todo_comments/not-a-uuid')).status, 400);
    assert.deepEqual((await call(t.admin, 'GET', `/api/v1/todo_comments/${id}`)).body.body, 'Keep me');
  });

  test('PostgreSQL refuses it too: as clara_app another agent updates no comment of Ann’s, Ann and an admin do', async () => {
    const id = await comment(ann, 'Database says no');
    const as = (user: TestUser, role: Actor['role']): Actor => ({ userId: user.id, role, email: '', fullName: '', via: 'session' });
    const update = (actor: Actor, body: string) =>
      withActor(t.database.db, actor, async (tx) => (await sql`UPDATE todo_comments SET body = ${body} WHERE id = ${id}`.execute(tx)).numAffectedRows);
    const visible = await withActor(t.database.db, as(bob, 'agent'), async (tx) => (await sql`SELECT id FROM todo_comments WHERE id = ${id}`.execute(tx)).rows.length);
    assert.equal(visible, 1, 'Bob sees it');
    assert.equal(await update(as(bob, 'agent'), 'Bob was here'), 0n);
    assert.equal(await update(as(manager, 'manager'), 'Meg was here'), 0n);
    assert.equal(await update(as(ann, 'agent'), 'Ann edited'), 1n);
    assert.equal(await update(as(t.admin, 'admin'), 'Admin edited'), 1n);
  });
});
