import type { Db } from '../../db/database.js';
import type { DateRange, Interval } from './date-range.js';
import { selectLeadsOverTime } from './queries.js';
import type { LeadPoint } from './schemas.js';

/** New leads (and how many of them qualified, are P1, were won) per day, week or month. */
export async function getLeadsOverTime(
  tx: Db,
  range: DateRange,
  interval: Interval,
): Promise<{ range: DateRange; interval: Interval; points: LeadPoint[] }> {
  return { range, interval, points: await selectLeadsOverTime(tx, range, interval) };
}
