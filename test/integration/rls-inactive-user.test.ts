/**
 * A caller without an active role (a deactivated user, or an id no user has) sees nothing at all,
 * shared pool included (migration 014, docs/security.md). Sessions of a deactivated user end at
 * their next request, so this is the database's own guarantee beneath that: it is tested here
 * directly as clara_app inside withActor, the way every request and the event stream run.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../../src/auth/actor.js';
import type { Db } from '../../src/db/database.js';
import { withActor } from '../../src/db/with-actor.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

const actor = (user: { id: string }): Actor => ({ userId: user.id, role: 'agent', email: '', fullName: '', via: 'session' });

/** Every table the request role may touch (table or column grants). */
async function requestTables(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
       AND (has_any_column_privilege('clara_app', c.oid, 'SELECT, INSERT, UPDATE, REFERENCES')
            OR has_table_privilege('clara_app', c.oid, 'SELECT, INSERT, UPDATE, DELETE'))
     ORDER BY 1`.execute(db);
  return rows.map((row) => row.name);
}

describe('no active role, no rows', () => {
  let t: TestApp;
  let ann: TestUser;
  let gone: TestUser;
  const ids: Record<string, string> = {};

  before(async () => {
    t = await createTestApp();
    ann = await t.user('agent', { name: 'Ann Active' });
    gone = await t.user('agent', { name: 'Gus Gone' });
    const db = t.database.db;
    // As the owner: the shared pool (an unassigned lead with its unowned client and contact, a
    // lead of the AI user), and records of Gus that need no role to match a policy branch.
    const one = async (query: RawBuilder<{ id: string }>) => (await query.execute(db)).rows[0]!.id;
    ids.client = await one(sql<{ id: string }>`INSERT INTO clients (client_name) VALUES ('Pool Client Ltd') RETURNING id`);
    ids.contact = await one(sql<{ id: string }>`INSERT INTO contacts (full_name, client_id) VALUES ('Pool Contact', ${ids.client}) RETURNING id`);
    ids.poolLead = await one(sql<{ id: string }>`INSERT INTO leads (contact_person, client_id) VALUES ('Pool Prospect', ${ids.client}) RETURNING id`);
    ids.aiLead = await one(sql<{ id: string }>`
      INSERT INTO leads (contact_person, agent_id) SELECT 'Inbound Caller', id FROM users WHERE is_ai LIMIT 1 RETURNING id`);
    ids.gusLead = await one(sql<{ id: string }>`INSERT INTO leads (contact_person, agent_id) VALUES ('Gus Prospect', ${gone.id}) RETURNING id`);
    await sql`INSERT INTO notes (lead_id, body) VALUES (${ids.poolLead}, 'pool note')`.execute(db);
    await sql`INSERT INTO todos (title, created_by) VALUES ('Gus todo', ${gone.id})`.execute(db);
    await sql`INSERT INTO activities (activity_type, subject, created_by) VALUES ('note', 'Gus unattached', ${gone.id})`.execute(db);
    await sql`INSERT INTO notifications (user_id, type, title) VALUES (${gone.id}, 'lead_assigned', 'Gus notice')`.execute(db);
    await sql`INSERT INTO notification_preferences (user_id) VALUES (${gone.id})`.execute(db);
    await sql`INSERT INTO imports (entity, created_by) VALUES ('leads', ${gone.id})`.execute(db);
    await sql`INSERT INTO roi_calculations (inputs, results) VALUES ('{}', '{}')`.execute(db);
  });
  after(async () => {
    await t.close();
  });

  const count = (user: { id: string }, table: string) =>
    withActor(t.database.db, actor(user), async (tx) =>
      Number((await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(tx)).rows[0]!.n),
    );

  test('while active, both agents see the pool: unassigned and AI leads, unowned clients and contacts', async () => {
    for (const user of [ann, gone]) {
      const seen = await withActor(t.database.db, actor(user), async (tx) => ({
        leads: (await tx.selectFrom('leads').select('id').execute()).map((row) => row.id),
        clients: (await tx.selectFrom('clients').select('id').execute()).map((row) => row.id),
        contacts: (await tx.selectFrom('contacts').select('id').execute()).map((row) => row.id),
      }));
      assert.ok(seen.leads.includes(ids.poolLead!) && seen.leads.includes(ids.aiLead!), 'pool leads');
      assert.deepEqual(seen.clients, [ids.client]);
      assert.deepEqual(seen.contacts, [ids.contact]);
    }
    assert.ok((await count(gone, 'todos')) > 0 && (await count(gone, 'notifications')) > 0);
  });

  test('deactivated (through the API), a user sees no lead, client, contact or any other row', async () => {
    const response = await t.app.inject({ method: 'DELETE', url: `/api/v1/users/${gone.id}`, headers: t.admin.headers });
    assert.equal(response.statusCode, 204);

    for (const table of ['leads', 'clients', 'contacts']) {
      assert.equal(await count(gone, table), 0, table);
    }
    const tables = await requestTables(t.database.db);
    assert.ok(tables.length > 20, `the request role's tables: ${tables.join(', ')}`);
    for (const table of tables) {
      if (!(await sql<{ ok: boolean }>`SELECT has_any_column_privilege('clara_app', ${table}::regclass, 'SELECT') AS ok`.execute(t.database.db)).rows[0]!.ok) continue;
      assert.equal(await count(gone, table), 0, `${table} as a deactivated user`);
    }
    // Nor through the search function, which runs as the owner.
    const found = await withActor(t.database.db, actor(gone), (tx) =>
      sql`SELECT app.search_lead_ids(to_tsquery('simple', 'pool:*'), 1001)`.execute(tx),
    );
    assert.equal(found.rows.length, 0);
    // Writes were closed before; they stay closed, the pool included.
    await assert.rejects(
      withActor(t.database.db, actor(gone), (tx) => tx.insertInto('leads').values({ contact_person: 'Sneaky' }).execute()),
      /row-level security/,
    );
    await assert.rejects(
      withActor(t.database.db, actor(gone), (tx) => tx.updateTable('leads').set({ notes: 'x' }).where('id', '=', ids.poolLead!).returning('id').executeTakeFirstOrThrow()),
    );
  });

  test('an id that belongs to no user sees nothing either', async () => {
    const nobody = { id: randomUUID() };
    for (const table of ['leads', 'clients', 'contacts', 'notes', 'roi_calculations']) {
      assert.equal(await count(nobody, table), 0, table);
    }
  });

  test('active agents still see the pool, by list and by id', async () => {
    assert.equal(await count(ann, 'clients'), 1);
    assert.equal(await count(ann, 'contacts'), 1);
    assert.equal(await count(ann, 'notes'), 1, 'the pool lead\'s note');
    const list = await t.app.inject({ method: 'GET', url: '/api/v1/leads?limit=500', headers: ann.headers });
    const listed = list.json().data.map((lead: { id: string }) => lead.id);
    assert.ok(listed.includes(ids.poolLead) && listed.includes(ids.aiLead));
    assert.equal(listed.includes(ids.gusLead), false, "a deactivated agent's own leads are not in the pool");
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/leads/${ids.poolLead}`, headers: ann.headers })).statusCode, 200);
    assert.equal((await t.app.inject({ method: 'GET', url: `/api/v1/leads?q=pool`, headers: ann.headers })).json().data.length, 1);
  });

  test('every table the request role may touch has the restrictive active-role policy', async () => {
    const { rows } = await sql<{ name: string }>`
      SELECT c.relname AS name FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
       WHERE p.polname = 'active_role' AND NOT p.polpermissive AND p.polcmd = '*'
         AND p.polroles = ARRAY['clara_app'::regrole::oid]
         AND pg_get_expr(p.polqual, p.polrelid) = '(( SELECT app.current_user_role() AS current_user_role) IS NOT NULL)'`.execute(
      t.database.db,
    );
    const guarded = new Set(rows.map((row) => row.name));
    const missing = (await requestTables(t.database.db)).filter((table) => !guarded.has(table));
    assert.deepEqual(missing, [], 'tables clara_app can use without the active_role policy (see migration 014)');
  });
});
