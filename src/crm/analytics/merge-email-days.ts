import { sql } from 'kysely';
import type { CleanupTask } from '../../jobs/job-registry.js';

/**
 * The worker's periodic merge of the email roll-up's delta rows (migration 023), as
 * mergeLeadDays does for the leads: every change to an email activity or a lead's owner appends
 * signed rows; merging keeps a day at one row per owner. The figures are the same before and after.
 */
export const mergeEmailDays: CleanupTask = {
  name: 'analytics_email_days_merge',
  async run(db) {
    const { rows } = await sql<{ removed: number }>`SELECT app.analytics_merge_email_days() AS removed`.execute(db);
    return rows[0]?.removed ?? 0;
  },
};
