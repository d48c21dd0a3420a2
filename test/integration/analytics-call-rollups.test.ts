/**
 * The call and meeting roll-ups of migration 022 (analytics_call_facts/_days,
 * analytics_meeting_facts/_days) give exactly the figures computed straight from the calls and
 * meetings under their own read policies, for every role, in total and per owner, over ranges in
 * several time zones (partial UTC days at both ends), after every kind of change: a call created,
 * its duration or sentiment changed (across the +-0.15 band), trashed, restored, hard deleted,
 * moved to another lead, user or day; its lead reassigned or deleted; a meeting created,
 * cancelled, rescheduled, reassigned, deleted; two transactions at once; deltas merged; a rebuild.
 * And requests read the roll-ups only under the calls' and meetings' rule, and never write them.
 *
 * Cast: an admin, a viewer, manager Maya with agent Ann, agent Bob outside the team, the AI
 * agent (its leads and unassigned ones are the shared pool).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import type { Actor } from '../../src/auth/actor.js';
import { resolveDateRange } from '../../src/crm/analytics/date-range.js';
import { mergeCallDays, mergeMeetingDays } from '../../src/crm/analytics/merge-call-meeting-days.js';
import {
  selectCallGroups,
  selectCallGroupsFromCalls,
  selectMeetingsByOwner,
  selectMeetingsByOwnerFromMeetings,
} from '../../src/crm/analytics/queries.js';
import { withActor } from '../../src/db/with-actor.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/** Whole UTC days, local days off UTC (partial UTC days at both ends), DST, half-hour zones. */
const RANGES: { from?: string; to?: string; tz: string }[] = [
  { from: '2026-10-01', to: '2026-11-30', tz: 'UTC' },
  { from: '2026-10-01', to: '2026-11-30', tz: 'Europe/Paris' },
  { from: '2026-10-25', to: '2026-11-14', tz: 'America/New_York' },
  { from: '2026-09-01', to: '2026-11-30', tz: 'Asia/Kolkata' },
  { from: '2026-10-10', to: '2026-10-11', tz: 'Pacific/Auckland' },
  { from: '2026-10-10', to: '2026-10-10', tz: 'UTC' },
  { from: '2026-10-12', to: '2026-10-12', tz: 'America/Los_Angeles' },
  { from: '2025-12-01', to: '2026-11-30', tz: 'America/Los_Angeles' },
  { tz: 'UTC' },
];

describe('analytics call and meeting roll-ups', () => {
  let t: TestApp;
  let maya: TestUser;
  let ann: TestUser;
  let bob: TestUser;
  let viewer: TestUser;
  let aiId: string;
  const leads: Record<string, string> = {};
  const calls: string[] = [];
  const meetings: string[] = [];

  const actorOf = (user: TestUser): Actor => ({ userId: user.id, role: user.role, email: user.email, fullName: user.email, via: 'session' });
  const roles = () => ({ admin: t.admin, viewer, maya, ann, bob });
  const db = () => t.database.db;

  /** Roll-up and direct figures, per role and range, must be the same. */
  const assertSameFigures = async (when: string) => {
    let adminCalls = 0;
    let adminMeetings = 0;
    for (const [name, user] of Object.entries(roles())) {
      for (const spec of RANGES) {
        const range = resolveDateRange({ from: spec.from, to: spec.to, tz: spec.tz }, 'UTC');
        const cuts = { total: true, byOwner: true };
        const [rolled, direct, rolledMeetings, directMeetings] = await withActor(db(), actorOf(user), async (tx) => [
          await selectCallGroups(tx, range, cuts),
          await selectCallGroupsFromCalls(tx, range, cuts),
          await selectMeetingsByOwner(tx, range),
          await selectMeetingsByOwnerFromMeetings(tx, range),
        ]);
        const label = `${when}: ${name}, ${spec.from ?? 'default'}..${spec.to ?? ''} ${spec.tz}`;
        assert.deepEqual(rolled, direct, `${label}, calls`);
        assert.deepEqual(rolledMeetings, directMeetings, `${label}, meetings`);
        if (name === 'admin') {
          adminCalls += (direct as Awaited<ReturnType<typeof selectCallGroups>>).total?.calls ?? 0;
          adminMeetings += [...(directMeetings as Map<string | null, number>).values()].reduce((a, b) => a + b, 0);
        }
      }
    }
    assert.ok(adminCalls > 0 && adminMeetings > 0, `${when}: the ranges hold calls and meetings`);
  };

  const count = async (table: string) =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(db())).rows[0]?.n ?? 0;
  const api = async (as: TestUser, method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: Record<string, unknown>) => {
    const response = await t.app.inject({ method, url, headers: as.headers, ...(payload ? { payload } : {}) });
    assert.ok(response.statusCode < 300, `${method} ${url}: ${response.statusCode} ${response.body}`);
    return response.statusCode === 204 ? undefined : response.json();
  };

  before(async () => {
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
    maya = await t.user('manager', { name: 'Maya Manager' });
    ann = await t.user('agent', { managerId: maya.id, name: 'Ann Agent' });
    bob = await t.user('agent', { name: 'Bob Agent' });
    viewer = await t.user('viewer', { name: 'Vic Viewer' });
    aiId = (await db().selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow()).id;

    // A lead per owner (two for Bob), the AI agent's and an unassigned one in the shared pool.
    const leadOwners: [string, string | null][] = [
      ['ann', ann.id], ['bob', bob.id], ['bob2', bob.id], ['maya', maya.id], ['ai', aiId], ['pool', null], ['spare', ann.id],
    ];
    for (const [key, owner] of leadOwners) {
      leads[key] = (await db().insertInto('leads').values({ contact_person: key, agent_id: owner }).returning('id').executeTakeFirstOrThrow()).id;
    }
    // Calls at times off UTC midnight and near local midnights, by every owner, with every kind
    // of lead (and none), durations (and none), scores on and beside the band's edges (and none).
    const callOwners = [ann.id, bob.id, maya.id, aiId, null];
    const callLeads = [leads.ann, leads.bob, null, leads.maya, leads.ai, leads.pool, leads.bob2];
    const durations = [null, 0, 17, 240, 61, 3599];
    const scores = [null, 0.15, -0.15, 0.149, -0.149, 0.9, -1, 0, 0.333];
    for (let i = 0; i < 90; i += 1) {
      const at = new Date(Date.parse('2026-09-25T00:00:00Z') + i * 17 * 3_600_000 + (i % 5) * 1_800_000 + 1).toISOString();
      const row = await db()
        .insertInto('calls')
        .values({
          user_id: callOwners[i % callOwners.length] ?? null,
          lead_id: callLeads[i % callLeads.length] ?? null,
          call_start_time: at,
          duration_seconds: durations[i % durations.length] ?? null,
          sentiment_score: scores[i % scores.length] ?? null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      calls.push(row.id);
    }
    const statuses = ['Scheduled', 'Completed', 'Cancelled', 'Rescheduled', 'No Show'];
    const meetingLeads = [leads.ann, leads.bob, leads.maya, leads.ai, leads.pool, null];
    for (let i = 0; i < 40; i += 1) {
      const start = Date.parse('2026-09-28T00:00:00Z') + i * 31 * 3_600_000 + (i % 3) * 1_800_000;
      const row = await db()
        .insertInto('meetings')
        .values({
          agent_id: callOwners[i % callOwners.length] ?? null,
          lead_id: meetingLeads[i % meetingLeads.length] ?? null,
          title: `Meeting ${i}`,
          start_time: new Date(start).toISOString(),
          end_time: new Date(start + 1_800_000).toISOString(),
          status: statuses[i % statuses.length],
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      meetings.push(row.id);
    }
  });

  after(async () => {
    await t.close();
  });

  test('the roll-ups equal the figures straight from the calls and meetings, for every role and range', async () => {
    await assertSameFigures('as loaded');
    // And the admin's figures equal an independent count of the rows, as the owner.
    const range = resolveDateRange({ from: '2025-12-01', to: '2026-11-30', tz: 'UTC' }, 'UTC');
    const figures = await withActor(db(), actorOf(t.admin), (tx) => selectCallGroups(tx, range, { total: true }));
    const { rows } = await sql<{ calls: number; positive: number; negative: number; avg: number }>`
      SELECT count(*)::int AS calls, count(*) FILTER (WHERE sentiment_score >= 0.15)::int AS positive,
             count(*) FILTER (WHERE sentiment_score <= -0.15)::int AS negative, round(avg(sentiment_score), 3)::float8 AS avg
        FROM calls WHERE deleted_at IS NULL`.execute(db());
    assert.deepEqual(
      { calls: figures.total?.calls, positive: figures.total?.positive, negative: figures.total?.negative, avg: figures.total?.average_sentiment },
      rows[0],
    );
    assert.ok((await count('analytics_call_days')) > 0 && (await count('analytics_meeting_days')) > 0, 'the roll-ups hold rows');
  });

  test('a call created, rescored, re-timed, trashed, restored and hard deleted stays counted right', async () => {
    const created = await api(ann, 'POST', '/api/v1/calls', {
      lead_id: leads.ann,
      call_type: 'manual',
      call_start_time: '2026-10-10T23:30:00Z',
      duration_seconds: 95,
      sentiment_score: 0.2,
    });
    calls.push(created.id);
    await assertSameFigures('after a call is created through the API');

    await db().updateTable('calls').set({ duration_seconds: 1234 }).where('id', '=', calls[0] as string).execute();
    await db().updateTable('calls').set({ duration_seconds: null }).where('id', '=', calls[3] as string).execute();
    await db().updateTable('calls').set({ sentiment_score: -0.15 }).where('id', '=', calls[1] as string).execute();
    await db().updateTable('calls').set({ sentiment_score: null }).where('id', '=', calls[5] as string).execute();
    await db().updateTable('calls').set({ sentiment_score: 0.149 }).where('id', '=', created.id).execute();
    await db().updateTable('calls').set({ call_start_time: '2026-10-12T07:59:00Z' }).where('id', '=', calls[6] as string).execute();
    await assertSameFigures('after durations, scores and a start time changed');

    await api(ann, 'DELETE', `/api/v1/calls/${created.id}`);
    await db().updateTable('calls').set({ deleted_at: '2026-11-20T00:00:00Z' }).where('id', 'in', [calls[7], calls[8]] as string[]).execute();
    await assertSameFigures('after calls are trashed');
    await db().updateTable('calls').set({ deleted_at: null }).where('id', 'in', [created.id, calls[7]] as string[]).execute();
    await assertSameFigures('after calls are restored');
    await db().deleteFrom('calls').where('id', 'in', [calls[9], calls[10], calls[8]] as string[]).execute();
    await assertSameFigures('after calls are hard deleted (one of them in the trash)');
  });

  test('an edit that changes nothing counted appends nothing', async () => {
    const before = { days: await count('analytics_call_days'), facts: await count('analytics_call_facts') };
    await api(ann, 'PATCH', `/api/v1/calls/${calls[0]}`, { notes: 'called back', outcome: 'completed' });
    await db().updateTable('calls').set({ transcript: 'hello', summary: 'short' }).where('id', 'in', calls.slice(0, 20)).execute();
    assert.deepEqual({ days: await count('analytics_call_days'), facts: await count('analytics_call_facts') }, before);
    const meetingRows = await count('analytics_meeting_days');
    await db().updateTable('meetings').set({ title: 'Renamed', status: 'Completed' }).where('id', '=', meetings[0] as string).execute();
    assert.equal(await count('analytics_meeting_days'), meetingRows, 'Scheduled to Completed counts the same');
  });

  test('a call moved to another lead, another user, or no lead, and its lead reassigned or deleted', async () => {
    await db().updateTable('calls').set({ lead_id: leads.bob }).where('id', '=', calls[11] as string).execute();
    await db().updateTable('calls').set({ user_id: bob.id }).where('id', '=', calls[12] as string).execute();
    await db().updateTable('calls').set({ lead_id: null, user_id: maya.id }).where('id', '=', calls[13] as string).execute();
    await api(ann, 'PATCH', `/api/v1/calls/${calls[14]}`, { lead_id: leads.spare });
    await assertSameFigures('after calls moved');

    // Bob's leads go to Ann (bulk, through the API), the pool's lead to Maya, Maya's to nobody.
    const assigned = await t.app.inject({
      method: 'POST',
      url: '/api/v1/leads/bulk',
      headers: t.admin.headers,
      payload: { action: 'assign', ids: [leads.bob, leads.bob2], agent_id: ann.id },
    });
    assert.equal(assigned.statusCode, 200, assigned.body);
    await db().updateTable('leads').set({ agent_id: maya.id }).where('id', '=', leads.pool as string).execute();
    await db().updateTable('leads').set({ agent_id: null }).where('id', '=', leads.maya as string).execute();
    await assertSameFigures('after leads are reassigned');

    // A hard delete: the calls lose their lead (ON DELETE SET NULL), the meetings go (CASCADE).
    const orphaned = await db().selectFrom('calls').select('id').where('lead_id', '=', leads.bob2 as string).execute();
    assert.ok(orphaned.length > 0);
    await db().deleteFrom('leads').where('id', 'in', [leads.bob2, leads.ai] as string[]).execute();
    await assertSameFigures('after leads are hard deleted');
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM analytics_call_facts WHERE call_id IN (${sql.join(orphaned.map((row) => row.id))}) AND NOT has_lead`.execute(db());
    assert.equal(rows[0]?.n, orphaned.length, 'the calls of the deleted lead are counted without a lead');
  });

  test('a meeting created, cancelled, restored, rescheduled, reassigned and deleted stays counted right', async () => {
    const created = await api(ann, 'POST', '/api/v1/meetings', {
      lead_id: leads.ann,
      title: 'Demo',
      start_time: '2026-10-10T22:00:00Z',
      end_time: '2026-10-10T23:00:00Z',
    });
    meetings.push(created.id);
    await assertSameFigures('after a meeting is created through the API');
    await api(ann, 'PATCH', `/api/v1/meetings/${created.id}`, { status: 'Cancelled' });
    await db().updateTable('meetings').set({ status: 'Cancelled' }).where('id', '=', meetings[1] as string).execute();
    await assertSameFigures('after meetings are cancelled');
    await db().updateTable('meetings').set({ status: 'Rescheduled' }).where('id', '=', created.id).execute();
    await db()
      .updateTable('meetings')
      .set({ start_time: '2026-10-12T06:30:00Z', end_time: '2026-10-12T07:30:00Z' })
      .where('id', '=', meetings[3] as string)
      .execute();
    await db().updateTable('meetings').set({ agent_id: bob.id }).where('id', '=', meetings[4] as string).execute();
    await db().updateTable('meetings').set({ lead_id: leads.spare }).where('id', '=', meetings[5] as string).execute();
    await assertSameFigures('after meetings are restored, rescheduled and reassigned');
    await db().updateTable('meetings').set({ deleted_at: '2026-11-01T00:00:00Z' }).where('id', '=', meetings[6] as string).execute();
    await db().deleteFrom('meetings').where('id', 'in', [meetings[7], created.id] as string[]).execute();
    await assertSameFigures('after meetings are trashed and deleted');
  });

  test('a change waits for a concurrent reassignment of the call’s lead and counts after it', async () => {
    // One transaction changes a call's duration and a meeting of the same lead and has not
    // committed while another hands that lead to someone else; the second must move the call and
    // the meeting with their new figures once the first commits.
    const target = leads.ann as string;
    const call = (await db().selectFrom('calls').select('id').where('lead_id', '=', target).executeTakeFirstOrThrow()).id;
    const meeting = (await db().selectFrom('meetings').select('id').where('lead_id', '=', target).executeTakeFirstOrThrow()).id;
    const first = db().transaction().execute(async (tx) => {
      await tx.updateTable('calls').set({ duration_seconds: 4321, sentiment_score: -0.5 }).where('id', '=', call).execute();
      await tx.updateTable('meetings').set({ status: 'Scheduled', agent_id: maya.id }).where('id', '=', meeting).execute();
      let settled = false;
      const second = db().updateTable('leads').set({ agent_id: bob.id }).where('id', '=', target).execute();
      void second.finally(() => (settled = true)).catch(() => {});
      // Commit only once the second is waiting for this transaction's lock of the lead.
      while (!settled) {
        const { rows } = await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(db());
        if ((rows[0]?.n ?? 0) > 0) break;
      }
      return { second };
    });
    await (await first).second;
    const { rows } = await sql<{ lead_owner: string }>`SELECT lead_owner FROM analytics_call_facts WHERE call_id = ${call}`.execute(db());
    assert.equal(rows[0]?.lead_owner, bob.id);
    await assertSameFigures('after concurrent changes to one lead');
  });

  test('merging the deltas keeps the figures and leaves one row per key; a rebuild gives the same rows', async () => {
    const callRows = async () =>
      (
        await sql<Record<string, unknown>>`
          SELECT day::text, user_id, has_lead, lead_owner, sum(calls)::int AS calls, sum(timed)::int AS timed,
                 sum(duration_sum)::text AS duration_sum, sum(scored)::int AS scored, sum(positive)::int AS positive,
                 sum(neutral)::int AS neutral, sum(negative)::int AS negative, sum(sentiment_sum)::text AS sentiment_sum
            FROM analytics_call_days GROUP BY 1, 2, 3, 4 HAVING sum(calls) <> 0 ORDER BY 1, 2, 3, 4`.execute(db())
      ).rows;
    const meetingRows = async () =>
      (
        await sql<Record<string, unknown>>`
          SELECT day::text, agent_id, has_lead, lead_owner, sum(meetings)::int AS meetings
            FROM analytics_meeting_days GROUP BY 1, 2, 3, 4 HAVING sum(meetings) <> 0 ORDER BY 1, 2, 3, 4`.execute(db())
      ).rows;
    const facts = async () =>
      (await sql`SELECT * FROM analytics_call_facts ORDER BY call_id`.execute(db())).rows.concat(
        (await sql`SELECT * FROM analytics_meeting_facts ORDER BY meeting_id`.execute(db())).rows,
      );
    const before = { calls: await callRows(), meetings: await meetingRows(), facts: await facts() };
    assert.ok((await mergeCallDays.run(db())) > 0, 'the worker task merged call rows');
    assert.ok((await mergeMeetingDays.run(db())) > 0, 'the worker task merged meeting rows');
    const { rows: shape } = await sql<Record<string, number>>`
      SELECT (SELECT count(*) FROM analytics_call_days WHERE NOT merged)::int AS calls_unmerged,
             (SELECT count(*) FROM analytics_meeting_days WHERE NOT merged)::int AS meetings_unmerged,
             (SELECT count(*) FROM (SELECT 1 FROM analytics_call_days GROUP BY day, user_id, has_lead, lead_owner HAVING count(*) > 1) d)::int AS calls_duplicates,
             (SELECT count(*) FROM (SELECT 1 FROM analytics_meeting_days GROUP BY day, agent_id, has_lead, lead_owner HAVING count(*) > 1) d)::int AS meetings_duplicates`.execute(db());
    assert.deepEqual(shape[0], { calls_unmerged: 0, meetings_unmerged: 0, calls_duplicates: 0, meetings_duplicates: 0 });
    assert.deepEqual({ calls: await callRows(), meetings: await meetingRows(), facts: await facts() }, before);
    await assertSameFigures('after merging');
    await sql`SELECT app.analytics_rebuild_call_days(), app.analytics_rebuild_meeting_days()`.execute(db());
    assert.deepEqual(
      { calls: await callRows(), meetings: await meetingRows(), facts: await facts() },
      before,
      'a rebuild from the calls and meetings gives what the triggers kept',
    );
    await assertSameFigures('after a rebuild');
  });

  test('requests read the roll-ups under the calls and meetings rules, role by role, and cannot write them', async () => {
    const visible = async (user: TestUser) =>
      withActor(db(), actorOf(user), async (tx) => {
        const n = async (query: ReturnType<typeof sql<{ n: number }>>) => (await query.execute(tx)).rows[0]?.n;
        return {
          callFacts: await n(sql`SELECT count(*)::int AS n FROM analytics_call_facts`),
          calls: await n(sql`SELECT count(*)::int AS n FROM calls WHERE deleted_at IS NULL`),
          callDays: await n(sql`SELECT coalesce(sum(calls), 0)::int AS n FROM analytics_call_days`),
          meetingFacts: await n(sql`SELECT count(*)::int AS n FROM analytics_meeting_facts`),
          meetings: await n(sql`SELECT count(*)::int AS n FROM meetings WHERE deleted_at IS NULL AND status <> 'Cancelled'`),
          meetingDays: await n(sql`SELECT coalesce(sum(meetings), 0)::int AS n FROM analytics_meeting_days`),
        };
      });
    const everything = await visible(t.admin);
    for (const [name, user] of Object.entries(roles())) {
      const seen = await visible(user);
      assert.equal(seen.callFacts, seen.calls, `${name} reads the facts of the live calls they may open`);
      assert.equal(seen.callDays, seen.calls, `${name} sums the calls they may open`);
      assert.equal(seen.meetingFacts, seen.meetings, `${name} reads the facts of the meetings they may open`);
      assert.equal(seen.meetingDays, seen.meetings, `${name} sums the meetings they may open`);
      if (name === 'ann' || name === 'bob') {
        assert.ok((seen.calls ?? 0) < (everything.calls ?? 0) && (seen.meetings ?? 0) < (everything.meetings ?? 0), `${name} sees less than everyone`);
      }
    }

    for (const statement of [
      sql`INSERT INTO analytics_call_days (day, has_lead, calls, timed, duration_sum, scored, positive, neutral, negative, sentiment_sum) VALUES ('2026-11-01', false, 1, 0, 0, 0, 0, 0, 0, 0)`,
      sql`UPDATE analytics_call_facts SET duration_seconds = 1`,
      sql`DELETE FROM analytics_meeting_days`,
      sql`INSERT INTO analytics_meeting_facts (meeting_id, starts_at, has_lead) VALUES (gen_random_uuid(), now(), false)`,
      sql`SELECT app.analytics_rebuild_call_days()`,
      sql`SELECT app.analytics_rebuild_meeting_days()`,
      sql`SELECT app.analytics_merge_call_days()`,
      sql`SELECT app.analytics_refresh_calls(ARRAY[${calls[0]}]::uuid[])`,
      sql`SELECT app.analytics_refresh_meetings(ARRAY[${meetings[0]}]::uuid[])`,
    ]) {
      await assert.rejects(
        withActor(db(), actorOf(t.admin), (tx) => statement.execute(tx)),
        (error: { code?: string }) => error.code === '42501',
      );
    }
  });
});
