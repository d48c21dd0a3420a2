import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DateRange, Interval } from './date-range.js';
import { emailFiguresQuery } from './email-figures.js';

/**
 * The dashboard's SQL. Every query runs on the request's transaction as clara_app, so
 * row-level security decides which leads, calls, activities, opportunities and meetings are
 * counted: an agent's figures cover exactly what the agent can open.
 *
 * Ranges are [start, end) instants, compared with the indexed columns directly; only buckets
 * convert to local time (AT TIME ZONE), after the index has chosen the rows.
 */

/**
 * Settings for the rest of the request's transaction. JIT off: row-level security's subplans
 * inflate the planner's cost estimates past jit_above_cost, and compiling the expressions took
 * 5 s on PostgreSQL 15 for a query that runs in 30 ms. More work_mem: grouping 70k email events
 * by lead spilled to disk at the default 4 MB.
 */
export async function tuneAnalyticsTransaction(tx: Db): Promise<void> {
  await sql`SELECT set_config('jit', 'off', true), set_config('work_mem', '32MB', true)`.execute(tx);
}

/** A lead's furthest funnel step: 0 lead, 1 contacted, 2 qualified, 3 opportunity, 4 closed won. */
export const FUNNEL_STEPS = ['lead', 'contacted', 'qualified', 'opportunity', 'closed_won'] as const;

/** Call sentiment at or beyond this (either way) is positive or negative: the agent's own band. */
export const SENTIMENT_BAND = 0.15;

/**
 * The leads created in the range (not in the trash), each with its furthest funnel step:
 * - closed won: in a won stage, or an opportunity from it was won;
 * - opportunity: converted (converted_at), or qualification opportunity/converted;
 * - qualified: sales qualified (BANT), the status the agent maps to the Qualified stage;
 * - contacted: any qualification verdict (MQL, disqualified), a stage past the first open one
 *   (a lost lead was worked), or a call with the lead since the range began (a day earlier:
 *   Clara creates the lead of an inbound call a few seconds after the call starts).
 * The tests on the lead's own row come first, so the EXISTS probes run only when needed; the
 * time bound lets PostgreSQL hash the range's calls instead of every call there is.
 */
function cohort(range: DateRange): RawBuilder<unknown> {
  return sql`
    SELECT l.agent_id, l.lead_source, l.status_bucket, l.created_at, coalesce(s.is_lost, false) AS lost,
           CASE
             WHEN s.is_won OR EXISTS (
               SELECT 1 FROM opportunities o WHERE o.lead_id = l.id AND o.status = 'won' AND o.deleted_at IS NULL) THEN 4
             WHEN l.converted_at IS NOT NULL OR l.qualification_status IN ('opportunity', 'converted') THEN 3
             WHEN l.qualification_status = 'sales_qualified' THEN 2
             WHEN l.qualification_status <> 'unqualified' OR s.order_position > f.first_position OR EXISTS (
               SELECT 1 FROM calls c
                WHERE c.lead_id = l.id AND c.deleted_at IS NULL
                  AND c.call_start_time >= ${range.start}::timestamptz - interval '1 day') THEN 1
             ELSE 0
           END AS level
      FROM leads l
      LEFT JOIN pipeline_stages s ON s.id = l.pipeline_stage_id
      CROSS JOIN (SELECT min(order_position) AS first_position FROM pipeline_stages WHERE NOT is_won AND NOT is_lost) f
     WHERE l.created_at >= ${range.start}::timestamptz AND l.created_at < ${range.end}::timestamptz
       AND l.deleted_at IS NULL
    -- A fence: without it PostgreSQL inlines the subquery and evaluates the CASE (and its
    -- EXISTS probes) once per aggregate that reads level instead of once per lead.
    OFFSET 0`;
}

export interface LeadFigures {
  leads: number;
  contacted: number;
  qualified: number;
  opportunities: number;
  won: number;
  p1: number;
  /** In a lost stage now (and never won). */
  lost: number;
}

export interface CallFigures {
  calls: number;
  timed: number;
  average_duration_seconds: number | null;
  talk_time_seconds: number;
  scored: number;
  positive: number;
  neutral: number;
  negative: number;
  average_sentiment: number | null;
}

const leadCounts = sql`
  count(*)::int AS leads,
  count(*) FILTER (WHERE level >= 1)::int AS contacted,
  count(*) FILTER (WHERE level >= 2)::int AS qualified,
  count(*) FILTER (WHERE level >= 3)::int AS opportunities,
  count(*) FILTER (WHERE level = 4)::int AS won,
  count(*) FILTER (WHERE status_bucket = 'P1')::int AS p1,
  count(*) FILTER (WHERE lost AND level < 4)::int AS lost`;

const callCounts = sql`
  count(*)::int AS calls,
  count(duration_seconds)::int AS timed,
  round(avg(duration_seconds), 1)::float8 AS average_duration_seconds,
  coalesce(sum(duration_seconds), 0)::bigint AS talk_time_seconds,
  count(sentiment_score)::int AS scored,
  count(*) FILTER (WHERE sentiment_score >= ${SENTIMENT_BAND})::int AS positive,
  count(*) FILTER (WHERE sentiment_score > ${-SENTIMENT_BAND} AND sentiment_score < ${SENTIMENT_BAND})::int AS neutral,
  count(*) FILTER (WHERE sentiment_score <= ${-SENTIMENT_BAND})::int AS negative,
  round(avg(sentiment_score), 3)::float8 AS average_sentiment`;

/** The ways to cut the range's leads; one pass over the leads serves every cut asked for. */
export interface LeadCuts {
  total?: boolean;
  /** New leads per local day, ISO week (from Monday) or month. */
  interval?: Interval;
  bySource?: boolean;
  byOwner?: boolean;
}

export interface LeadGroups {
  total?: LeadFigures;
  /** Bucket start (YYYY-MM-DD) -> figures; buckets without leads are absent. */
  buckets: Map<string, LeadFigures>;
  /** Source (null: none recorded) -> figures, largest first. */
  sources: { source: string | null; figures: LeadFigures }[];
  /** Owner id (null: unassigned) -> figures. */
  owners: Map<string | null, LeadFigures>;
}

/** The grouping sets, GROUPING() tests and keys of the cuts asked for, shared by both lead queries. */
function leadGrouping(cuts: LeadCuts) {
  const sets = [
    ...(cuts.total ? [sql`()`] : []),
    ...(cuts.interval ? [sql`(bucket)`] : []),
    ...(cuts.bySource ? [sql`(source)`] : []),
    ...(cuts.byOwner ? [sql`(agent_id)`] : []),
  ];
  // GROUPING() and the key may only name columns that some grouping set holds.
  const whens = [
    ...(cuts.interval ? [sql`WHEN grouping(bucket) = 0 THEN 'bucket'`] : []),
    ...(cuts.bySource ? [sql`WHEN grouping(source) = 0 THEN 'source'`] : []),
    ...(cuts.byOwner ? [sql`WHEN grouping(agent_id) = 0 THEN 'owner'`] : []),
  ];
  const keys = [
    ...(cuts.interval ? [sql`to_char(bucket, 'YYYY-MM-DD')`] : []),
    ...(cuts.bySource ? [sql`source`] : []),
    ...(cuts.byOwner ? [sql`agent_id::text`] : []),
  ];
  return {
    sets: sql.join(sets),
    kind: whens.length > 0 ? sql`CASE ${sql.join(whens, sql` `)} ELSE 'total' END` : sql`'total'`,
    key: keys.length > 0 ? sql`coalesce(${sql.join(keys)})` : sql`NULL`,
  };
}

type LeadGroupRow = LeadFigures & { kind: 'total' | 'bucket' | 'source' | 'owner'; key: string | null };

/**
 * The whole UTC days of a range, for the daily roll-ups: d0 the first UTC day starting at or
 * after the start, d1 the day after the last one ending by the end (d0 >= d1: none), and the
 * instants they start at. A CTE named `bounds` for partialUtcDays.
 */
const utcDayBounds = (range: DateRange) => sql`
  SELECT d0, d1, d0::timestamp AT TIME ZONE 'UTC' AS d0_at, d1::timestamp AT TIME ZONE 'UTC' AS d1_at
    FROM (SELECT ((${range.start}::timestamptz - interval '1 microsecond') AT TIME ZONE 'UTC')::date + 1 AS d0,
                 (${range.end}::timestamptz AT TIME ZONE 'UTC')::date AS d1) b`;

/** The range's partial UTC days at either end, as [s, e) instants (rows of s, e), read row by row. */
const partialUtcDays = (range: DateRange) => {
  const start = sql`${range.start}::timestamptz`;
  const end = sql`${range.end}::timestamptz`;
  return sql`
      SELECT ${start} AS s, least(${end}, d0_at) AS e FROM bounds WHERE ${start} < least(${end}, d0_at)
      UNION ALL
      SELECT greatest(${start}, d0_at, d1_at), ${end} FROM bounds WHERE greatest(${start}, d0_at, d1_at) < ${end}`;
};

/**
 * The lead figures from the daily roll-up of migration 017 (analytics_lead_days: per UTC day,
 * owner and source) and, for what is not a whole UTC day inside one chart bucket, the per-lead
 * facts it sums (analytics_lead_facts), both read under the leads' visibility rule. The whole
 * UTC days of the range come from the roll-up, but for those a local bucket boundary cuts (in a
 * time zone off UTC); those, and the partial days at the range's ends, are read lead by lead.
 * A year in UTC reads one roll-up row per day, owner and source instead of 100k leads, each with
 * its funnel probes. The same figures as leadGroupsFromLeadsQuery, which the tests compare it with.
 */
const leadGroupsQuery = (range: DateRange, cuts: LeadCuts) => {
  const { sets, kind, key } = leadGrouping(cuts);
  const start = sql`${range.start}::timestamptz`;
  const end = sql`${range.end}::timestamptz`;
  const bucketOf = (instant: RawBuilder<unknown>) =>
    cuts.interval ? sql`date_trunc(${cuts.interval}, ${instant} AT TIME ZONE ${range.time_zone})::date` : sql`NULL::date`;
  const dayStart = sql`(g AT TIME ZONE 'UTC')`;
  const dayLast = sql`((g + interval '1 day' - interval '1 microsecond') AT TIME ZONE 'UTC')`;
  return sql<LeadGroupRow>`
    WITH bounds AS (${utcDayBounds(range)}),
    -- The whole UTC days, each with its chart bucket; whole: no bucket boundary inside it.
    days AS (
      SELECT g::date AS day, ${bucketOf(dayStart)} AS bucket, ${bucketOf(dayStart)} IS NOT DISTINCT FROM ${bucketOf(dayLast)} AS whole
        FROM bounds, generate_series(d0::timestamp, (d1 - 1)::timestamp, interval '1 day') g
    ),
    -- Read lead by lead: the range's partial days at either end and the days a bucket boundary cuts.
    partial AS (
      ${partialUtcDays(range)}
      UNION ALL
      SELECT day::timestamp AT TIME ZONE 'UTC', (day + 1)::timestamp AT TIME ZONE 'UTC' FROM days WHERE NOT whole
    ),
    counted AS (
      SELECT d.bucket, r.agent_id, r.source, r.call_before, r.leads, r.contacted, r.qualified, r.opportunities, r.won, r.p1, r.lost
        FROM analytics_lead_days r JOIN days d ON d.day = r.day AND d.whole
       WHERE r.day >= (SELECT d0 FROM bounds) AND r.day < (SELECT d1 FROM bounds)
      UNION ALL
      SELECT ${bucketOf(sql`f.created_at`)}, f.agent_id, f.source, f.call_before, 1, (f.level >= 1)::int, (f.level >= 2)::int,
             (f.level >= 3)::int, (f.level = 4)::int, f.p1::int, f.lost::int
        FROM partial p JOIN analytics_lead_facts f ON f.created_at >= p.s AND f.created_at < p.e
    ),
    grouped AS (
      SELECT ${kind} AS kind, ${key} AS key,
             coalesce(sum(leads), 0)::int AS leads,
             -- A lead whose only calls are older than its creation was contacted in this range
             -- if one started at most a day before the range (the rule of cohort()).
             coalesce(sum(contacted + CASE WHEN call_before >= ${start} - interval '1 day' THEN leads ELSE 0 END), 0)::int AS contacted,
             coalesce(sum(qualified), 0)::int AS qualified,
             coalesce(sum(opportunities), 0)::int AS opportunities,
             coalesce(sum(won), 0)::int AS won,
             coalesce(sum(p1), 0)::int AS p1,
             coalesce(sum(lost), 0)::int AS lost
        FROM counted
       GROUP BY GROUPING SETS (${sets})
    )
    -- Unmerged delta rows can sum to nothing (a lead moved to another source): no such group.
    SELECT * FROM grouped WHERE kind = 'total' OR leads <> 0
     ORDER BY kind, leads DESC, key NULLS LAST`;
};

/**
 * The same figures straight from the leads (each with its funnel step, cohort()): what the
 * roll-up must always equal. The tests compare the two, role by role, after every kind of change.
 */
export const leadGroupsFromLeadsQuery = (range: DateRange, cuts: LeadCuts) => {
  const { sets, kind, key } = leadGrouping(cuts);
  return sql<LeadGroupRow>`
    SELECT ${kind} AS kind, ${key} AS key, ${leadCounts}
      FROM (
        SELECT cohort.*,
               ${cuts.interval ? sql`date_trunc(${cuts.interval}, created_at AT TIME ZONE ${range.time_zone})::date` : sql`NULL::date`} AS bucket,
               nullif(btrim(lead_source), '') AS source
          FROM (${cohort(range)}) cohort
      ) leads
     GROUP BY GROUPING SETS (${sets})
     ORDER BY kind, leads DESC, key NULLS LAST`;
};

export async function selectLeadGroups(tx: Db, range: DateRange, cuts: LeadCuts): Promise<LeadGroups> {
  return leadGroupsOf((await leadGroupsQuery(range, cuts).execute(tx)).rows);
}

export async function selectLeadGroupsFromLeads(tx: Db, range: DateRange, cuts: LeadCuts): Promise<LeadGroups> {
  return leadGroupsOf((await leadGroupsFromLeadsQuery(range, cuts).execute(tx)).rows);
}

function leadGroupsOf(rows: LeadGroupRow[]): LeadGroups {
  const groups: LeadGroups = { buckets: new Map(), sources: [], owners: new Map() };
  for (const { kind, key, ...figures } of rows) {
    if (kind === 'total') groups.total = figures;
    else if (kind === 'bucket' && key !== null) groups.buckets.set(key, figures);
    else if (kind === 'source') groups.sources.push({ source: key, figures });
    else if (kind === 'owner') groups.owners.set(key, figures);
  }
  return groups;
}

export interface CallGroups {
  total?: CallFigures;
  /** Call owner (calls.user_id; null: nobody) -> figures. */
  owners: Map<string | null, CallFigures>;
}

type CallCuts = { total?: boolean; byOwner?: boolean };
type CallGroupRow = CallFigures & { kind: 'total' | 'owner'; key: string | null };

/** The grouping sets, kind and key of the call cuts asked for, shared by both call queries. */
function callGrouping(cuts: CallCuts) {
  return {
    sets: sql.join([...(cuts.total ? [sql`()`] : []), ...(cuts.byOwner ? [sql`(user_id)`] : [])]),
    kind: cuts.byOwner ? sql`CASE WHEN grouping(user_id) = 0 THEN 'owner' ELSE 'total' END` : sql`'total'`,
    key: cuts.byOwner ? sql`user_id::text` : sql`NULL`,
  };
}

/**
 * The call figures from the daily roll-up of migration 022 (analytics_call_days: per UTC day,
 * call owner and lead owner) for the range's whole UTC days, and call by call from the facts it
 * sums (analytics_call_facts) for the partial days at its ends, both read under the calls'
 * visibility rule. The averages are the rounded quotients of exact sums, as avg() computes
 * them. A year reads one roll-up row per day and key instead of 150k calls, each with its
 * policy. The same figures as callGroupsFromCallsQuery, which the tests compare it with.
 */
const callGroupsQuery = (range: DateRange, cuts: CallCuts) => {
  const { sets, kind, key } = callGrouping(cuts);
  return sql<CallGroupRow>`
    WITH bounds AS (${utcDayBounds(range)}),
    partial AS (${partialUtcDays(range)}),
    counted AS (
      SELECT r.user_id, r.calls, r.timed, r.duration_sum, r.scored, r.positive, r.neutral, r.negative, r.sentiment_sum
        FROM analytics_call_days r
       WHERE r.day >= (SELECT d0 FROM bounds) AND r.day < (SELECT d1 FROM bounds)
      UNION ALL
      -- A call without a score gives NULL to the sentiment columns, which sum() leaves out.
      SELECT f.user_id, 1, (f.duration_seconds IS NOT NULL)::int, f.duration_seconds, (f.sentiment_score IS NOT NULL)::int,
             (f.sentiment_score >= ${SENTIMENT_BAND})::int,
             (f.sentiment_score > ${-SENTIMENT_BAND} AND f.sentiment_score < ${SENTIMENT_BAND})::int,
             (f.sentiment_score <= ${-SENTIMENT_BAND})::int, f.sentiment_score
        FROM partial p JOIN analytics_call_facts f ON f.started_at >= p.s AND f.started_at < p.e
    ),
    grouped AS (
      SELECT ${kind} AS kind, ${key} AS key,
             coalesce(sum(calls), 0)::int AS calls,
             coalesce(sum(timed), 0)::int AS timed,
             round(sum(duration_sum) / nullif(sum(timed), 0), 1)::float8 AS average_duration_seconds,
             coalesce(sum(duration_sum), 0)::bigint AS talk_time_seconds,
             coalesce(sum(scored), 0)::int AS scored,
             coalesce(sum(positive), 0)::int AS positive,
             coalesce(sum(neutral), 0)::int AS neutral,
             coalesce(sum(negative), 0)::int AS negative,
             round(sum(sentiment_sum) / nullif(sum(scored), 0), 3)::float8 AS average_sentiment
        FROM counted
       GROUP BY GROUPING SETS (${sets})
    )
    -- Unmerged delta rows can sum to nothing (a call moved to another owner): no such group.
    SELECT * FROM grouped WHERE kind = 'total' OR calls <> 0`;
};

/**
 * The same figures straight from the calls, under their own read policy: what the roll-up must
 * always equal. The tests compare the two, role by role, after every kind of change.
 */
export const callGroupsFromCallsQuery = (range: DateRange, cuts: CallCuts) => {
  const { sets, kind, key } = callGrouping(cuts);
  return sql<CallGroupRow>`
    SELECT ${kind} AS kind, ${key} AS key, ${callCounts}
      FROM calls c
     WHERE c.call_start_time >= ${range.start}::timestamptz AND c.call_start_time < ${range.end}::timestamptz
       AND c.deleted_at IS NULL
     GROUP BY GROUPING SETS (${sets})`;
};

/** Calls started in the range: counts, durations, sentiment; in total and/or per owner. */
export async function selectCallGroups(tx: Db, range: DateRange, cuts: CallCuts): Promise<CallGroups> {
  return callGroupsOf((await callGroupsQuery(range, cuts).execute(tx)).rows);
}

export async function selectCallGroupsFromCalls(tx: Db, range: DateRange, cuts: CallCuts): Promise<CallGroups> {
  return callGroupsOf((await callGroupsFromCallsQuery(range, cuts).execute(tx)).rows);
}

function callGroupsOf(rows: CallGroupRow[]): CallGroups {
  const groups: CallGroups = { owners: new Map() };
  for (const { kind, key, ...figures } of rows) {
    if (kind === 'total') groups.total = figures;
    else groups.owners.set(key, figures);
  }
  return groups;
}

/**
 * Meetings in the range that were not cancelled, per owner (null: nobody): the daily roll-up of
 * migration 022 (analytics_meeting_days) for the whole UTC days, the facts it sums for the
 * partial days at the ends, under the meetings' visibility rule. The same counts as
 * meetingsFromMeetingsQuery.
 */
const meetingsQuery = (range: DateRange) => sql<{ user_id: string | null; meetings: number }>`
    WITH bounds AS (${utcDayBounds(range)}),
    partial AS (${partialUtcDays(range)}),
    counted AS (
      SELECT r.agent_id, r.meetings
        FROM analytics_meeting_days r
       WHERE r.day >= (SELECT d0 FROM bounds) AND r.day < (SELECT d1 FROM bounds)
      UNION ALL
      SELECT f.agent_id, 1 FROM partial p JOIN analytics_meeting_facts f ON f.starts_at >= p.s AND f.starts_at < p.e
    )
    SELECT agent_id AS user_id, sum(meetings)::int AS meetings
      FROM counted
     GROUP BY agent_id
    -- Unmerged delta rows of a meeting handed to someone else sum to nothing for its old owner.
    HAVING sum(meetings) <> 0`;

/** The same counts straight from the meetings, under their own read policy, for the tests. */
export const meetingsFromMeetingsQuery = (range: DateRange) => sql<{ user_id: string | null; meetings: number }>`
    SELECT m.agent_id AS user_id, count(*)::int AS meetings
      FROM meetings m
     WHERE m.start_time >= ${range.start}::timestamptz AND m.start_time < ${range.end}::timestamptz
       AND m.deleted_at IS NULL AND m.status <> 'Cancelled'
     GROUP BY m.agent_id`;

export async function selectMeetingsByOwner(tx: Db, range: DateRange): Promise<Map<string | null, number>> {
  return new Map((await meetingsQuery(range).execute(tx)).rows.map((row) => [row.user_id, row.meetings]));
}

export async function selectMeetingsByOwnerFromMeetings(tx: Db, range: DateRange): Promise<Map<string | null, number>> {
  return new Map((await meetingsFromMeetingsQuery(range).execute(tx)).rows.map((row) => [row.user_id, row.meetings]));
}

export interface UserBrief {
  id: string;
  full_name: string;
  role: string;
  is_ai: boolean;
  is_active: boolean;
}

export async function selectUsers(tx: Db, ids: readonly string[]): Promise<Map<string, UserBrief>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<UserBrief>`
    SELECT id, full_name, role, is_ai, is_active FROM users WHERE id = ANY (${ids}::uuid[])`.execute(tx);
  return new Map(rows.map((row) => [row.id, row]));
}

/** The statements the endpoints run, by name, for the benchmark's EXPLAIN ANALYZE. */
export function analyticsStatements(range: DateRange, interval: Interval): Record<string, RawBuilder<unknown>> {
  return {
    leads_all_cuts: leadGroupsQuery(range, { total: true, interval, bySource: true, byOwner: true }),
    leads_total: leadGroupsQuery(range, { total: true }),
    leads_all_cuts_from_leads: leadGroupsFromLeadsQuery(range, { total: true, interval, bySource: true, byOwner: true }),
    calls_total_and_owners: callGroupsQuery(range, { total: true, byOwner: true }),
    calls_total_and_owners_from_calls: callGroupsFromCallsQuery(range, { total: true, byOwner: true }),
    email: emailFiguresQuery(range),
    meetings: meetingsQuery(range),
    meetings_from_meetings: meetingsFromMeetingsQuery(range),
  };
}
