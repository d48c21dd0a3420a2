/** Data for bench/analytics.ts: the shapes the dashboard's queries care about, generated in SQL. */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

export interface SeedOptions {
  leads: number;
  activitiesPerLead: number;
  /**
   * When a lead's calls and activities happen between its creation and now: 'early' (most in
   * its first weeks, a long tail; fraction random()^3 of its age, median an eighth) or
   * 'uniform' (anywhere, so a month-old lead is as busy today as on its first day; the last 30
   * days then hold 29 % of a year's activity).
   */
  spread: 'early' | 'uniform';
  /** Agents owning 95 % of the leads. */
  owners: string[];
  /** The AI user: 2.5 % of the leads, and the calls of pool leads. */
  aiId: string;
  log(line: string): void;
}

/**
 * Leads, calls, activities, opportunities and meetings, generated in SQL as the owner with the
 * per-row triggers off (seeding speed is not what is measured). Shapes that matter to the
 * queries: creation spread evenly over a year; 95 % owned by the agents, 2.5 % by the AI, 2.5 %
 * unassigned; qualification 45/25/13/7/5/5 % unqualified/MQL/SQL/opportunity/converted/
 * disqualified with matching stages; 2 % in the trash.
 */
export async function seedAnalytics(client: pg.Client, options: SeedOptions): Promise<Record<string, number>> {
  const { owners, aiId, log } = options;
  const spread = options.spread === 'early' ? 'power(random(), 3)' : 'random()';
  await client.query('SELECT setseed(0.2026)');
  await client.query('SET session_replication_role = replica');
  const counts: Record<string, number> = {};
  const timed = async (name: string, text: string, params: unknown[] = []) => {
    const started = performance.now();
    const { rowCount } = await client.query(text, params);
    counts[name] = rowCount ?? 0;
    log(`  ${name}: ${rowCount} rows in ${seconds(started)}`);
  };
  try {
    await timed(
      'leads',
      `
      WITH base AS (
        SELECT g, random() AS r_owner, random() AS r_q, random() AS r_stage, random() AS r_b, random() AS r_del,
               now() - random() * interval '365 days' AS created
          FROM generate_series(1, $1::int) AS g
      ), shaped AS (
        SELECT b.*,
               CASE WHEN r_owner < 0.025 THEN $3::uuid WHEN r_owner < 0.05 THEN NULL
                    ELSE ($2::uuid[])[1 + floor((r_owner - 0.05) / 0.95 * cardinality($2::uuid[]))::int] END AS owner,
               CASE WHEN r_q < 0.45 THEN 'unqualified' WHEN r_q < 0.70 THEN 'marketing_qualified'
                    WHEN r_q < 0.83 THEN 'sales_qualified' WHEN r_q < 0.90 THEN 'opportunity'
                    WHEN r_q < 0.95 THEN 'converted' ELSE 'disqualified' END AS status
          FROM base b
      ), staged AS (
        SELECT s.*,
               CASE s.status
                 WHEN 'unqualified' THEN 1 WHEN 'marketing_qualified' THEN 2 WHEN 'sales_qualified' THEN 3
                 WHEN 'opportunity' THEN CASE WHEN r_stage < 0.6 THEN 4 ELSE 5 END
                 WHEN 'converted' THEN CASE WHEN r_stage < 0.3 THEN 6 WHEN r_stage < 0.8 THEN 7 ELSE 8 END
                 ELSE 8 END AS position
          FROM shaped s
      )
      INSERT INTO leads (agent_id, created_by, status_bucket, qualification_status, lead_score, contact_person,
                         company_name, email, lead_source, pipeline_stage_id, stage_changed_at, converted_at,
                         first_touch_date, last_touch_date, created_at, updated_at, deleted_at)
      SELECT s.owner, s.owner,
             CASE WHEN r_b < 0.2 THEN 'P1' WHEN r_b < 0.5 THEN 'P2' ELSE 'P3' END,
             s.status, floor(r_b * 100)::int, 'Lead ' || g, 'Company ' || (g % 5000),
             'lead' || g || '@example.com',
             (ARRAY['website','referral','linkedin','cold_call','trade_show','google_ads','ai_voice','ai_chat',
                    'email_campaign','partner','webinar', NULL])[1 + floor(random() * 12)::int],
             st.id, s.created, CASE WHEN s.status = 'converted' THEN s.created + random() * (now() - s.created) END,
             s.created, s.created, s.created, s.created,
             CASE WHEN r_del < 0.02 THEN now() END
        FROM staged s JOIN pipeline_stages st ON st.order_position = s.position`,
      [options.leads, owners, aiId],
    );
    await timed(
      'calls',
      `
      INSERT INTO calls (lead_id, user_id, call_type, direction, call_start_time, call_end_time, duration_seconds,
                         sentiment_score, outcome, created_at, updated_at)
      SELECT l.id, coalesce(l.agent_id, $1::uuid),
             CASE WHEN l.agent_id IS NULL OR l.agent_id = $1::uuid THEN 'ai_voice' ELSE 'manual' END,
             'inbound', t.at, t.at + make_interval(secs => t.duration), t.duration,
             CASE WHEN t.duration IS NOT NULL THEN round(greatest(-1, least(1, random() * 1.6 - 0.6))::numeric, 3) END,
             CASE WHEN t.duration IS NULL THEN 'no_answer' ELSE 'completed' END, t.at, t.at
        FROM leads l
        CROSS JOIN LATERAL (
          SELECT l.created_at + ${spread} * (now() - l.created_at) AS at,
                 CASE WHEN random() < 0.1 THEN NULL ELSE 20 + floor(random() * 900)::int END AS duration
            -- The reference to l makes the series re-evaluate per lead.
            FROM generate_series(1, floor(random() * 4)::int + (l.id IS NULL)::int)
        ) t`,
      [aiId],
    );
    // Timeline activities: 15 kinds of work, and sends (3 in 20 of the draws; 2 in 20 draw
    // nothing, room for the events below so the total stays about 10 per lead). 60 % of the
    // sends are the email channel's (email_sent with metadata.email_message_id), the rest logged
    // through the API (email or email_sent, no id).
    await timed(
      'activities',
      `
      INSERT INTO activities (activity_type, subject, lead_id, created_by, metadata, created_at, updated_at)
      SELECT t.kind, initcap(replace(t.kind, '_', ' ')), l.id, l.agent_id,
             CASE WHEN t.kind = 'email_sent' AND random() < 0.9 THEN jsonb_build_object('email_message_id', gen_random_uuid())
                  ELSE '{}' END,
             t.at, t.at
        FROM leads l
        CROSS JOIN LATERAL (
          SELECT (ARRAY['lead_created','stage_changed','stage_changed','note','note','call','call','sms','sms',
                        'ai_interaction','ai_interaction','meeting_created','lead_updated','lead_updated','lead_assigned',
                        'email_sent','email_sent','email',NULL,NULL])[1 + floor(random() * 20)::int] AS kind,
                 l.created_at + ${spread} * (now() - l.created_at) AS at
            FROM generate_series(1, floor(random() * ($1::int * 2 + 1))::int + (l.id IS NULL)::int)
        ) t
       WHERE t.kind IS NOT NULL`,
      [options.activitiesPerLead],
    );
    // What the recipients did, after the send and never after now: 45 % of the sends opened
    // (a third of those twice), 12 % clicked, 5 % bounced (and not opened). An event of a send
    // with a message id names it nine times in ten, as the provider webhooks do.
    await timed(
      'email events',
      `
      INSERT INTO activities (activity_type, subject, lead_id, created_by, metadata, created_at, updated_at)
      SELECT e.kind, initcap(replace(e.kind, '_', ' ')), s.lead_id, NULL,
             CASE WHEN s.metadata ? 'email_message_id' AND random() < 0.9
                  THEN jsonb_build_object('email_message_id', s.metadata ->> 'email_message_id') ELSE '{}' END,
             e.at, e.at
        FROM (SELECT a.*, random() AS r FROM activities a WHERE a.activity_type IN ('email', 'email_sent')) s
        CROSS JOIN LATERAL (
          SELECT k.kind, least(now(), s.created_at + power(random(), 2) * k.within) AS at
            FROM (VALUES ('email_opened', s.r < 0.45, interval '3 days'), ('email_opened', s.r < 0.15, interval '10 days'),
                         ('email_clicked', s.r < 0.12, interval '3 days'), ('email_bounced', s.r >= 0.95, interval '10 minutes')) k(kind, happened, within)
           WHERE k.happened
        ) e`,
    );
    await timed(
      'opportunities',
      `
      INSERT INTO opportunities (name, lead_id, agent_id, amount, status, created_at, updated_at)
      SELECT 'Deal ' || l.company_name, l.id, l.agent_id, round((1000 + random() * 50000)::numeric, 2),
             (ARRAY['open','won','lost'])[1 + floor(random() * 3)::int], l.converted_at, l.converted_at
        FROM leads l WHERE l.converted_at IS NOT NULL`,
    );
    await timed(
      'meetings',
      `
      INSERT INTO meetings (lead_id, agent_id, title, start_time, end_time, status, created_at, updated_at)
      SELECT l.id, coalesce(l.agent_id, $1::uuid), 'Demo', t.start, t.start + interval '30 minutes',
             (ARRAY['Scheduled','Completed','Completed','Cancelled','No Show'])[1 + floor(random() * 5)::int], l.created_at, l.created_at
        FROM leads l
        CROSS JOIN LATERAL (SELECT l.created_at + random() * interval '20 days' AS start) t
       WHERE l.qualification_status IN ('sales_qualified', 'opportunity', 'converted')`,
      [aiId],
    );
  } finally {
    await client.query('RESET session_replication_role');
  }
  // The triggers that keep the roll-ups (migrations 017, 022, 023) were off: build them from the rows.
  await timed('lead roll-up rebuilt', 'SELECT app.analytics_rebuild_lead_days()');
  await timed('call roll-up rebuilt', 'SELECT app.analytics_rebuild_call_days()');
  await timed('meeting roll-up rebuilt', 'SELECT app.analytics_rebuild_meeting_days()');
  await timed('email roll-up rebuilt', 'SELECT app.analytics_rebuild_email_days()');
  return counts;
}

