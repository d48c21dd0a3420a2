/**
 * The email roll-ups of migration 023 (analytics_email_facts, analytics_email_days) give exactly
 * the figures computed straight from the activities, for every role and ranges in several time
 * zones with partial days at both ends, after every kind of change: sends and events inserted
 * (as the owner, through the API, several in one statement), soft deleted, restored, hard
 * deleted, moved to another lead or time, renamed to another message id; a send added before or
 * deleted after the events it was given; leads reassigned, trashed, hard deleted; two
 * transactions on one lead at once; deltas merged; a rebuild. Attribution is checked on known
 * cases, and requests can read the roll-ups only under the leads' rule, and never write them.
 *
 * Cast: an admin, a viewer, manager Maya with agent Ann, agent Bob outside the team, the AI
 * agent (its leads and unassigned ones are the shared pool).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../src/auth/actor.js';
import { resolveDateRange } from '../../src/crm/analytics/date-range.js';
import { selectEmailFigures, selectEmailFiguresFromActivities } from '../../src/crm/analytics/email-figures.js';
import { mergeEmailDays } from '../../src/crm/analytics/merge-email-days.js';
import { tuneAnalyticsTransaction } from '../../src/crm/analytics/queries.js';
import { withActor } from '../../src/db/with-actor.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** Whole UTC days, local days off UTC (partial UTC days at both ends), DST, half-hour zones, one day, a year. */
const RANGES: { from?: string; to?: string; tz: string }[] = [
  { from: '2026-11-01', to: '2026-11-30', tz: 'UTC' },
  { from: '2026-11-01', to: '2026-11-30', tz: 'Europe/Paris' },
  { from: '2026-10-25', to: '2026-11-14', tz: 'America/New_York' },
  { from: '2026-09-01', to: '2026-11-30', tz: 'Asia/Kolkata' },
  { from: '2026-11-09', to: '2026-11-10', tz: 'Pacific/Auckland' },
  { from: '2026-11-10', to: '2026-11-10', tz: 'Pacific/Auckland' },
  { from: '2026-11-10', to: '2026-11-11', tz: 'Asia/Kolkata' },
  { from: '2026-11-10', to: '2026-11-10', tz: 'UTC' },
  { from: '2025-12-01', to: '2026-11-30', tz: 'America/Los_Angeles' },
  { tz: 'UTC' },
];

const EMAIL_TYPES = ['email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced'];

describe('analytics email roll-ups', () => {
  let t: TestApp;
  let maya: TestUser;
  let ann: TestUser;
  let bob: TestUser;
  let viewer: TestUser;
  let aiId: string;
  const leads: Record<string, string> = {};
  /** Activity ids by key. */
  const acts: Record<string, string> = {};

  const actorOf = (user: TestUser): Actor => ({ userId: user.id, role: user.role, email: user.email, fullName: user.email, via: 'session' });
  const roles = () => ({ admin: t.admin, viewer, maya, ann, bob });

  /** Roll-up and direct figures, per role and range, must be the same. */
  const assertSameFigures = async (when: string) => {
    let adminSent = 0;
    for (const [name, user] of Object.entries(roles())) {
      for (const spec of RANGES) {
        const range = resolveDateRange({ from: spec.from, to: spec.to, tz: spec.tz }, 'UTC');
        const [rolled, direct] = await withActor(t.database.db, actorOf(user), async (tx) => [
          // As the endpoints run (JIT off: compiling the direct query took seconds on PostgreSQL 15).
          await tuneAnalyticsTransaction(tx).then(() => selectEmailFigures(tx, range)),
          await selectEmailFiguresFromActivities(tx, range),
        ]);
        assert.deepEqual(rolled, direct, `${when}: ${name}, ${spec.from ?? 'default'}..${spec.to ?? ''} ${spec.tz}`);
        if (name === 'admin') adminSent += direct.sent;
      }
    }
    assert.ok(adminSent > 0, `${when}: the ranges hold sends`);
  };

  /** Inserts an activity as the owner and keeps its id under `key`. */
  const activity = async (key: string, lead: string | null, type: string, at: string, messageId?: string) => {
    const row = await t.database.db
      .insertInto('activities')
      .values({
        lead_id: lead === null ? null : leads[lead],
        activity_type: type,
        created_at: at,
        metadata: JSON.stringify(messageId ? { email_message_id: messageId } : {}),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    acts[key] = row.id;
  };

  /** The facts of a send, as the owner: [opened, clicked, bounced], or undefined when not counted. */
  const factsOf = async (key: string) => {
    const { rows } = await sql<{ opened: boolean; clicked: boolean; bounced: boolean }>`
      SELECT opened, clicked, bounced FROM analytics_email_facts WHERE send_id = ${acts[key]}`.execute(t.database.db);
    const facts = rows[0];
    return facts && [facts.opened, facts.clicked, facts.bounced];
  };

  const bulk = async (as: TestUser, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/leads/bulk', headers: as.headers, payload });
    assert.equal(response.statusCode, 200, response.body);
  };

  const message = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

  before(async () => {
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
    maya = await t.user('manager', { name: 'Maya Manager' });
    ann = await t.user('agent', { managerId: maya.id, name: 'Ann Agent' });
    bob = await t.user('agent', { name: 'Bob Agent' });
    viewer = await t.user('viewer', { name: 'Vic Viewer' });
    const db = t.database.db;
    aiId = (await db.selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow()).id;

    const owners = [ann.id, bob.id, maya.id, aiId, null];
    for (let i = 0; i < 20; i += 1) {
      const row = await db
        .insertInto('leads')
        .values({ contact_person: `G${i}`, agent_id: owners[i % owners.length] ?? null, created_at: '2026-08-01T00:00:00Z' })
        .returning('id')
        .executeTakeFirstOrThrow();
      leads[`G${i}`] = row.id;
    }
    // Sends every 29 hours from September to the end of November (times off midnight, near local
    // midnights and DST changes), some with a message id; events after some of them, with or
    // without the id; a few sends not attached to a lead (never counted).
    for (let i = 0; i < 75; i += 1) {
      const lead = `G${i % 20}`;
      const at = Date.parse('2026-09-01T00:00:00Z') + i * 29 * 3_600_000 + (i % 7) * 1_800_000 + 1;
      const iso = (ms: number) => new Date(ms).toISOString();
      const id = i % 3 === 0 ? undefined : message(i);
      await activity(`S${i}`, lead, i % 5 === 0 ? 'email' : 'email_sent', iso(at), id);
      if (i % 2 === 0) await activity(`O${i}`, lead, 'email_opened', iso(at + 3_600_000), i % 4 === 0 ? id : undefined);
      if (i % 4 === 0) await activity(`O${i}b`, lead, 'email_opened', iso(at + 50 * 3_600_000), id);
      if (i % 6 === 0) await activity(`C${i}`, lead, 'email_clicked', iso(at + 2 * 3_600_000), id);
      if (i % 9 === 0) await activity(`B${i}`, lead, 'email_bounced', iso(at + 60_000));
      if (i % 10 === 0) await activity(`N${i}`, lead, 'note', iso(at));
    }
    await activity('unattached', null, 'email_sent', '2026-11-10T10:00:00Z');
  });

  after(async () => {
    await t.close();
  });

  test('the roll-up equals the figures straight from the activities, for every role and range', async () => {
    await assertSameFigures('as loaded');
  });

  test('events go to the send they name, else to the latest send before them; a send counts once', async () => {
    const db = t.database.db;
    await db.insertInto('leads').values({ contact_person: 'Attr', agent_id: ann.id }).execute();
    leads.Attr = (await db.selectFrom('leads').select('id').where('contact_person', '=', 'Attr').executeTakeFirstOrThrow()).id;
    await activity('a-early-open', 'Attr', 'email_opened', '2026-11-01T09:00:00Z'); // before any send: nowhere
    await activity('a1', 'Attr', 'email_sent', '2026-11-02T10:00:00Z', message(901));
    await activity('a2', 'Attr', 'email', '2026-11-03T10:00:00Z');
    await activity('a-open-named', 'Attr', 'email_opened', '2026-11-04T10:00:00Z', message(901)); // a1, though a2 is later
    await activity('a-open-named-2', 'Attr', 'email_opened', '2026-11-05T10:00:00Z', message(901)); // a1 again
    await activity('a-click', 'Attr', 'email_clicked', '2026-11-04T11:00:00Z'); // no id: a2, the latest before it
    await activity('a-bounce-unknown', 'Attr', 'email_bounced', '2026-11-04T12:00:00Z', message(999)); // names no send: a2
    assert.deepEqual(await factsOf('a1'), [true, false, false]);
    assert.deepEqual(await factsOf('a2'), [false, true, true]);
    assert.equal(await factsOf('a-early-open'), undefined, 'an event is not a send');
    assert.equal(await factsOf('unattached'), undefined, 'a send without a lead is not counted');

    await activity('a3', 'Attr', 'email_sent', '2026-11-04T10:30:00Z');
    // A send added before the click and the bounce (and after a1) takes both from a2.
    assert.deepEqual(await factsOf('a2'), [false, false, false]);
    assert.deepEqual(await factsOf('a3'), [false, true, true]);
    // A send deleted after its events were given to it: they go to the send before it.
    await db.deleteFrom('activities').where('id', '=', acts.a3 as string).execute();
    assert.deepEqual(await factsOf('a2'), [false, true, true]);
    // The named send deleted: its opens fall back to the latest send before each (a2).
    await db.updateTable('activities').set({ deleted_at: '2026-11-20T00:00:00Z' }).where('id', '=', acts.a1 as string).execute();
    assert.equal(await factsOf('a1'), undefined);
    assert.deepEqual(await factsOf('a2'), [true, true, true]);
    await db.updateTable('activities').set({ deleted_at: null }).where('id', '=', acts.a1 as string).execute();
    assert.deepEqual(await factsOf('a1'), [true, false, false]);
    assert.deepEqual(await factsOf('a2'), [false, true, true]);
    await assertSameFigures('after the attribution cases');
  });

  test('inserts, soft and hard deletes, restores, moves and edits of email activities stay counted right', async () => {
    const db = t.database.db;
    // Through the API, as an agent (the trigger runs as the owner): a send on the agent's lead, now.
    const created = await t.app.inject({
      method: 'POST',
      url: '/api/v1/activities',
      headers: ann.headers,
      payload: { activity_type: 'email_sent', subject: 'Hello', lead_id: leads.G0, metadata: { email_message_id: message(700) } },
    });
    assert.equal(created.statusCode, 201, created.body);
    // Several in one statement, email and not.
    await db
      .insertInto('activities')
      .values([
        { lead_id: leads.G1, activity_type: 'email_sent', created_at: '2026-11-10T23:30:00Z' },
        { lead_id: leads.G1, activity_type: 'email_opened', created_at: '2026-11-11T00:30:00Z' },
        { lead_id: leads.G2, activity_type: 'note', created_at: '2026-11-11T00:30:00Z' },
        { lead_id: leads.G0, activity_type: 'email_clicked', created_at: new Date().toISOString(), metadata: JSON.stringify({ email_message_id: message(700) }) },
      ])
      .execute();
    await assertSameFigures('after inserts');

    await db.updateTable('activities').set({ deleted_at: '2026-11-30T00:00:00Z' }).where('id', 'in', [acts.S10, acts.O12, acts.C18] as string[]).execute();
    await assertSameFigures('after soft deletes');
    await db.updateTable('activities').set({ deleted_at: null }).where('id', 'in', [acts.O12, acts.C18] as string[]).execute();
    await assertSameFigures('after restores');
    await db.deleteFrom('activities').where('id', 'in', [acts.S20, acts.B27] as string[]).execute();
    await assertSameFigures('after hard deletes');
    // A send moved to another lead and another day; an event moved to another lead; a message id renamed.
    await db.updateTable('activities').set({ lead_id: leads.G5, created_at: '2026-11-10T00:00:00Z' }).where('id', '=', acts.S21 as string).execute();
    await db.updateTable('activities').set({ lead_id: leads.G7 }).where('id', '=', acts.O24 as string).execute();
    await db.updateTable('activities').set({ metadata: JSON.stringify({ email_message_id: message(25) }) }).where('id', '=', acts.O28b as string).execute();
    await db.updateTable('activities').set({ activity_type: 'email_clicked' }).where('id', '=', acts.O30 as string).execute();
    await db.updateTable('activities').set({ activity_type: 'note' }).where('id', '=', acts.S33 as string).execute();
    await db.updateTable('activities').set({ subject: 'renamed' }).where('activity_type', 'in', EMAIL_TYPES).execute();
    await assertSameFigures('after moves and edits');
  });

  test('reassigning, trashing and hard deleting leads move the sends with them', async () => {
    await bulk(t.admin, { action: 'assign', ids: [leads.G0, leads.G1, leads.G3, leads.G4], agent_id: bob.id });
    await bulk(maya, { action: 'assign', ids: [leads.G2], agent_id: ann.id });
    await assertSameFigures('after reassigning');
    // Trashed leads' emails were always counted (the activities stay live): unchanged.
    await bulk(t.admin, { action: 'delete', ids: [leads.G5, leads.G6] });
    await assertSameFigures('after trashing');
    await bulk(t.admin, { action: 'restore', ids: [leads.G5] });
    await t.database.db.deleteFrom('leads').where('id', '=', leads.G8 as string).execute();
    await assertSameFigures('after a restore and a hard delete');
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_email_facts WHERE lead_id = ${leads.G8}`.execute(t.database.db);
    assert.equal(rows[0]?.n, 0, 'the deleted lead keeps no sends');
  });

  test('a change waits for a concurrent change to the same lead and counts after it', async () => {
    // One transaction adds a send and has not committed while another adds an open after it (no
    // message id): the open must go to that send once the first commits.
    const db = t.database.db;
    const target = leads.G11 as string;
    let sendId = '';
    const first = db.transaction().execute(async (tx) => {
      sendId = (
        await tx
          .insertInto('activities')
          .values({ lead_id: target, activity_type: 'email_sent', created_at: '2026-11-27T10:00:00Z' })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
      let settled = false;
      const second = db.insertInto('activities').values({ lead_id: target, activity_type: 'email_opened', created_at: '2026-11-27T11:00:00Z' }).execute();
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
    acts.concurrent = sendId;
    assert.deepEqual(await factsOf('concurrent'), [true, false, false]);
    await assertSameFigures('after concurrent changes to one lead');
  });

  test('merging the deltas keeps the figures and leaves one row per key; a rebuild gives the same rows', async () => {
    const db = t.database.db;
    const rows = async () =>
      (
        await sql<Record<string, unknown>>`
          SELECT day::text, agent_id, sum(sent)::int AS sent, sum(opened)::int AS opened, sum(clicked)::int AS clicked,
                 sum(bounced)::int AS bounced
            FROM analytics_email_days GROUP BY 1, 2 HAVING sum(sent) <> 0 ORDER BY 1, 2`.execute(db)
      ).rows;
    const facts = async () => (await sql<Record<string, unknown>>`SELECT * FROM analytics_email_facts ORDER BY send_id`.execute(db)).rows;
    const before = await rows();
    const beforeFacts = await facts();
    const { rows: unmerged } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_email_days WHERE NOT merged`.execute(db);
    assert.ok((unmerged[0]?.n ?? 0) > 0, 'the changes above left delta rows');
    assert.ok((await mergeEmailDays.run(db)) > 0, 'the worker task merged rows');
    const { rows: shape } = await sql<{ unmerged: number; duplicates: number }>`
      SELECT count(*) FILTER (WHERE NOT merged)::int AS unmerged,
             (SELECT count(*) FROM (SELECT 1 FROM analytics_email_days GROUP BY day, agent_id HAVING count(*) > 1) d)::int AS duplicates
        FROM analytics_email_days`.execute(db);
    assert.deepEqual(shape[0], { unmerged: 0, duplicates: 0 });
    assert.deepEqual(await rows(), before);
    await assertSameFigures('after merging');
    await sql`SELECT app.analytics_rebuild_email_days()`.execute(db);
    assert.deepEqual(await rows(), before, 'a rebuild from the activities gives the days the triggers kept');
    assert.deepEqual(await facts(), beforeFacts, 'and the same facts');
    await assertSameFigures('after a rebuild');
  });

  test('requests read the roll-ups under the leads rule, role by role, and cannot write them', async () => {
    for (const [name, user] of Object.entries(roles())) {
      const [facts, visibleSends] = await withActor(t.database.db, actorOf(user), async (tx) => [
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_email_facts`.execute(tx)).rows[0]?.n,
        (
          await sql<{ n: number }>`
            SELECT count(*)::int AS n FROM activities a JOIN leads l ON l.id = a.lead_id
             WHERE a.activity_type IN ('email', 'email_sent') AND a.deleted_at IS NULL`.execute(tx)
        ).rows[0]?.n,
      ]);
      assert.equal(facts, visibleSends, `${name} reads the facts of the sends of the leads they may open`);
    }
    const { rows: all } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_email_facts`.execute(t.database.db);
    for (const agent of [ann, bob]) {
      const sees = await withActor(t.database.db, actorOf(agent), async (tx) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM analytics_email_facts`.execute(tx)).rows[0]?.n,
      );
      assert.ok((sees ?? 0) > 0 && (sees ?? 0) < (all[0]?.n ?? 0), 'an agent sees some, fewer than everyone');
    }

    for (const statement of [
      sql`INSERT INTO analytics_email_days (day, sent, opened, clicked, bounced) VALUES ('2026-11-01', 1, 0, 0, 0)`,
      sql`UPDATE analytics_email_facts SET opened = true`,
      sql`DELETE FROM analytics_email_days`,
      sql`SELECT app.analytics_rebuild_email_days()`,
      sql`SELECT app.analytics_merge_email_days()`,
      sql`SELECT app.analytics_refresh_email(ARRAY[${leads.G0}]::uuid[], '{}')`,
      sql`SELECT * FROM app.analytics_email_facts_of(ARRAY[${leads.G0}]::uuid[])`,
    ]) {
      await assert.rejects(
        withActor(t.database.db, actorOf(t.admin), (tx) => statement.execute(tx)),
        (error: { code?: string }) => error.code === '42501',
      );
    }
  });
});
