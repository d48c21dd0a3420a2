import { sql } from 'kysely';
import type { CleanupTask } from '../../jobs/job-registry.js';

/**
 * The worker's periodic merge of the lead roll-up's delta rows (migration 017): every change to
 * a lead appends signed rows rather than updating shared ones, so writers never wait for each
 * other; merging them keeps a day at one row per owner and source. The figures are the same
 * before and after, so how often it runs only bounds how many rows a dashboard reads.
 */
export const mergeLeadDays: CleanupTask = {
  name: 'analytics_lead_days_merge',
  async run(db) {
    const { rows } = await sql<{ removed: number }>`SELECT app.analytics_merge_lead_days() AS removed`.execute(db);
    return rows[0]?.removed ?? 0;
  },
};
