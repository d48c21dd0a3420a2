import type { Db } from '../../db/database.js';
import { bucketStarts, type DateRange, type Interval } from './date-range.js';
import { selectLeadGroups, tuneAnalyticsTransaction, type LeadFigures } from './queries.js';
import type { LeadPoint } from './schemas.js';

/** Every bucket of the range, in order, the empty ones too. */
export function pointsOf(range: DateRange, interval: Interval, buckets: Map<string, LeadFigures>): LeadPoint[] {
  return bucketStarts(range, interval).map((bucket) => {
    const figures = buckets.get(bucket);
    return { bucket, leads: figures?.leads ?? 0, qualified: figures?.qualified ?? 0, p1: figures?.p1 ?? 0, won: figures?.won ?? 0 };
  });
}

/** New leads (and how many of them qualified, are P1, were won) per day, week or month. */
export async function getLeadsOverTime(
  tx: Db,
  range: DateRange,
  interval: Interval,
): Promise<{ range: DateRange; interval: Interval; points: LeadPoint[] }> {
  await tuneAnalyticsTransaction(tx);
  const leads = await selectLeadGroups(tx, range, { interval });
  return { range, interval, points: pointsOf(range, interval, leads.buckets) };
}
