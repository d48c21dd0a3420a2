/**
 * The lead roll-ups of migration 017 (analytics_lead_facts, analytics_lead_days) give exactly the
 * figures computed straight from the leads, for every role, every cut (total, chart buckets,
 * sources, owners) and ranges in several time zones, after every kind of change: a lead created
 * through the API or a CSV import, reassigned, moved, trashed, restored, hard deleted, re-dated;
 * a won opportunity; a call; a pipeline stage's flags and order, a stage added and removed
 * through the API; deltas merged. And requests can
 * read the roll-ups only under the leads' rule, and never write them.
 *
 * Cast: an admin, a viewer, manager Maya with agent Ann, agent Bob outside the team, the AI
 * agent (its leads and unassigned ones are the shared pool).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../src/auth/actor.js';
import { resolveDateRange, resolveInterval, type Interval } from '../../src/crm/analytics/date-range.js';
import { mergeLeadDays } from '../../src/crm/analytics/merge-lead-days.js';
import { selectLeadGroups, selectLeadGroupsFromLeads } from '../../src/crm/analytics/queries.js';
import { withActor } from '../../src/db/with-actor.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** Ranges that cut the data differently: whole UTC days, local days off UTC, DST, half-hour zones. */
const RANGES: { from?: string; to?: string; tz: string; interval?: Interval }[] = [
  { from: '2026-11-01', to: '2026-11-30', tz: 'UTC', interval: 'day' },
  { from: '2026-11-01', to: '2026-11-30', tz: 'Europe/Paris', interval: 'week' },
  { from: '2026-10-25', to: '2026-11-14', tz: 'America/New_York', interval: 'day' },
  { from: '2026-09-01', to: '2026-11-30', tz: 'Asia/Kolkata', interval: 'month' },
  { from: '2026-11-09', to: '2026-11-10', tz: 'Pacific/Auckland' },
  { from: '2026-11-10', to: '2026-11-10', tz: 'Pacific/Auckland', interval: 'day' },
  { from: '2026-11-10', to: '2026-11-11', tz: 'Asia/Kolkata', interval: 'day' },
  { from: '2026-11-10', to: '2026-11-10', tz: 'UTC' },
  { from: '2026-11-09', to: '2026-11-30', tz: 'UTC' },
  { from: '2025-12-01', to: '2026-11-30', tz: 'America/Los_Angeles' },
  { tz: 'UTC' },
];

describe('analytics roll-ups', () => {
  let t: TestApp;
  let maya: TestUser;
  let ann: TestUser;
  let bob: TestUser;
  let viewer: TestUser;
  let aiId: string;
  let stages: Record<string, string>;
  const leads: Record<string, string> = {};

  const actorOf = (user: TestUser): Actor => ({ userId: user.id, role: user.role, email: user.email, fullName: user.email, via: 'session' });
  const roles = () => ({ admin: t.admin, viewer, maya, ann, bob });

  /** Roll-up and direct figures, per role and range, must be the same; returns the admin's lead count over all ranges. */
  const assertSameFigures = async (when: string) => {
    let adminLeads = 0;
    for (const [name, user] of Object.entries(roles())) {
      for (const spec of RANGES) {
        const range = resolveDateRange({ from: spec.from, to: spec.to, tz: spec.tz }, 'UTC');
        const cuts = { total: true, interval: spec.interval ?? resolveInterval(range, undefined), bySource: true, byOwner: true };
        const [rolled, direct] = await withActor(t.database.db, actorOf(user), async (tx) => [
          await selectLeadGroups(tx, range, cuts),
          await selectLeadGroupsFromLeads(tx, range, cuts),
        ]);
        assert.deepEqual(rolled, direct, `${when}: ${name}, ${spec.from ?? 'default'}..${spec.to ?? ''} ${spec.tz} ${cuts.interval}`);
        if (name === 'admin') adminLeads += direct.total?.leads ?? 0;
      }
    }
    assert.ok(adminLeads > 0, `${when}: the ranges hold leads`);
  };

  const bulk = async (as: TestUser, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/leads/bulk', headers: as.headers, payload });
    assert.equal(response.statusCode, 200, response.body);
  };

  before(async () => {
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
    maya = await t.user('manager', { name: 'Maya Manager' });
    ann = await t.user('agent', { managerId: maya.id, name: 'Ann Agent' });
    bob = await t.user('agent', { name: 'Bob Agent' });
    viewer = await t.user('viewer', { name: 'Vic Viewer' });
    const db = t.database.db;
    aiId = (await db.selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow()).id;
    stages = Object.fromEntries((await db.selectFrom('pipeline_stages').select(['id', 'name']).execute()).map((s) => [s.name, s.id]));

    const lead = async (key: string, owner: string | null, createdAt: string, values: { source?: string; bucket?: string; stage?: string; status?: string } = {}) => {
      const row = await db
        .insertInto('leads')
        .values({
          contact_person: key,
          agent_id: owner,
          created_at: createdAt,
          lead_source: values.source ?? null,
          status_bucket: values.bucket ?? 'P3',
          pipeline_stage_id: stages[values.stage ?? 'New Lead'],
          qualification_status: values.status ?? 'unqualified',
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      leads[key] = row.id;
    };
    // Times off UTC midnight, near local midnights and DST changes, in every owner's hands.
    const owners = [ann.id, bob.id, maya.id, aiId, null];
    const sources = ['website', 'referral', ' website ', '', null];
    const statuses = ['unqualified', 'marketing_qualified', 'sales_qualified', 'opportunity', 'converted', 'disqualified'];
    const stageNames = ['New Lead', 'Contacted', 'Qualified', 'Demo Scheduled', 'Closed Won', 'Closed Lost'];
    for (let i = 0; i < 60; i += 1) {
      const at = new Date(Date.parse('2026-09-20T00:00:00Z') + i * 37 * 3_600_000 + (i % 7) * 1_800_000 + 1).toISOString();
      await lead(`G${i}`, owners[i % owners.length] ?? null, at, {
        source: sources[i % sources.length] ?? undefined,
        bucket: ['P1', 'P2', 'P3'][i % 3],
        status: i % 4 === 0 ? 'unqualified' : statuses[i % statuses.length],
        stage: i % 4 === 0 ? 'New Lead' : stageNames[i % stageNames.length],
      });
    }
    // Calls before the lead existed: 6 hours (contacted in any range holding the lead), 28 and
    // 40 hours (kept aside: contacted only when the range starts at most a day after the call,
    // so a range from 11-10 counts the call of 11-09 08:00 but not that of 11-08 20:00).
    await lead('E6h', ann.id, '2026-11-10T12:00:00Z', { source: 'early 6h' });
    await lead('E28h', bob.id, '2026-11-10T12:00:00Z', { source: 'early 28h' });
    await lead('E40h', null, '2026-11-10T12:00:00Z', { source: 'early 40h' });
    const call = (key: string, user: string, start: string) =>
      db.insertInto('calls').values({ lead_id: leads[key], user_id: user, call_start_time: start }).execute();
    await call('E6h', ann.id, '2026-11-10T06:00:00Z');
    await call('E28h', bob.id, '2026-11-09T08:00:00Z');
    await call('E40h', aiId, '2026-11-08T20:00:00Z');
    await call('G4', bob.id, '2026-09-28T10:00:00Z');
    await db.insertInto('opportunities').values({ name: 'G8 deal', lead_id: leads.G8, agent_id: bob.id, status: 'won' }).execute();
  });

  after(async () => {
    await t.close();
  });

  test('the roll-up equals the figures straight from the leads, for every role and range', async () => {
    await assertSameFigures('as loaded');
    // The early calls: counted as a contact when the range starts at most a day after them.
    const contacted = async (from: string) => {
      const groups = await withActor(t.database.db, actorOf(t.admin), (tx) =>
        selectLeadGroups(tx, resolveDateRange({ from, to: '2026-11-10', tz: 'UTC' }, 'UTC'), { bySource: true }),
      );
      return Object.fromEntries(groups.sources.filter((s) => s.source?.startsWith('early')).map((s) => [s.source, s.figures.contacted]));
    };
    assert.deepEqual(await contacted('2026-11-10'), { 'early 6h': 1, 'early 28h': 1, 'early 40h': 0 });
    assert.deepEqual(await contacted('2026-11-09'), { 'early 6h': 1, 'early 28h': 1, 'early 40h': 1 });
    assert.deepEqual(await contacted('2026-11-08'), { 'early 6h': 1, 'early 28h': 1, 'early 40h': 1 });
  });

  test('leads created through the API and by a CSV import, then reassigned and moved, stay counted right', async () => {
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads',
      headers: ann.headers,
      payload: { contact_person: 'Fresh', lead_source: 'website', status_bucket: 'P1' },
    });
    assert.equal(created.statusCode, 201, created.body);
    leads.Fresh = created.json().id;
    const imported = await t.app.inject({
      method: 'POST',
      url: '/api/v1/imports?entity=leads',
      headers: { ...bob.headers, 'content-type': 'text/csv' },
      payload: 'Name,Company,Source\nImp One,Acme,trade_show\nImp Two,Acme,trade_show\nImp Three,Beta,\n',
    });
    assert.ok([200, 201].includes(imported.statusCode), imported.body);
    await assertSameFigures('after an API create and an import');

    await bulk(t.admin, { action: 'assign', ids: [leads.Fresh, leads.G0, leads.G1, leads.E28h], agent_id: bob.id });
    await bulk(maya, { action: 'move_stage', ids: [leads.G5, leads.G10, leads.E6h], pipeline_stage_id: stages['Closed Won'] });
    await bulk(bob, { action: 'move_stage', ids: [leads.G1, leads.E28h], pipeline_stage_id: stages['Closed Lost'] });
    const patched = await t.app.inject({
      method: 'PATCH',
      url: `/api/v1/leads/${leads.G15}`,
      headers: t.admin.headers,
      payload: { qualification_status: 'sales_qualified', lead_source: 'partner', status_bucket: 'P1' },
    });
    assert.equal(patched.statusCode, 200, patched.body);
    await assertSameFigures('after reassigning, moving and editing');
  });

  test('trash, restore, hard delete and a new creation date move the figures with the lead', async () => {
    await bulk(t.admin, { action: 'delete', ids: [leads.G20, leads.G21, leads.E40h] });
    await assertSameFigures('after trashing');
    await bulk(t.admin, { action: 'restore', ids: [leads.G20, leads.E40h] });
    await assertSameFigures('after restoring');
    const db = t.database.db;
    await db.deleteFrom('leads').where('id', '=', leads.G22 as string).execute();
    await db.updateTable('leads').set({ created_at: '2026-11-30T23:59:59.999Z' }).where('id', '=', leads.G23 as string).execute();
    await assertSameFigures('after a hard delete and a new creation date');
  });

  test('opportunities, calls and pipeline stages change the steps of their leads', async () => {
    const db = t.database.db;
    const deal = await db
      .insertInto('opportunities')
      .values({ name: 'G24 deal', lead_id: leads.G24, agent_id: ann.id, status: 'won' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.updateTable('opportunities').set({ status: 'lost' }).where('lead_id', '=', leads.G8 as string).execute();
    await db
      .insertInto('calls')
      .values([
        { lead_id: leads.G28, user_id: ann.id, call_start_time: '2026-11-12T10:00:00Z' },
        { lead_id: leads.E40h, user_id: aiId, call_start_time: '2026-11-10T11:00:00Z' },
      ])
      .execute();
    await db.updateTable('calls').set({ deleted_at: '2026-11-20T00:00:00Z' }).where('lead_id', '=', leads.G4 as string).execute();
    await assertSameFigures('after opportunity and call changes');

    await db.deleteFrom('opportunities').where('id', '=', deal.id).execute();
    // Contacted becomes the first open stage (New Lead leads are no longer past it), Closed Lost open.
    await db.updateTable('pipeline_stages').set({ order_position: 0 }).where('name', '=', 'Contacted').execute();
    await db.updateTable('pipeline_stages').set({ is_lost: false }).where('name', '=', 'Closed Lost').execute();
    await assertSameFigures('after stage changes');
    await db.updateTable('pipeline_stages').set({ order_position: 2 }).where('name', '=', 'Contacted').execute();
    await db.updateTable('pipeline_stages').set({ is_lost: true }).where('name', '=', 'Closed Lost').execute();
    await assertSameFigures('after the stages are put back');

    // An admin adds an open stage before the others (New Lead is no longer the first), then removes it.
    const added = await t.app.inject({
      method: 'POST',
      url: '/api/v1/pipeline_stages',
      headers: t.admin.headers,
      payload: { name: 'Inbox', order_position: 0 },
    });
    assert.equal(added.statusCode, 201, added.body);
    await assertSameFigures('after a stage is added');
    const removed = await t.app.inject({ method: 'DELETE', url: `/api/v1/pipeline_stages/${added.json().id}`, headers: t.admin.headers });
    assert.ok([200, 204].includes(removed.statusCode), removed.body);
    await assertSameFigures('after the stage is removed');
  });

  test('a change waits for a concurrent change to the same lead and counts after it', async () => {
    // One transaction adds the first call of a lead at step 0 (now contacted) and has not committed
    // while another reassigns that lead; the second must count the call once the first commits.
    const db = t.database.db;
    const target = leads.G32 as string;
    const first = db.transaction().execute(async (tx) => {
      await tx.insertInto('calls').values({ lead_id: target, user_id: ann.id, call_start_time: '2026-11-01T00:00:00Z' }).execute();
      let settled = false;
      const second = db.updateTable('leads').set({ agent_id: maya.id }).where('id', '=', target).execute();
      void second.finally(() => (settled = true)).catch(() => {});
      // Commit only once the second is waiting for this transaction's lock of the lead.
      while (!settled) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db);
        if ((rows[0]?.n ?? 0) > 0) break;
      }
      return { second };
    });
    await (await first).second;
    await assertSameFigures('after concurrent changes to one lead');
  });

  test('merging the deltas keeps the figures and leaves one row per key; a rebuild gives the same rows', async () => {
    const db = t.database.db;
    const rows = async () =>
      (
        await sql<Record<string, unknown>>`
          SELECT day::text, agent_id, source, call_before, sum(leads)::int AS leads, sum(contacted)::int AS contacted,
                 sum(qualified)::int AS qualified, sum(opportunities)::int AS opportunities, sum(won)::int AS won,
                 sum(p1)::int AS p1, sum(lost)::int AS lost
            FROM analytics_lead_days GROUP BY 1, 2, 3, 4 HAVING sum(leads) <> 0 ORDER BY 1, 2, 3, 4`.execute(db)
      ).rows;
    const before = await rows();
    const { rows: unmerged } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_lead_days WHERE NOT merged`.execute(db);
    assert.ok((unmerged[0]?.n ?? 0) > 0, 'the changes above left delta rows');
    assert.ok((await mergeLeadDays.run(db)) > 0, 'the worker task merged rows');
    const { rows: shape } = await sql<{ unmerged: number; duplicates: number }>`
      SELECT count(*) FILTER (WHERE NOT merged)::int AS unmerged,
             (SELECT count(*) FROM (SELECT 1 FROM analytics_lead_days GROUP BY day, agent_id, source, call_before HAVING count(*) > 1) d)::int AS duplicates
        FROM analytics_lead_days`.execute(db);
    assert.deepEqual(shape[0], { unmerged: 0, duplicates: 0 });
    assert.deepEqual(await rows(), before);
    await assertSameFigures('after merging');
    await sql`SELECT app.analytics_rebuild_lead_days()`.execute(db);
    assert.deepEqual(await rows(), before, 'a rebuild from the leads gives what the triggers kept');
  });

  test('requests read the roll-ups under the leads rule, role by role, and cannot write them', async () => {
    for (const [name, user] of Object.entries(roles())) {
      const [facts, visibleLeads] = await withActor(t.database.db, actorOf(user), async (tx) => [
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_lead_facts`.execute(tx)).rows[0]?.n,
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM leads WHERE deleted_at IS NULL`.execute(tx)).rows[0]?.n,
      ]);
      assert.equal(facts, visibleLeads, `${name} reads the facts of the live leads they may open`);
    }
    const { rows: all } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM leads WHERE deleted_at IS NULL`.execute(t.database.db);
    const annSees = await withActor(t.database.db, actorOf(ann), async (tx) =>
      (await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_lead_facts`.execute(tx)).rows[0]?.n,
    );
    assert.ok((annSees ?? 0) < (all[0]?.n ?? 0), 'an agent sees fewer than everyone');

    for (const statement of [
      sql`INSERT INTO analytics_lead_days (day, leads, contacted, qualified, opportunities, won, p1, lost) VALUES ('2026-11-01', 1, 0, 0, 0, 0, 0, 0)`,
      sql`UPDATE analytics_lead_facts SET level = 4`,
      sql`DELETE FROM analytics_lead_days`,
      sql`SELECT app.analytics_rebuild_lead_days()`,
      sql`SELECT app.analytics_refresh_leads(ARRAY[${leads.G0}]::uuid[])`,
    ]) {
      await assert.rejects(
        withActor(t.database.db, actorOf(t.admin), (tx) => statement.execute(tx)),
        (error: { code?: string }) => error.code === '42501',
      );
    }
  });
});
