/** What keeping the email roll-up (migration 023) costs a write, for bench/analytics.ts. */
import { performance } from 'node:perf_hooks';
import type pg from 'pg';

/**
 * As the owner on one connection: 200 single-row statements each, with the email roll-up's
 * triggers on and off (disabled inside a transaction that is rolled back). An ordinary activity
 * (most of the timeline) should cost next to nothing more; an email event refreshes its lead.
 */
export async function measureEmailWriteCost(client: pg.Client, say: (line: string) => void): Promise<void> {
  // Leads with a send carrying a message id, and that id: an open names it, as webhooks do.
  const { rows } = await client.query<{ lead_id: string; message_id: string }>(
    `SELECT DISTINCT ON (lead_id) lead_id, metadata ->> 'email_message_id' AS message_id
       FROM activities WHERE activity_type = 'email_sent' AND metadata ? 'email_message_id' AND deleted_at IS NULL
      ORDER BY lead_id LIMIT 200`,
  );
  const statements: [string, string, (row: (typeof rows)[number]) => unknown[]][] = [
    ['insert a note activity', "INSERT INTO activities (activity_type, subject, lead_id) VALUES ('note', 'Note', $1)", (r) => [r.lead_id]],
    [
      'insert an email_opened (names its send)',
      "INSERT INTO activities (activity_type, subject, lead_id, metadata) VALUES ('email_opened', 'Opened', $1, jsonb_build_object('email_message_id', $2::text))",
      (r) => [r.lead_id, r.message_id],
    ],
    [
      'insert an email_opened (no id)',
      "INSERT INTO activities (activity_type, subject, lead_id) VALUES ('email_opened', 'Opened', $1)",
      (r) => [r.lead_id],
    ],
    [
      'insert an email_sent',
      "INSERT INTO activities (activity_type, subject, lead_id, metadata) VALUES ('email_sent', 'Sent', $1, jsonb_build_object('email_message_id', gen_random_uuid()))",
      (r) => [r.lead_id],
    ],
    ['reassign a lead with sends', 'UPDATE leads SET agent_id = NULL WHERE id = $1', (r) => [r.lead_id]],
  ];
  say(`\nWrite cost of the email roll-up (owner, one connection, ${rows.length} single-row statements each):`);
  for (const [name, text, params] of statements) {
    const perStatement: Record<string, number> = {};
    for (const triggers of ['on', 'off']) {
      await client.query('BEGIN');
      try {
        if (triggers === 'off') {
          await client.query('ALTER TABLE activities DISABLE TRIGGER analytics_email_insert');
          await client.query('ALTER TABLE leads DISABLE TRIGGER analytics_email_update');
        }
        const started = performance.now();
        for (const row of rows) await client.query(text, params(row));
        perStatement[triggers] = (performance.now() - started) / rows.length;
      } finally {
        await client.query('ROLLBACK');
      }
    }
    say(`  ${name.padEnd(40)} ${perStatement.on?.toFixed(3)} ms with the triggers, ${perStatement.off?.toFixed(3)} ms without`);
  }
}
