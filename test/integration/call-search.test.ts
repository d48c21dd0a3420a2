import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Actor } from '../../src/auth/actor.js';
import { callResource } from '../../src/crm/calls/call-resource.js';
import { listRecords, SEARCH_CANDIDATES } from '../../src/crm/records/queries.js';
import type { Db } from '../../src/db/database.js';
import type { DB } from '../../src/db/schema.js';
import { withActor } from '../../src/db/with-actor.js';
import { crmApi, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Transcript search (GET /api/v1/calls?q=) takes the two paths of lead search (migration 019):
 * candidate ids from app.search_call_ids through the GIN index when there are at most
 * SEARCH_CANDIDATES of them, the plain search under row-level security otherwise. Both must
 * answer the same and hide the same calls: an agent sees their own calls and the calls of the
 * leads they see (their own and the shared pool), never another agent's.
 */
describe('transcript search', () => {
  let t: TestApp;
  let api: CrmApi;
  let alice: TestUser;
  let bob: TestUser;
  let manager: TestUser;
  let carl: TestUser;
  const MANY = SEARCH_CANDIDATES + 100;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    manager = await t.user('manager');
    alice = await t.user('agent', { managerId: manager.id });
    bob = await t.user('agent');
    carl = await t.user('agent', { managerId: manager.id });
    const db = t.database.db;
    // As the owner: one lead each for alice, bob and carl, one in the shared pool.
    const { rows: leads } = await sql<{ id: string; agent_id: string | null }>`
      INSERT INTO leads (contact_person, agent_id)
      VALUES ('Alice Lead', ${alice.id}::uuid), ('Bob Lead', ${bob.id}::uuid), ('Carl Lead', ${carl.id}::uuid), ('Pool Lead', NULL)
      RETURNING id, agent_id`.execute(db);
    const lead = (owner: string | null) => leads.find((l) => l.agent_id === owner)?.id as string;
    await sql`
      INSERT INTO calls (lead_id, user_id, transcript, call_start_time)
      SELECT ${lead(alice.id)}::uuid, ${alice.id}::uuid, 'Prospect: what is your pricing for ' || g || ' seats', now() - g * interval '1 minute'
        FROM generate_series(1, ${MANY}::int) g
      UNION ALL
      SELECT ${lead(bob.id)}::uuid, ${bob.id}::uuid, 'Prospect: secret pricing for ' || g, now() - g * interval '61 seconds'
        FROM generate_series(1, 40) g
      UNION ALL
      SELECT l, u, 'Prospect: we ship to Zanzibar ' || g, now() - g * interval '1 hour'
        FROM (VALUES (1, ${lead(alice.id)}::uuid, ${alice.id}::uuid), (2, ${lead(alice.id)}::uuid, NULL::uuid),
                     (3, ${lead(bob.id)}::uuid, ${bob.id}::uuid), (4, ${lead(bob.id)}::uuid, ${alice.id}::uuid),
                     (5, ${lead(null)}::uuid, ${bob.id}::uuid), (6, NULL::uuid, NULL::uuid),
                     (7, ${lead(carl.id)}::uuid, ${carl.id}::uuid), (8, NULL::uuid, ${bob.id}::uuid)) AS v(g, l, u)
      UNION ALL
      -- Calls that match none of the words searched here: the table has the shape of a real one, where
      -- reading the GIN index costs less than reading every row (on a table of a few hundred rows
      -- the planner may rightly prefer to read them all). A vocabulary of 200 topics as well: the
      -- planner estimates a prefix (pricing:*) from the statistics only with 100 or more common
      -- words (PostgreSQL's ts_selfuncs.c), as a real table of transcripts has.
      SELECT NULL::uuid, ${carl.id}::uuid, 'Clara: thanks for calling, goodbye ' || g || ' topic' || g % 200, now() - interval '2 days' - g * interval '1 second'
        FROM generate_series(1, 10000) g`.execute(db);
    await sql`ANALYZE calls`.execute(db);
  });
  after(async () => {
    await t.close();
  });

  /**
   * What `user` may find, newest first, computed as the owner from the rule of docs/security.md:
   * admins and viewers every call; others the calls their team owns and the calls of leads they see.
   */
  async function expected(pattern: string, owners: string[] | 'all'): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      SELECT c.id FROM calls c LEFT JOIN leads l ON l.id = c.lead_id
       WHERE c.deleted_at IS NULL AND c.transcript LIKE ${pattern}
         AND (${owners === 'all'} OR c.user_id = ANY (${owners === 'all' ? [] : owners}::uuid[])
              OR (c.lead_id IS NOT NULL AND (l.agent_id IS NULL OR l.agent_id = ANY (${owners === 'all' ? [] : owners}::uuid[]))))
       ORDER BY c.call_start_time DESC, c.id DESC`.execute(t.database.db);
    return rows.map((row) => row.id);
  }

  test('a rare word is found through the candidate ids, and only among the calls the caller sees', async () => {
    const cases: [TestUser, string[] | 'all', number][] = [
      [alice, [alice.id], 4], // her two calls on her lead, her call on bob's lead, the pool lead's call
      [bob, [bob.id], 4], // his call, the pool lead's, his unattached call, alice's call on his lead
      [manager, [manager.id, alice.id, carl.id], 5], // the team's calls and leads, the pool lead's call
      [t.admin, 'all', 8],
    ];
    for (const [user, owners, count] of cases) {
      const ids = await api.pageThrough(user, '/api/v1/calls?q=zanzibar', 2);
      assert.deepEqual(ids, await expected('%Zanzibar%', owners), user.role);
      assert.equal(ids.length, count, user.role);
    }
    const viewer = await t.user('viewer');
    assert.equal((await api.pageThrough(viewer, '/api/v1/calls?q=zanz', 3)).length, 8, 'a prefix, as people type');
  });

  test("an agent never finds another agent's call, on either path", async () => {
    const bobsOwn = new Set(await expected('%secret pricing%', [bob.id]));
    assert.equal(bobsOwn.size, 40);
    for (const q of ['secret', 'secret%20pricing', 'pricing', 'zanzibar', 'prospect']) {
      const found = await api.pageThrough(alice, `/api/v1/calls?q=${q}`, 500);
      assert.equal(found.some((id) => bobsOwn.has(id)), false, q);
    }
    assert.deepEqual(await api.list(alice, '/api/v1/calls?q=secret'), []);
    assert.deepEqual(await api.list(carl, '/api/v1/calls?q=pricing'), []);
  });

  test('a word matching more calls than the candidate limit pages through every match, without the hidden ones', async () => {
    const hers = await api.pageThrough(alice, '/api/v1/calls?q=pricing', 400);
    assert.equal(hers.length, MANY);
    assert.deepEqual(hers, await expected('%pricing%', [alice.id]));
    const everyone = await api.pageThrough(t.admin, '/api/v1/calls?q=pricing', 400);
    assert.deepEqual(everyone, await expected('%pricing%', 'all'));
    // Bob sees fewer matches than the limit: his answer comes from the candidate ids.
    const his = await api.pageThrough(bob, '/api/v1/calls?q=pricing', 15);
    assert.deepEqual(his, await expected('%pricing%', [bob.id]));
    assert.equal(his.length, 40);
  });

  test('search combines with filters, sorts and the trash', async () => {
    const [first] = await expected('%Zanzibar%', [alice.id]);
    assert.ok(first);
    assert.equal((await api.delete(alice, `/api/v1/calls/${first}`)).statusCode, 204);
    assert.deepEqual((await api.list(alice, '/api/v1/calls?q=zanzibar&deleted=only')).map((call) => call.id), [first]);
    assert.equal((await api.pageThrough(alice, '/api/v1/calls?q=zanzibar', 2)).includes(first), false);
    const byUser = await api.list(t.admin, `/api/v1/calls?q=zanzibar&user_id=${bob.id}&sort=call_start_time`);
    assert.equal(byUser.length, 3);
    assert.ok(byUser.every((call) => call.user_id === bob.id));
    assert.deepEqual(byUser.map((call) => call.call_start_time), byUser.map((call) => call.call_start_time).sort());
    // Punctuation only is no search at all (and no error).
    assert.equal((await api.list(t.admin, '/api/v1/calls?q=%22%27%3B--&limit=5')).length, 5);
  });

  /** The statements PostgreSQL ran (auto_explain of nested statements) for one search through the list engine. */
  async function explained(user: TestUser, q: string): Promise<string[]> {
    // A connection of its own with auto_explain sending each plan to the client as a NOTICE.
    const notices: string[] = [];
    const pool = new pg.Pool({
      connectionString: t.config.databaseUrl,
      max: 1,
      options: '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 ' +
        '-c auto_explain.log_nested_statements=on -c auto_explain.log_level=notice',
    });
    pool.on('connect', (client) => client.on('notice', (notice) => notices.push(notice.message ?? '')));
    const db: Db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
    try {
      // Through the list engine, as GET /api/v1/calls?q= runs it.
      await withActor(db, actorOf(user), (tx) => listRecords(tx, callResource({ defaultCountry: 'US' }), { limit: 50, q, filters: {}, ranges: {} }));
    } finally {
      await db.destroy();
    }
    return notices;
  }

  const actorOf = (user: TestUser): Actor => ({ userId: user.id, role: user.role, email: user.email, fullName: user.role, via: 'session' });

  /** What app.search_call_ids answers `user` for a word typed as a prefix (ids, or a single null: "too many"). */
  async function candidates(user: TestUser, word: string, maxRows = SEARCH_CANDIDATES): Promise<(string | null)[]> {
    const { rows } = await withActor(t.database.db, actorOf(user), (tx) =>
      sql<{ id: string | null }>`SELECT app.search_call_ids(to_tsquery('simple', ${word} || ':*'), ${maxRows}::int) AS id`.execute(tx),
    );
    return rows.map((row) => row.id);
  }

  test('the list engine asks app.search_call_ids, which reads the GIN index (auto_explain of the nested statement)', async () => {
    for (const [user, q] of [[alice, 'zanzibar'], [bob, 'pricing'], [t.admin, 'zanzibar'], [alice, 'pricing']] as const) {
      const notices = await explained(user, q);
      const plan = notices.find((notice) => /FROM calls c/.test(notice));
      assert.ok(plan, `the function's statement was explained (${user.role}, ${q}): ${notices.join('\n---\n').slice(0, 2000)}`);
      assert.match(plan, /Bitmap Index Scan on calls_search_idx/, plan);
      assert.doesNotMatch(plan, /Seq Scan on calls/, plan);
    }
  });

  test('the function answers ids, or a single null for "too many": counted, or estimated by the planner for a common word', async () => {
    // Rare: the ids the caller may see.
    assert.equal((await candidates(alice, 'zanzibar')).length, 4);
    assert.deepEqual(new Set(await candidates(bob, 'pricing')), new Set(await expected('%pricing%', [bob.id])));
    // More visible matches than asked for, found by counting (the estimate, ~1,140 matches in the
    // whole table, is under 4 x 1,000 for an agent).
    assert.deepEqual(await candidates(alice, 'pricing'), [null]);
    // The estimate alone: bob sees 40 "pricing" calls, fewer than 100, but the planner expects
    // ~1,140 in the whole table, over 4 x 100, so the function answers at once. An admin sees every
    // match, so over 1 x 1,000 is enough.
    assert.deepEqual(await candidates(bob, 'pricing', 100), [null]);
    assert.deepEqual(await candidates(t.admin, 'pricing'), [null]);
    // "goodbye" is in 10,000 calls: too many for everyone, even alice, who sees none of them.
    for (const user of [alice, bob, carl, manager, t.admin]) assert.deepEqual(await candidates(user, 'goodbye'), [null], user.role);
    // A deactivated user gets nothing at all, not even "too many".
    const gone = await t.user('agent');
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${gone.id}`, headers: t.admin.headers })).statusCode, 204);
    assert.deepEqual(await candidates(gone, 'goodbye'), []);
    assert.deepEqual(await candidates(gone, 'zanzibar'), []);
  });

  test('a common word takes the plain path without collecting candidates, and finds what the rule allows', async () => {
    for (const user of [carl, t.admin]) {
      const notices = await explained(user, 'goodbye');
      assert.ok(notices.some((notice) => /search @@/.test(notice)), `the page query was explained: ${notices.join('\n---\n').slice(0, 2000)}`);
      assert.equal(notices.some((notice) => /FROM calls c/.test(notice) || /calls_search_idx/.test(notice)), false, notices.join('\n---\n').slice(0, 2000));
    }
    // The same answers as the rule: carl's own calls, his manager's view of the team, everyone's, none for alice.
    assert.deepEqual(await api.pageThrough(carl, '/api/v1/calls?q=goodbye', 500), await expected('%goodbye%', [carl.id]));
    assert.deepEqual(await api.pageThrough(manager, '/api/v1/calls?q=goodbye', 500), await expected('%goodbye%', [manager.id, alice.id, carl.id]));
    assert.deepEqual(await api.pageThrough(t.admin, '/api/v1/calls?q=goodbye%2010', 50), await expected('%goodbye 10%', 'all'));
    assert.deepEqual(await api.list(alice, '/api/v1/calls?q=goodbye'), []);
  });
});
