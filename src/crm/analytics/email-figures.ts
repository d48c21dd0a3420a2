import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';

/**
 * The email card: of the emails sent in the range (`email` and `email_sent` activities attached
 * to a lead), how many were opened, clicked, bounced at any time since. Counted per email, the
 * usual definition: each send is one fact, so the figures add up by day (migration 023 keeps
 * them per UTC day and lead owner). An open, click or bounce counts for the send its
 * metadata.email_message_id names when that send exists, otherwise for the same lead's latest
 * send at or before it (an event logged through the API without an id); a send counts once per
 * kind however often it was opened. Visible through the email's lead, as the lead roll-ups are.
 */
export interface EmailFigures {
  sent: number;
  opened: number;
  clicked: number;
  bounced: number;
}

const SEND_TYPES = sql.raw(`'email', 'email_sent'`);
const EVENT_TYPES = sql.raw(`'email_opened', 'email_clicked', 'email_bounced'`);

/**
 * From the roll-up of migration 023: the range's whole UTC days from analytics_email_days, its
 * partial days at either end send by send from analytics_email_facts (as the lead figures do).
 * A year reads one row per day and owner instead of a year of email events.
 */
export const emailFiguresQuery = (range: DateRange) => {
  const start = sql`${range.start}::timestamptz`;
  const end = sql`${range.end}::timestamptz`;
  return sql<EmailFigures>`
    -- d0: the first UTC day starting at or after the start; d1: the day after the last one ending by the end.
    WITH bounds AS (
      SELECT d0, d1, d0::timestamp AT TIME ZONE 'UTC' AS d0_at, d1::timestamp AT TIME ZONE 'UTC' AS d1_at
        FROM (SELECT ((${start} - interval '1 microsecond') AT TIME ZONE 'UTC')::date + 1 AS d0,
                     (${end} AT TIME ZONE 'UTC')::date AS d1) b
    ),
    counted AS (
      SELECT r.sent, r.opened, r.clicked, r.bounced
        FROM analytics_email_days r
       WHERE r.day >= (SELECT d0 FROM bounds) AND r.day < (SELECT d1 FROM bounds)
      UNION ALL
      SELECT 1, f.opened::int, f.clicked::int, f.bounced::int
        FROM analytics_email_facts f
       WHERE f.sent_at >= ${start} AND f.sent_at < least(${end}, (SELECT d0_at FROM bounds))
      UNION ALL
      SELECT 1, f.opened::int, f.clicked::int, f.bounced::int
        FROM analytics_email_facts f
       WHERE f.sent_at >= greatest(${start}, (SELECT d0_at FROM bounds), (SELECT d1_at FROM bounds)) AND f.sent_at < ${end}
    )
    SELECT coalesce(sum(sent), 0)::int AS sent, coalesce(sum(opened), 0)::int AS opened,
           coalesce(sum(clicked), 0)::int AS clicked, coalesce(sum(bounced), 0)::int AS bounced
      FROM counted`;
};

/**
 * The same figures straight from the activities, under the caller's row-level security: what the
 * roll-up must always equal (the tests compare the two after every kind of change). A send
 * counts when the caller may see its lead. The events are read as the caller too, so the two
 * could differ only for an event naming a send on a lead the caller cannot see, or the reverse.
 */
export const emailFiguresFromActivitiesQuery = (range: DateRange) => sql<EmailFigures>`
    WITH sends AS (
      SELECT a.id
        FROM activities a
        JOIN leads l ON l.id = a.lead_id
       WHERE a.activity_type IN (${SEND_TYPES}) AND a.deleted_at IS NULL
         AND a.created_at >= ${range.start}::timestamptz AND a.created_at < ${range.end}::timestamptz
    ),
    attributed AS (
      SELECT coalesce(
               (SELECT s.id FROM activities s
                 WHERE s.metadata ->> 'email_message_id' = e.metadata ->> 'email_message_id' AND s.lead_id IS NOT NULL
                   AND s.activity_type IN (${SEND_TYPES}) AND s.deleted_at IS NULL
                 ORDER BY s.created_at DESC, s.id DESC LIMIT 1),
               (SELECT s.id FROM activities s
                 WHERE s.lead_id = e.lead_id AND s.created_at <= e.created_at
                   AND s.activity_type IN (${SEND_TYPES}) AND s.deleted_at IS NULL
                 ORDER BY s.created_at DESC, s.id DESC LIMIT 1)) AS send_id,
             e.activity_type
        FROM activities e
       WHERE e.activity_type IN (${EVENT_TYPES}) AND e.deleted_at IS NULL
    )
    SELECT count(*)::int AS sent, count(*) FILTER (WHERE opened)::int AS opened,
           count(*) FILTER (WHERE clicked)::int AS clicked, count(*) FILTER (WHERE bounced)::int AS bounced
      FROM (
        SELECT s.id, coalesce(bool_or(x.activity_type = 'email_opened'), false) AS opened,
               coalesce(bool_or(x.activity_type = 'email_clicked'), false) AS clicked,
               coalesce(bool_or(x.activity_type = 'email_bounced'), false) AS bounced
          FROM sends s
          LEFT JOIN attributed x ON x.send_id = s.id
         GROUP BY s.id
      ) per_send`;

export async function selectEmailFigures(tx: Db, range: DateRange): Promise<EmailFigures> {
  return (await emailFiguresQuery(range).execute(tx)).rows[0] as EmailFigures;
}

export async function selectEmailFiguresFromActivities(tx: Db, range: DateRange): Promise<EmailFigures> {
  return (await emailFiguresFromActivitiesQuery(range).execute(tx)).rows[0] as EmailFigures;
}
