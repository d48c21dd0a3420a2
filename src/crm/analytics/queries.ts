import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DateRange, Interval } from './date-range.js';

/**
 * The dashboard's SQL. Every query runs on the request's transaction as clara_app, so
 * row-level security decides which leads, calls, activities, opportunities and meetings are
 * counted: an agent's figures cover exactly what the agent can open.
 *
 * Ranges are [start, end) instants, compared with the indexed columns directly; only buckets
 * convert to local time (AT TIME ZONE), after the index has chosen the rows.
 */

/** A lead's furthest funnel step: 0 lead, 1 contacted, 2 qualified, 3 opportunity, 4 closed won. */
export const FUNNEL_STEPS = ['lead', 'contacted', 'qualified', 'opportunity', 'closed_won'] as const;

/** Call sentiment at or beyond this (either way) is positive or negative: the agent's own band. */
export const SENTIMENT_BAND = 0.15;

/** Activity types of the email channel: a send, and what the recipient's side reported. */
export const EMAIL_SENT_TYPES = ['email', 'email_sent'] as const;
export const EMAIL_OPENED = 'email_opened';
export const EMAIL_CLICKED = 'email_clicked';
export const EMAIL_BOUNCED = 'email_bounced';

/**
 * The leads created in the range (not in the trash), each with its furthest funnel step:
 * - closed won: in a won stage, or an opportunity from it was won;
 * - opportunity: converted (converted_at), or qualification opportunity/converted;
 * - qualified: sales qualified (BANT), the status the agent maps to the Qualified stage;
 * - contacted: any qualification verdict (MQL, disqualified), a stage past the first open one
 *   (a lost lead was worked), or a call with the lead.
 * The cheap tests on the lead's own row come first, so the EXISTS probes run only when needed.
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
               SELECT 1 FROM calls c WHERE c.lead_id = l.id AND c.deleted_at IS NULL) THEN 1
             ELSE 0
           END AS level
      FROM leads l
      LEFT JOIN pipeline_stages s ON s.id = l.pipeline_stage_id
      CROSS JOIN (SELECT min(order_position) AS first_position FROM pipeline_stages WHERE NOT is_won AND NOT is_lost) f
     WHERE l.created_at >= ${range.start}::timestamptz AND l.created_at < ${range.end}::timestamptz
       AND l.deleted_at IS NULL`;
}

function callsInRange(range: DateRange): RawBuilder<unknown> {
  return sql`
    SELECT c.user_id, c.duration_seconds, c.sentiment_score
      FROM calls c
     WHERE c.call_start_time >= ${range.start}::timestamptz AND c.call_start_time < ${range.end}::timestamptz
       AND c.deleted_at IS NULL`;
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
  scored: number;
  positive: number;
  neutral: number;
  negative: number;
  average_sentiment: number | null;
}

export interface EmailFigures {
  emailed: number;
  opened: number;
  clicked: number;
  bounced: number;
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
  count(sentiment_score)::int AS scored,
  count(*) FILTER (WHERE sentiment_score >= ${SENTIMENT_BAND})::int AS positive,
  count(*) FILTER (WHERE sentiment_score > ${-SENTIMENT_BAND} AND sentiment_score < ${SENTIMENT_BAND})::int AS neutral,
  count(*) FILTER (WHERE sentiment_score <= ${-SENTIMENT_BAND})::int AS negative,
  round(avg(sentiment_score), 3)::float8 AS average_sentiment`;

export async function selectLeadFigures(tx: Db, range: DateRange): Promise<LeadFigures> {
  const { rows } = await sql<LeadFigures>`SELECT ${leadCounts} FROM (${cohort(range)}) cohort`.execute(tx);
  return rows[0] as LeadFigures;
}

export async function selectCallFigures(tx: Db, range: DateRange): Promise<CallFigures> {
  const { rows } = await sql<CallFigures>`SELECT ${callCounts} FROM (${callsInRange(range)}) calls`.execute(tx);
  return rows[0] as CallFigures;
}

/**
 * Leads emailed in the range, and how many of them opened, clicked or bounced in it. Counted by
 * lead, not by event: providers report an open several times, and a rate above 100 % says nothing.
 */
export async function selectEmailFigures(tx: Db, range: DateRange): Promise<EmailFigures> {
  const { rows } = await sql<EmailFigures>`
    SELECT count(*)::int AS emailed,
           count(*) FILTER (WHERE opened)::int AS opened,
           count(*) FILTER (WHERE clicked)::int AS clicked,
           count(*) FILTER (WHERE bounced)::int AS bounced
      FROM (
        SELECT a.lead_id,
               bool_or(a.activity_type IN (${sql.join(EMAIL_SENT_TYPES)})) AS sent,
               bool_or(a.activity_type = ${EMAIL_OPENED}) AS opened,
               bool_or(a.activity_type = ${EMAIL_CLICKED}) AS clicked,
               bool_or(a.activity_type = ${EMAIL_BOUNCED}) AS bounced
          FROM activities a
         WHERE a.activity_type IN (${sql.join([...EMAIL_SENT_TYPES, EMAIL_OPENED, EMAIL_CLICKED, EMAIL_BOUNCED])})
           AND a.created_at >= ${range.start}::timestamptz AND a.created_at < ${range.end}::timestamptz
           AND a.deleted_at IS NULL AND a.lead_id IS NOT NULL
         GROUP BY a.lead_id
      ) per_lead
     WHERE sent`.execute(tx);
  return rows[0] as EmailFigures;
}

export interface LeadBucketRow {
  bucket: string;
  leads: number;
  qualified: number;
  won: number;
  p1: number;
}

/** New leads per local day, ISO week (from Monday) or month; every bucket of the range, empty ones too. */
export async function selectLeadsOverTime(tx: Db, range: DateRange, interval: Interval): Promise<LeadBucketRow[]> {
  const { rows } = await sql<LeadBucketRow>`
    WITH counted AS (
      SELECT date_trunc(${interval}, created_at AT TIME ZONE ${range.time_zone})::date AS bucket,
             count(*)::int AS leads,
             count(*) FILTER (WHERE level >= 2)::int AS qualified,
             count(*) FILTER (WHERE level = 4)::int AS won,
             count(*) FILTER (WHERE status_bucket = 'P1')::int AS p1
        FROM (${cohort(range)}) cohort
       GROUP BY 1
    )
    SELECT to_char(b.bucket, 'YYYY-MM-DD') AS bucket,
           coalesce(c.leads, 0) AS leads, coalesce(c.qualified, 0) AS qualified,
           coalesce(c.won, 0) AS won, coalesce(c.p1, 0) AS p1
      FROM generate_series(date_trunc(${interval}, ${range.from}::date::timestamp), ${range.to}::date::timestamp,
                           ${`1 ${interval}`}::interval) AS b(bucket)
      LEFT JOIN counted c ON c.bucket = b.bucket::date
     ORDER BY b.bucket`.execute(tx);
  return rows;
}

export interface SourceRow {
  source: string | null;
  leads: number;
  qualified: number;
  won: number;
}

export async function selectSources(tx: Db, range: DateRange): Promise<SourceRow[]> {
  const { rows } = await sql<SourceRow>`
    SELECT nullif(btrim(lead_source), '') AS source,
           count(*)::int AS leads,
           count(*) FILTER (WHERE level >= 2)::int AS qualified,
           count(*) FILTER (WHERE level = 4)::int AS won
      FROM (${cohort(range)}) cohort
     GROUP BY 1
     ORDER BY leads DESC, source NULLS LAST`.execute(tx);
  return rows;
}

export interface AgentRow extends LeadFigures, CallFigures {
  user_id: string | null;
  full_name: string | null;
  role: string | null;
  is_ai: boolean;
  is_active: boolean | null;
  talk_time_seconds: number;
  meetings: number;
}

/**
 * Per owner: the leads they own among those created in the range, the calls they took and the
 * meetings on their calendar in it (not cancelled). user_id null is the unassigned pool.
 */
export async function selectAgentRows(tx: Db, range: DateRange): Promise<AgentRow[]> {
  const { rows } = await sql<AgentRow>`
    WITH lead_stats AS (
      SELECT agent_id AS user_id, ${leadCounts} FROM (${cohort(range)}) cohort GROUP BY agent_id
    ), call_stats AS (
      SELECT user_id, ${callCounts}, coalesce(sum(duration_seconds), 0)::int AS talk_time_seconds
        FROM (${callsInRange(range)}) calls GROUP BY user_id
    ), meeting_stats AS (
      SELECT m.agent_id AS user_id, count(*)::int AS meetings
        FROM meetings m
       WHERE m.start_time >= ${range.start}::timestamptz AND m.start_time < ${range.end}::timestamptz
         AND m.deleted_at IS NULL AND m.status <> 'Cancelled'
       GROUP BY m.agent_id
    ), owners AS (
      SELECT user_id FROM lead_stats UNION SELECT user_id FROM call_stats UNION SELECT user_id FROM meeting_stats
    )
    SELECT o.user_id, u.full_name, u.role, coalesce(u.is_ai, false) AS is_ai, u.is_active,
           coalesce(ls.leads, 0) AS leads, coalesce(ls.contacted, 0) AS contacted,
           coalesce(ls.qualified, 0) AS qualified, coalesce(ls.opportunities, 0) AS opportunities,
           coalesce(ls.won, 0) AS won, coalesce(ls.p1, 0) AS p1, coalesce(ls.lost, 0) AS lost,
           coalesce(cs.calls, 0) AS calls, coalesce(cs.timed, 0) AS timed,
           cs.average_duration_seconds, coalesce(cs.talk_time_seconds, 0) AS talk_time_seconds,
           coalesce(cs.scored, 0) AS scored, coalesce(cs.positive, 0) AS positive,
           coalesce(cs.neutral, 0) AS neutral, coalesce(cs.negative, 0) AS negative, cs.average_sentiment,
           coalesce(ms.meetings, 0) AS meetings
      FROM owners o
      LEFT JOIN users u ON u.id = o.user_id
      LEFT JOIN lead_stats ls ON ls.user_id IS NOT DISTINCT FROM o.user_id
      LEFT JOIN call_stats cs ON cs.user_id IS NOT DISTINCT FROM o.user_id
      LEFT JOIN meeting_stats ms ON ms.user_id IS NOT DISTINCT FROM o.user_id
     ORDER BY leads DESC, calls DESC, u.full_name NULLS LAST`.execute(tx);
  return rows;
}
