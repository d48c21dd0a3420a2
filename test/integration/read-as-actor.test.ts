/**
 * readAsActor sends a read and the caller's opening statements in one round trip (a pipeline of
 * extended-protocol statements, some prepared once per connection). It must answer exactly what
 * withActor answers (same values, same row-level security, whoever used the connection and its
 * prepared plans before), keep nothing of the caller on the pooled connection, and recover from
 * a failed pipeline whatever it had prepared.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { findActorBySession } from '../../src/auth/authenticate.js';
import type { Actor } from '../../src/auth/actor.js';
import type { Database } from '../../src/db/database.js';
import { readAsActor, withActor } from '../../src/db/with-actor.js';
import { leadResource } from '../../src/crm/leads/lead-resource.js';
import { listRecords, readListPage, type ListQuery } from '../../src/crm/records/queries.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

describe('readAsActor: one round trip, the same answers as withActor', () => {
  let t: TestApp;
  let owner: Actor;
  let stranger: Actor;
  let leadId: string;
  before(async () => {
    t = await createTestApp();
    const agent = await t.user('agent');
    const other = await t.user('agent');
    owner = (await findActorBySession(t.database.db, agent.cookie.split('=')[1] as string)) as Actor;
    stranger = (await findActorBySession(t.database.db, other.cookie.split('=')[1] as string)) as Actor;
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: agent.headers,
      payload: { contact_person: "Siobhán O'Brien", notes: 'Back\\slash & Co', tags: ['a', 'b,c'], agent_id: agent.id },
    });
    assert.equal(created.statusCode, 201);
    leadId = created.json().id;
  });
  after(async () => {
    await t.close();
  });

  test('values of every kind come back exactly as through bound parameters', async () => {
    const values: unknown[] = [
      "O'Brien",
      'back\\slash \\x41 and \\\\',
      "E'\\'' ; DROP TABLE leads; --",
      '$1 $2 $$ dollar $tag$',
      '',
      'Ünïcödé 👋 日本',
      0,
      -1.5,
      12345678901234,
      true,
      false,
      null,
      ['a', 'b,c', 'd"e', "f'g", null],
      new Date('2026-12-01T08:30:00.123Z'),
      { nested: { quote: "x'y", backslash: 'a\\b' }, list: [1, 2] },
    ];
    for (const value of values) {
      const query = sql<{ v: unknown }>`SELECT ${value}::text AS v`;
      const bound = await withActor(t.database.db, owner, (tx) => query.execute(tx));
      const inlined = await readAsActor(t.database, owner, query);
      assert.deepEqual(inlined, bound.rows, `value ${JSON.stringify(value)}`);
    }
  });

  test('a record reads the same, and row-level security hides it from another agent', async () => {
    const query = sql`SELECT * FROM leads WHERE id = ${leadId}`;
    const bound = await withActor(t.database.db, owner, (tx) => query.execute(tx));
    assert.equal(bound.rows.length, 1);
    assert.deepEqual(await readAsActor(t.database, owner, query), bound.rows);
    assert.deepEqual(await readAsActor(t.database, stranger, query), []);
    const byApi = await t.app.inject({ method: 'GET', url: `/api/v1/leads/${leadId}`, headers: { cookie: `clara_session=x` } });
    assert.equal(byApi.statusCode, 401);
  });

  test('nothing of the caller stays on the pooled connections', async () => {
    await Promise.all(Array.from({ length: 30 }, () => readAsActor(t.database, owner, sql`SELECT 1 AS one`)));
    const leftovers = await Promise.all(
      Array.from({ length: 10 }, () =>
        t.database.pool.query<{ role: string; who: string | null }>(
          "SELECT current_user AS role, nullif(current_setting('app.user_role', true), '') AS who",
        ),
      ),
    );
    for (const { rows } of leftovers) {
      assert.notEqual(rows[0]?.role, 'clara_app');
      assert.equal(rows[0]?.who, null);
    }
  });

  test('a failing read rolls back and leaves the connection usable', async () => {
    await assert.rejects(readAsActor(t.database, owner, sql`SELECT 1 / ${0}::int`), (error: { code?: string }) => error.code === '22012');
    assert.deepEqual(await readAsActor(t.database, owner, sql<{ one: number }>`SELECT 1 AS one`), [{ one: 1 }]);
  });

  test('a NUL character is refused by PostgreSQL as in any bound parameter, and the connection stays usable', async () => {
    await assert.rejects(readAsActor(t.database, owner, sql`SELECT ${'a\u0000b'}::text`), (error: { code?: string }) => error.code === '22021');
    assert.deepEqual(await readAsActor(t.database, owner, sql<{ one: number }>`SELECT 1 AS one`), [{ one: 1 }]);
  });

  describe('on one connection', () => {
    let single: pg.Pool;
    let database: Database;
    before(() => {
      single = new pg.Pool({ connectionString: t.database.url, max: 1 });
      database = { ...t.database, pool: single, readPool: single };
    });
    after(async () => {
      await single.end();
    });

    test('two callers taking turns each get what their own policies allow, past the switch to a cached plan', async () => {
      const query = () => sql`SELECT * FROM leads WHERE id = ${leadId}`;
      const bound = await withActor(t.database.db, owner, (tx) => query().execute(tx));
      for (let turn = 0; turn < 12; turn++) {
        // The first read describes the row; later ones reuse that layout: every value typed alike.
        assert.deepEqual(await readAsActor(database, owner, query(), { prepared: true }), bound.rows, `owner, turn ${turn}`);
        assert.equal((await readAsActor(database, stranger, query(), { prepared: true })).length, 0, `stranger, turn ${turn}`);
      }
      const { rows } = await single.query<{ statement: string }>('SELECT statement FROM pg_prepared_statements');
      const statements = rows.map((row) => row.statement);
      // Prepared once each, whoever asked: the credential and the id are parameters.
      assert.equal(statements.filter((text) => text.includes('FROM leads WHERE id = $1')).length, 1);
      assert.equal(statements.filter((text) => text.includes('app.act_as_session($1)')).length, 1);
      const [who] = (await single.query("SELECT current_user AS role, current_setting('app.user_id', true) AS id")).rows;
      assert.notEqual(who.role, 'clara_app');
      assert.ok(!who.id, 'no caller left on the connection');
    });

    test('a pipeline that fails after preparing a statement leaves it preparable again', async () => {
      const divide = (by: number) => sql<{ x: number }>`SELECT 10 / ${by}::int AS x, 'recover' AS tag`;
      await assert.rejects(readAsActor(database, owner, divide(0), { prepared: true }), (error: { code?: string }) => error.code === '22012');
      assert.deepEqual(await readAsActor(database, owner, divide(5), { prepared: true }), [{ x: 2, tag: 'recover' }]);
    });

    test('a refused credential skips the statements after it, which are prepared on the next read', async () => {
      const gone = await t.user('agent');
      const goneActor = (await findActorBySession(t.database.db, gone.cookie.split('=')[1] as string)) as Actor;
      await sql`DELETE FROM sessions WHERE user_id = ${gone.id}`.execute(t.database.db);
      const fresh = () => sql<{ tag: string }>`SELECT 'after a refusal' AS tag`;
      await assert.rejects(readAsActor(database, goneActor, fresh(), { prepared: true }), (error: { code?: string }) => error.code === '28000');
      assert.deepEqual(await readAsActor(database, owner, fresh(), { prepared: true }), [{ tag: 'after a refusal' }]);
    });

    test('a search read as one pipeline (candidates, then the page) answers what a transaction answers and leaves nothing on the connection', async () => {
      const leads = leadResource({ defaultCountry: 'US' });
      const search = (q: string): ListQuery => ({ limit: 50, q, filters: {}, ranges: {} });
      const viaTransaction = (actor: Actor, q: string) => withActor(t.database.db, actor, (tx) => listRecords(tx, leads, search(q)));
      for (const q of ['Siobhán', "o'brien", 'nobody-by-this-name']) {
        assert.deepEqual(await readListPage(database, owner, leads, search(q)), await viaTransaction(owner, q), q);
      }
      assert.equal((await readListPage(database, owner, leads, search('Siobhán'))).data.length, 1);
      // The other agent's candidates are their own: none.
      assert.equal((await readListPage(database, stranger, leads, search('Siobhán'))).data.length, 0);
      const [left] = (await single.query("SELECT current_setting('app.search_ids', true) AS ids, current_user AS role")).rows;
      assert.ok(!left.ids, 'the candidate ids ended with the pipeline');
      assert.notEqual(left.role, 'clara_app');
    });
  });

  test('an ended session is refused in the same round trip', async () => {
    await sql`DELETE FROM sessions WHERE user_id = ${stranger.userId}`.execute(t.database.db);
    await assert.rejects(readAsActor(t.database, stranger, sql`SELECT 1`), (error: { code?: string }) => error.code === '28000');
  });
});
