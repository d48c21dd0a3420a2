import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../src/auth/actor.js';
import { SEARCH_CANDIDATES } from '../../src/crm/records/queries.js';
import { withActor } from '../../src/db/with-actor.js';
import { crmApi, type CrmApi } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Lead search takes one of two paths (src/crm/records/queries.ts, migration 007): the matching
 * ids from app.search_lead_ids when there are at most SEARCH_CANDIDATES of them, a plain
 * search otherwise. Both must give the same answer and hide the same leads.
 */
describe('lead search at volume', () => {
  let t: TestApp;
  let api: CrmApi;
  let alice: TestUser;
  let bob: TestUser;
  const MANY = SEARCH_CANDIDATES + 100;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    alice = await t.user('agent');
    bob = await t.user('agent');
    // As the owner, in one statement: MANY "Common" leads for alice, 40 for bob, a few rare ones.
    await sql`
      INSERT INTO leads (contact_person, company_name, agent_id, created_at)
      SELECT 'Common Person ' || g, 'Widget Co', ${alice.id}::uuid, now() - g * interval '1 minute'
        FROM generate_series(1, ${MANY}::int) g
      UNION ALL
      SELECT 'Common Secret ' || g, 'Widget Co', ${bob.id}::uuid, now() - g * interval '61 seconds'
        FROM generate_series(1, 40) g
      UNION ALL
      SELECT 'Zanzibar ' || g, NULL, CASE WHEN g <= 3 THEN ${alice.id}::uuid ELSE ${bob.id}::uuid END, now() - g * interval '1 hour'
        FROM generate_series(1, 5) g`.execute(t.database.db);
    await sql`ANALYZE leads`.execute(t.database.db);
  });
  after(async () => {
    await t.close();
  });

  /** What the search must return for `user_id`, newest first, computed as the owner. */
  async function expected(pattern: string, ownerIds: string[]): Promise<string[]> {
    const { rows } = await sql<{ id: string }>`
      SELECT id FROM leads
       WHERE deleted_at IS NULL AND contact_person LIKE ${pattern} AND agent_id = ANY (${ownerIds}::uuid[])
       ORDER BY created_at DESC, id DESC`.execute(t.database.db);
    return rows.map((row) => row.id);
  }

  test('a rare word is found through the candidate ids, and only among the leads the caller sees', async () => {
    const ids = await api.pageThrough(alice, '/api/v1/leads?q=zanzibar', 2);
    assert.deepEqual(ids, await expected('Zanzibar%', [alice.id]));
    const all = await api.pageThrough(t.admin, '/api/v1/leads?q=zanzibar', 2);
    assert.equal(all.length, 5);
  });

  test('a word matching more leads than the candidate limit pages through every match, without the hidden ones', async () => {
    const mine = await api.pageThrough(alice, '/api/v1/leads?q=common', 400);
    assert.deepEqual(mine, await expected('Common%', [alice.id]));
    assert.equal(mine.length, MANY);

    const everyone = await api.pageThrough(t.admin, '/api/v1/leads?q=common', 400);
    assert.deepEqual(everyone, await expected('Common%', [alice.id, bob.id]));

    // Bob sees fewer matches than the limit: his answer comes from the candidate ids.
    const his = await api.pageThrough(bob, '/api/v1/leads?q=common', 15);
    assert.deepEqual(his, await expected('Common%', [bob.id]));
  });

  test('search combines with filters, sorts and the trash on both paths', async () => {
    const [first] = await expected('Common Person%', [alice.id]);
    assert.ok(first);
    await api.delete(alice, `/api/v1/leads/${first}`);
    const trashed = await api.list(alice, '/api/v1/leads?q=common&deleted=only');
    assert.deepEqual(trashed.map((lead) => lead.id), [first]);
    const live = await api.pageThrough(alice, '/api/v1/leads?q=common%20person&sort=contact_person', 500);
    assert.equal(live.length, MANY - 1);
    assert.equal(live.includes(first), false);
    const byOwner = await api.list(t.admin, `/api/v1/leads?q=common&agent_id=${bob.id}&limit=100`);
    assert.equal(byOwner.length, 40);
    assert.ok(byOwner.every((lead) => lead.agent_id === bob.id));
  });

  const actorOf = (user: TestUser): Actor => ({ userId: user.id, role: user.role, email: user.email, fullName: user.role, via: 'session' });

  /** What app.search_lead_ids answers `user` for a word typed as a prefix (ids, or a single null: "too many"). */
  async function candidates(user: TestUser, word: string, maxRows = SEARCH_CANDIDATES): Promise<(string | null)[]> {
    const actor = actorOf(user);
    const { rows } = await withActor(t.database.db, actor, (tx) =>
      sql<{ id: string | null }>`SELECT app.search_lead_ids(to_tsquery('simple', ${word} || ':*'), ${maxRows}::int) AS id`.execute(tx),
    );
    return rows.map((row) => row.id);
  }

  test('the function answers ids, or a single null for "too many": counted, or estimated by the planner for a common word', async () => {
    assert.deepEqual(new Set(await candidates(alice, 'zanzibar')), new Set(await expected('Zanzibar%', [alice.id])));
    assert.deepEqual(new Set(await candidates(bob, 'common')), new Set(await expected('Common%', [bob.id])));
    // Counted: alice sees more than 1,000 (the estimate, ~1,140 in the whole table, is under 4 x 1,000).
    assert.deepEqual(await candidates(alice, 'common'), [null]);
    // Estimated: bob sees 40, fewer than 100, but the planner expects ~1,140 leads, over 4 x 100;
    // an admin sees every match, so over 1 x 1,000 is enough. Neither collects candidates.
    assert.deepEqual(await candidates(bob, 'common', 100), [null]);
    assert.deepEqual(await candidates(t.admin, 'common'), [null]);
    // Either way the list answers the same: bob's 40 through the plain search when forced to it.
    assert.equal((await api.pageThrough(bob, '/api/v1/leads?q=common', 15)).length, 40);
  });
});

describe("search candidates where one agent owns most of the matches (migration 025)", () => {
  let t: TestApp;
  let api: CrmApi;
  let alice: TestUser;
  let carol: TestUser;

  before(async () => {
    t = await createTestApp();
    api = crmApi(t);
    alice = await t.user('agent');
    carol = await t.user('agent');
    // "Kimono" is a common word among carol's 3,000 leads and rare among alice's 1,000 (30), with
    // 5 more in the shared pool: the owner and pool indexes give alice hers without carol's.
    await sql`
      INSERT INTO leads (contact_person, agent_id, created_at)
      SELECT 'Kimono Buyer ' || g, ${carol.id}::uuid, now() - g * interval '1 minute' FROM generate_series(1, 3000) g
      UNION ALL
      SELECT CASE WHEN g <= 30 THEN 'Kimono Fan ' ELSE 'Other Person ' END || g, ${alice.id}::uuid, now() - g * interval '61 seconds'
        FROM generate_series(1, 1000) g
      UNION ALL
      SELECT 'Kimono Walk-in ' || g, NULL, now() - g * interval '1 hour' FROM generate_series(1, 5) g`.execute(t.database.db);
    await sql`ANALYZE leads`.execute(t.database.db);
  });
  after(async () => {
    await t.close();
  });

  test("each caller gets exactly their own and the pool's matches, newest first", async () => {
    const expected = async (ownerIds: (string | null)[]) => {
      const { rows } = await sql<{ id: string }>`
        SELECT id FROM leads
         WHERE contact_person LIKE 'Kimono%' AND (agent_id = ANY (${ownerIds.filter(Boolean)}::uuid[]) OR (agent_id IS NULL AND ${ownerIds.includes(null)}))
         ORDER BY created_at DESC, id DESC`.execute(t.database.db);
      return rows.map((row) => row.id);
    };
    const mine = await api.pageThrough(alice, '/api/v1/leads?q=kimono', 20);
    assert.equal(mine.length, 35);
    assert.deepEqual(mine, await expected([alice.id, null]));
    const hers = await api.pageThrough(carol, '/api/v1/leads?q=kimono%20buyer', 500);
    assert.deepEqual(hers, (await expected([carol.id])));
    assert.equal((await api.pageThrough(t.admin, '/api/v1/leads?q=kimono%20fan', 50)).length, 30);
  });

  test('a first page read from the first candidates is the same page when the trash or a filter empties them', async () => {
    // Pages of 5 read the first 12 candidates first (2 x (5 + 1)); the rest only when those do
    // not hold a full page.
    const expected = async (deleted: 'live' | 'trash') => {
      const { rows } = await sql<{ id: string }>`
        SELECT id FROM leads
         WHERE contact_person LIKE 'Kimono%' AND (agent_id = ${alice.id} OR agent_id IS NULL)
           AND (deleted_at IS NULL) = ${deleted === 'live'}
         ORDER BY created_at DESC, id DESC`.execute(t.database.db);
      return rows.map((row) => row.id);
    };
    const firstPage = async (query: string) => (await api.list(alice, `/api/v1/leads?q=kimono&limit=5${query}`)).map((lead) => lead.id);
    assert.deepEqual(await firstPage(''), (await expected('live')).slice(0, 5));
    // The 14 newest to the trash: the first 12 candidates hold no live lead.
    for (const id of (await expected('live')).slice(0, 14)) assert.equal((await api.delete(alice, `/api/v1/leads/${id}`)).statusCode, 204);
    assert.deepEqual(await firstPage(''), (await expected('live')).slice(0, 5));
    assert.deepEqual(await firstPage('&deleted=only'), (await expected('trash')).slice(0, 5));
    assert.deepEqual(await api.pageThrough(alice, '/api/v1/leads?q=kimono', 5), await expected('live'));
    // A filter that only the shared pool's walk-ins pass: all of them come from past the first 12.
    const pool = await api.list(alice, '/api/v1/leads?q=kimono&limit=5&agent_id=null');
    assert.equal(pool.length, 5);
    assert.ok(pool.every((lead) => lead.agent_id === null));
  });
});
