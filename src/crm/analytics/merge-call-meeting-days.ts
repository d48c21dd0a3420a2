import { sql } from 'kysely';
import type { CleanupTask } from '../../jobs/job-registry.js';

/**
 * The worker's periodic merges of the call and meeting roll-ups' delta rows (migration 022), as
 * mergeLeadDays does for the leads: writers append signed rows, merging keeps a day at one row
 * per key. The figures are the same before and after.
 */
export const mergeCallDays: CleanupTask = {
  name: 'analytics_call_days_merge',
  async run(db) {
    const { rows } = await sql<{ removed: number }>`SELECT app.analytics_merge_call_days() AS removed`.execute(db);
    return rows[0]?.removed ?? 0;
  },
};

export const mergeMeetingDays: CleanupTask = {
  name: 'analytics_meeting_days_merge',
  async run(db) {
    const { rows } = await sql<{ removed: number }>`SELECT app.analytics_merge_meeting_days() AS removed`.execute(db);
    return rows[0]?.removed ?? 0;
  },
};
