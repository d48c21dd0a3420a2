/**
 * The dashboard's analytics: exact figures on a small known dataset, for each role, and the
 * refusal of bad ranges.
 *
 * Cast: an admin; manager Maya with agent Ann in her team; agent Bob outside it; a viewer; the
 * AI agent (its leads and unassigned ones form the shared pool). Rows are written as the owner
 * with fixed timestamps in November 2026, so every figure below can be counted by hand.
 *
 * lead  owner  created (UTC)      source    bucket stage / status                  furthest step
 * L1    Ann    11-03 10:00        website   P1     Qualified, sales_qualified      qualified
 * L2    Ann    11-03 11:00        website   P2     Closed Won                      closed won
 * L3    Ann    11-05              referral  P3     New Lead, a call                contacted
 * L4    Bob    11-10              referral  P1     converted                       opportunity
 * L5    Bob    11-10              (none)    P3     New Lead                        lead
 * L6    pool   11-17              website   P3     marketing_qualified             contacted
 * L7    AI     11-20              ai_voice  P1     Closed Lost                     contacted (lost)
 * L8    Ann    11-21 (trashed)    website   P1                                     not counted
 * L9    Bob    10-15              website   P1                                     before the range
 * L10   Bob    11-25              referral  P3     New Lead, opportunity won       closed won
 * L11   Ann    11-30 23:30        website   P3     New Lead                        lead (12-01 in Paris)
 * L12   Maya   11-01 00:30        partner   P2     New Lead                        lead
 * L13   Maya   10-31 23:30        partner   P3     New Lead                        lead (11-01 in Paris)
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { assertProblem } from '../support/crm-api.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

const NOVEMBER = 'from=2026-11-01&to=2026-11-30&tz=UTC';

describe('analytics', () => {
  let t: TestApp;
  let maya: TestUser;
  let ann: TestUser;
  let bob: TestUser;
  let viewer: TestUser;
  let aiId: string;

  const get = async (as: TestUser, path: string) => {
    const response = await t.app.inject({ method: 'GET', url: `/api/v1/analytics/${path}`, headers: as.headers });
    assert.equal(response.statusCode, 200, `${path}: ${response.body.slice(0, 500)}`);
    return response.json();
  };

  before(async () => {
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
    maya = await t.user('manager', { name: 'Maya Manager' });
    ann = await t.user('agent', { managerId: maya.id, name: 'Ann Agent' });
    bob = await t.user('agent', { name: 'Bob Agent' });
    viewer = await t.user('viewer', { name: 'Vic Viewer' });
    const db = t.database.db;
    aiId = (await db.selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow()).id;
    const stages = Object.fromEntries(
      (await db.selectFrom('pipeline_stages').select(['id', 'name']).execute()).map((stage) => [stage.name, stage.id]),
    );

    const leads: Record<string, string> = {};
    const lead = async (
      key: string,
      owner: string | null,
      createdAt: string,
      values: { source?: string; bucket?: string; stage?: string; status?: string; converted?: boolean; deleted?: boolean },
    ) => {
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
          converted_at: values.converted ? createdAt : null,
          deleted_at: values.deleted ? '2026-11-22T00:00:00Z' : null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      leads[key] = row.id;
    };
    await lead('L1', ann.id, '2026-11-03T10:00:00Z', { source: 'website', bucket: 'P1', stage: 'Qualified', status: 'sales_qualified' });
    await lead('L2', ann.id, '2026-11-03T11:00:00Z', { source: 'website', bucket: 'P2', stage: 'Closed Won' });
    await lead('L3', ann.id, '2026-11-05T09:00:00Z', { source: 'referral' });
    await lead('L4', bob.id, '2026-11-10T09:00:00Z', { source: 'referral', bucket: 'P1', stage: 'Demo Scheduled', status: 'converted', converted: true });
    await lead('L5', bob.id, '2026-11-10T10:00:00Z', {});
    await lead('L6', null, '2026-11-17T09:00:00Z', { source: 'website', status: 'marketing_qualified' });
    await lead('L7', aiId, '2026-11-20T09:00:00Z', { source: 'ai_voice', bucket: 'P1', stage: 'Closed Lost' });
    await lead('L8', ann.id, '2026-11-21T09:00:00Z', { source: 'website', bucket: 'P1', deleted: true });
    await lead('L9', bob.id, '2026-10-15T09:00:00Z', { source: 'website', bucket: 'P1' });
    await lead('L10', bob.id, '2026-11-25T09:00:00Z', { source: 'referral' });
    await lead('L11', ann.id, '2026-11-30T23:30:00Z', { source: 'website' });
    await lead('L12', maya.id, '2026-11-01T00:30:00Z', { source: 'partner', bucket: 'P2' });
    await lead('L13', maya.id, '2026-10-31T23:30:00Z', { source: 'partner' });

    await db
      .insertInto('opportunities')
      .values({ name: 'L10 deal', lead_id: leads.L10, agent_id: bob.id, status: 'won', amount: 5000 })
      .execute();

    const call = (lead: string, user: string, start: string, duration: number | null, sentiment: number | null, deleted = false) =>
      db
        .insertInto('calls')
        .values({
          lead_id: leads[lead],
          user_id: user,
          call_start_time: start,
          duration_seconds: duration,
          sentiment_score: sentiment,
          deleted_at: deleted ? start : null,
        })
        .execute();
    await call('L3', ann.id, '2026-11-06T10:00:00Z', 120, 0.5);
    await call('L4', bob.id, '2026-11-11T10:00:00Z', 300, -0.4);
    await call('L6', aiId, '2026-11-18T10:00:00Z', 60, 0.1);
    await call('L1', ann.id, '2026-11-04T10:00:00Z', null, null);
    await call('L9', bob.id, '2026-10-20T10:00:00Z', 1000, 0.9);
    await call('L2', ann.id, '2026-11-04T12:00:00Z', 500, 0.9, true);

    // Emails: each send (S) is counted in the range it was sent in, with what happened to it at
    // any time since. An open, click or bounce goes to the send its email_message_id names, or
    // else to the lead's latest send at or before it.
    const activity = (lead: string, type: string, at: string, messageId?: string) =>
      db
        .insertInto('activities')
        .values({
          lead_id: leads[lead],
          activity_type: type,
          created_at: at,
          created_by: t.admin.id,
          metadata: JSON.stringify(messageId ? { email_message_id: messageId } : {}),
        })
        .execute();
    const [m0, m1, m5] = ['0a000000-0000-4000-8000-000000000000', '1a000000-0000-4000-8000-000000000000', '5a000000-0000-4000-8000-000000000000'];
    await activity('L1', 'email_sent', '2026-11-04T08:00:00Z', m1); // S1
    await activity('L1', 'email_opened', '2026-11-04T09:00:00Z'); // S1 opened (latest send)
    await activity('L1', 'email_opened', '2026-11-05T09:00:00Z', m1); // S1 again: still one open
    await activity('L1', 'email_sent', '2026-11-20T10:00:00Z', m5); // S5
    await activity('L1', 'email_opened', '2026-11-21T09:00:00Z'); // S5 opened (latest send)
    await activity('L1', 'email_clicked', '2026-11-26T09:01:00Z', m1); // S1 clicked (named, though S5 is later)
    await activity('L2', 'email', '2026-11-04T08:00:00Z'); // S2, logged through the API
    await activity('L2', 'email_opened', '2026-11-06T08:00:00Z'); // S2 opened
    await activity('L4', 'email_sent', '2026-10-28T08:00:00Z', m0); // S0, before the range
    await activity('L4', 'email_sent', '2026-11-12T08:00:00Z'); // S3
    await activity('L4', 'email_bounced', '2026-11-12T08:00:05Z'); // S3 bounced
    await activity('L4', 'email_opened', '2026-11-13T08:00:00Z', m0); // S0 opened, not S3
    await activity('L6', 'email_sent', '2026-11-18T08:00:00Z'); // S4
    await activity('L6', 'email_opened', '2026-12-02T08:00:00Z'); // S4 opened after the range: counted
    await activity('L5', 'email_opened', '2026-11-11T08:00:00Z'); // no send before it: counted nowhere
    await activity('L9', 'email_sent', '2026-10-20T08:00:00Z'); // before the range
    await activity('L9', 'email_opened', '2026-11-02T08:00:00Z'); // opened in it: still not a send of the range

    const meeting = (lead: string, agent: string, start: string, status: string) =>
      db
        .insertInto('meetings')
        .values({
          lead_id: leads[lead],
          agent_id: agent,
          title: `Demo ${lead}`,
          start_time: start,
          end_time: new Date(Date.parse(start) + 1_800_000).toISOString(),
          status,
        })
        .execute();
    await meeting('L1', ann.id, '2026-11-10T15:00:00Z', 'Scheduled');
    await meeting('L4', bob.id, '2026-11-12T15:00:00Z', 'Cancelled');
    await meeting('L4', bob.id, '2026-11-13T15:00:00Z', 'Completed');
  });

  after(async () => {
    await t.close();
  });

  test('admin cards count every lead, call and email of the range', async () => {
    const summary = await get(t.admin, `summary?${NOVEMBER}`);
    assert.deepEqual(summary.range, {
      from: '2026-11-01',
      to: '2026-11-30',
      time_zone: 'UTC',
      start: '2026-11-01T00:00:00.000Z',
      end: '2026-12-01T00:00:00.000Z',
      days: 30,
    });
    assert.deepEqual(summary.leads, { new: 10, qualified: 4, p1: 3, won: 2, conversion_rate: 0.2 });
    assert.deepEqual(summary.calls, { total: 4, average_duration_seconds: 160, scored: 3, positive_sentiment_share: 0.3333 });
    // Sent in November: S1, S5 (L1), S2 (L2), S3 (L4), S4 (L6). Opened: S1, S5, S2, S4; clicked: S1; bounced: S3.
    assert.deepEqual(summary.email, {
      sent: 5,
      opened: 4,
      clicked: 1,
      bounced: 1,
      open_rate: 0.8,
      click_rate: 0.2,
      bounce_rate: 0.2,
    });
    assert.deepEqual((await get(viewer, `summary?${NOVEMBER}`)).leads, summary.leads, 'a viewer sees what an admin sees');
  });

  test('an agent counts only their own leads and the shared pool, and what hangs off them', async () => {
    const annSummary = await get(ann, `summary?${NOVEMBER}`);
    // L1, L2, L3, L11 (own) + L6, L7 (pool)
    assert.deepEqual(annSummary.leads, { new: 6, qualified: 2, p1: 2, won: 1, conversion_rate: 0.1667 });
    // C1, C4 (own) + C3 (on pool lead L6)
    assert.deepEqual(annSummary.calls, { total: 3, average_duration_seconds: 90, scored: 2, positive_sentiment_share: 0.5 });
    // S1, S5, S2 (own) + S4 (pool lead L6): all four opened, S1 clicked.
    assert.deepEqual(annSummary.email, {
      sent: 4,
      opened: 4,
      clicked: 1,
      bounced: 0,
      open_rate: 1,
      click_rate: 0.25,
      bounce_rate: 0,
    });

    const bobSummary = await get(bob, `summary?${NOVEMBER}`);
    // L4, L5, L10 + L6, L7
    assert.deepEqual(bobSummary.leads, { new: 5, qualified: 2, p1: 2, won: 1, conversion_rate: 0.2 });
    assert.deepEqual(bobSummary.calls, { total: 2, average_duration_seconds: 180, scored: 2, positive_sentiment_share: 0 });
    // S3 (own, bounced; the open names S0, sent in October) + S4 (pool, opened).
    assert.deepEqual(bobSummary.email, { sent: 2, opened: 1, clicked: 0, bounced: 1, open_rate: 0.5, click_rate: 0, bounce_rate: 0.5 });
  });

  test("a manager counts their own and their team's work, not other agents'", async () => {
    const summary = await get(maya, `summary?${NOVEMBER}`);
    // Ann's four, Maya's L12, the pool's two
    assert.deepEqual(summary.leads, { new: 7, qualified: 2, p1: 2, won: 1, conversion_rate: 0.1429 });
    assert.equal(summary.calls.total, 3);
    const agents = await get(maya, `agents?${NOVEMBER}`);
    assert.deepEqual(agents.agents.map((row: { name: string | null }) => row.name).sort(), [
      'Ann Agent',
      'Clara AI Agent',
      'Maya Manager',
      null,
    ].sort());
  });

  test('the funnel counts each lead at its furthest step, cumulatively', async () => {
    const funnel = await get(t.admin, `funnel?${NOVEMBER}`);
    assert.deepEqual(
      funnel.steps.map((step: { step: string; count: number }) => [step.step, step.count]),
      [['lead', 10], ['contacted', 7], ['qualified', 4], ['opportunity', 3], ['closed_won', 2]],
    );
    assert.deepEqual(funnel.steps[0], { step: 'lead', label: 'Lead', count: 10, rate_from_previous: null, rate_from_first: null });
    assert.deepEqual(funnel.steps[4], { step: 'closed_won', label: 'Closed Won', count: 2, rate_from_previous: 0.6667, rate_from_first: 0.2 });
    assert.equal(funnel.lost, 1);

    const annFunnel = await get(ann, `funnel?${NOVEMBER}`);
    assert.deepEqual(annFunnel.steps.map((step: { count: number }) => step.count), [6, 5, 2, 1, 1]);
  });

  test('leads over time: every bucket of the range, weeks from Monday, days in the asked time zone', async () => {
    const daily = await get(t.admin, `leads-over-time?${NOVEMBER}`);
    assert.equal(daily.interval, 'day');
    assert.equal(daily.points.length, 30);
    assert.deepEqual(daily.points[0], { bucket: '2026-11-01', leads: 1, qualified: 0, p1: 0, won: 0 });
    assert.deepEqual(daily.points[2], { bucket: '2026-11-03', leads: 2, qualified: 2, p1: 1, won: 1 });
    assert.deepEqual(daily.points[29], { bucket: '2026-11-30', leads: 1, qualified: 0, p1: 0, won: 0 });
    assert.equal(daily.points.reduce((sum: number, point: { leads: number }) => sum + point.leads, 0), 10);

    const weekly = await get(t.admin, `leads-over-time?${NOVEMBER}&interval=week`);
    assert.deepEqual(
      weekly.points.map((point: { bucket: string; leads: number }) => [point.bucket, point.leads]),
      [['2026-10-26', 1], ['2026-11-02', 3], ['2026-11-09', 2], ['2026-11-16', 2], ['2026-11-23', 1], ['2026-11-30', 1]],
    );

    // In Paris (UTC+1) L13 was created on November 1st and L11 on December 1st.
    const paris = await get(t.admin, 'leads-over-time?from=2026-11-01&to=2026-11-30&tz=Europe/Paris');
    assert.equal(paris.range.start, '2026-10-31T23:00:00.000Z');
    assert.deepEqual(paris.points[0], { bucket: '2026-11-01', leads: 2, qualified: 0, p1: 0, won: 0 });
    assert.equal(paris.points[29].leads, 0);
    assert.equal(paris.points.reduce((sum: number, point: { leads: number }) => sum + point.leads, 0), 10);
  });

  test('sources: largest first, the rest summed beyond the limit', async () => {
    const sources = await get(t.admin, `sources?${NOVEMBER}`);
    assert.equal(sources.total_leads, 10);
    assert.deepEqual(
      sources.sources.map((row: { source: string | null; leads: number; qualified: number; won: number }) => [row.source, row.leads, row.qualified, row.won]),
      [['website', 4, 2, 1], ['referral', 3, 2, 1], ['ai_voice', 1, 0, 0], ['partner', 1, 0, 0], [null, 1, 0, 0]],
    );
    assert.deepEqual(sources.sources[0], { source: 'website', leads: 4, share: 0.4, qualified: 2, won: 1, conversion_rate: 0.25 });
    const top = await get(t.admin, `sources?${NOVEMBER}&limit=2`);
    assert.equal(top.sources.length, 2);
    assert.deepEqual(top.other, { sources: 3, leads: 3 });
  });

  test('sentiment splits the scored calls at the agent band of +-0.15', async () => {
    const sentiment = await get(t.admin, `sentiment?${NOVEMBER}`);
    assert.deepEqual(sentiment, {
      range: sentiment.range,
      calls: 4,
      scored: 3,
      average_score: 0.067,
      breakdown: [
        { sentiment: 'positive', calls: 1, share: 0.3333 },
        { sentiment: 'neutral', calls: 1, share: 0.3333 },
        { sentiment: 'negative', calls: 1, share: 0.3333 },
      ],
    });
  });

  test('per-agent performance: one row per owner, the unassigned pool as a null user', async () => {
    const { agents } = await get(t.admin, `agents?${NOVEMBER}`);
    const byName = new Map(agents.map((row: { name: string | null }) => [row.name, row]));
    assert.equal(agents.length, 5);
    assert.deepEqual(byName.get('Ann Agent'), {
      user_id: ann.id,
      name: 'Ann Agent',
      role: 'agent',
      is_ai: false,
      is_active: true,
      leads: 4,
      qualified: 2,
      p1: 1,
      won: 1,
      conversion_rate: 0.25,
      calls: 2,
      talk_time_seconds: 120,
      average_call_duration_seconds: 120,
      average_sentiment: 0.5,
      positive_sentiment_share: 1,
      meetings: 1,
    });
    assert.deepEqual(
      [byName.get('Bob Agent')].map((row) => {
        const r = row as Record<string, unknown>;
        return [r.leads, r.qualified, r.won, r.calls, r.talk_time_seconds, r.meetings];
      }),
      [[3, 2, 1, 1, 300, 1]],
    );
    const ai = byName.get('Clara AI Agent') as Record<string, unknown>;
    assert.deepEqual([ai.is_ai, ai.leads, ai.calls], [true, 1, 1]);
    const pool = byName.get(null) as Record<string, unknown>;
    assert.deepEqual([pool.user_id, pool.leads, pool.calls], [null, 1, 0]);
    assert.equal(agents[0].name, 'Ann Agent', 'most leads first');

    const annView = await get(ann, `agents?${NOVEMBER}`);
    assert.deepEqual(annView.agents.map((row: { name: string | null }) => row.name), ['Ann Agent', 'Clara AI Agent', null]);
  });

  test('the dashboard answers everything at once, the same figures as the single endpoints', async () => {
    for (const who of [t.admin, ann]) {
      const dashboard = await get(who, `dashboard?${NOVEMBER}`);
      const { range: _s, ...summary } = await get(who, `summary?${NOVEMBER}`);
      const { range: _f, ...funnel } = await get(who, `funnel?${NOVEMBER}`);
      const { range: _l, ...sources } = await get(who, `sources?${NOVEMBER}`);
      const { range: _e, ...sentiment } = await get(who, `sentiment?${NOVEMBER}`);
      const over = await get(who, `leads-over-time?${NOVEMBER}`);
      const { agents } = await get(who, `agents?${NOVEMBER}`);
      assert.deepEqual(dashboard, {
        range: over.range,
        interval: 'day',
        summary,
        leads_over_time: over.points,
        funnel,
        sources,
        sentiment,
        agents,
      });
    }
  });

  test('defaults to the last 30 days in CLARA_TIMEZONE, and empty ranges give null rates', async () => {
    const summary = await get(t.admin, 'summary');
    assert.equal(summary.range.days, 30);
    assert.equal(summary.range.to, new Date().toISOString().slice(0, 10));
    const empty = await get(t.admin, 'summary?from=2020-01-01&to=2020-01-31');
    assert.deepEqual(empty.leads, { new: 0, qualified: 0, p1: 0, won: 0, conversion_rate: null });
    assert.deepEqual(empty.calls, { total: 0, average_duration_seconds: null, scored: 0, positive_sentiment_share: null });
    const monthly = await get(t.admin, 'leads-over-time?from=2025-12-01&to=2026-11-30');
    assert.equal(monthly.interval, 'week');
    const byMonth = await get(t.admin, 'leads-over-time?from=2025-12-01&to=2026-11-30&interval=month');
    assert.equal(byMonth.points.length, 12);
    assert.equal(byMonth.points.at(-1).leads, 10);
    assert.equal(byMonth.points.at(-2).leads, 2, 'L9 and L13 in October');
  });

  test('bad ranges and parameters answer 4xx problem+json', async () => {
    const cases: [string, number, string][] = [
      ['summary?from=2026-02-30', 400, 'invalid_date_range'],
      ['summary?from=2026-11-30&to=2026-11-01', 400, 'invalid_date_range'],
      ['summary?from=2020-01-01&to=2026-01-01', 400, 'invalid_date_range'],
      ['summary?tz=Mars/Olympus_Mons', 400, 'invalid_date_range'],
      ['leads-over-time?from=2025-01-01&to=2026-06-30&interval=day', 400, 'invalid_date_range'],
      ['summary?from=yesterday', 400, 'validation_failed'],
      ['summary?from=2026-11-01T00:00:00Z', 400, 'validation_failed'],
      ['leads-over-time?interval=hour', 400, 'validation_failed'],
      ['summary?unknown=1', 400, 'validation_failed'],
      ['sources?limit=0', 400, 'validation_failed'],
      ['dashboard?to=2026-13-01', 400, 'invalid_date_range'],
    ];
    for (const [path, status, code] of cases) {
      const response = await t.app.inject({ method: 'GET', url: `/api/v1/analytics/${path}`, headers: t.admin.headers });
      assertProblem(response, status, code);
    }
    const anonymous = await t.app.inject({ method: 'GET', url: '/api/v1/analytics/summary' });
    assertProblem(anonymous, 401, 'unauthorized');
  });

  test('the endpoints are in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json();
    for (const path of ['dashboard', 'summary', 'leads-over-time', 'funnel', 'sources', 'sentiment', 'agents']) {
      assert.ok(document.paths[`/api/v1/analytics/${path}`]?.get, path);
    }
    assert.ok(document.components.schemas.AnalyticsDashboard);
    // Writes through the owner above bypassed nothing the app role needs: the tables are intact.
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM leads`.execute(t.database.db);
    assert.equal(rows[0]?.n, 13);
  });
});
