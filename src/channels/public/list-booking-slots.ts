import type { Db } from '../../db/database.js';
import type { AgentIdentity } from '../../agent/sessions/agent-transaction.js';
import { busyPeriods, isWorkingTime, overlaps, STEP_MINUTES } from '../../agent/sessions/book-demo.js';

const MAX_SLOTS = 200;

/**
 * Free demo slots on the calendar that web bookings go to (Clara's, the shared pool's: leads from
 * the site land in the pool), in working hours, every 30 minutes, starting at least an hour ahead.
 */
export async function listBookingSlots(
  tx: Db,
  agent: AgentIdentity,
  input: { from: Date; days: number; minutes: number; timeZone: string },
): Promise<string[]> {
  const step = STEP_MINUTES * 60_000;
  const length = input.minutes * 60_000;
  const earliest = Math.max(input.from.getTime(), Date.now() + 60 * 60_000);
  const until = input.from.getTime() + input.days * 86_400_000;
  const busy = await busyPeriods(tx, agent.userId, new Date(earliest), new Date(until + length));
  const slots: string[] = [];
  for (let at = Math.ceil(earliest / step) * step; at < until && slots.length < MAX_SLOTS; at += step) {
    if (isWorkingTime(new Date(at), input.minutes, input.timeZone) && !overlaps(busy, at, at + length)) {
      slots.push(new Date(at).toISOString());
    }
  }
  return slots;
}
