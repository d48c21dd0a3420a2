import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { BookingOutcome } from '../dialogue/converse.js';
import type { AgentIdentity } from './agent-transaction.js';

export const STEP_MINUTES = 30;
const SEARCH_DAYS = 14;
const OPEN_HOUR = 9;
const CLOSE_HOUR = 17;

/** Is this instant inside working hours (Monday to Friday, 9:00 to 17:00) in the time zone? */
export function isWorkingTime(start: Date, minutes: number, timeZone: string): boolean {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' })
      .formatToParts(start)
      .map((part) => [part.type, part.value]),
  );
  const startMinutes = Number(parts.hour) * 60 + Number(parts.minute);
  return !['Sat', 'Sun'].includes(parts.weekday ?? '') && startMinutes >= OPEN_HOUR * 60 && startMinutes + minutes <= CLOSE_HOUR * 60;
}

/** The owner's booked meetings overlapping [from, to): one query, then checks in memory. */
export async function busyPeriods(tx: Db, userId: string, from: Date, to: Date): Promise<Array<{ start: number; end: number }>> {
  const rows = await tx
    .selectFrom('meetings')
    .select(['start_time', 'end_time'])
    .where('agent_id', '=', userId)
    .where('status', 'in', ['Scheduled', 'Rescheduled'])
    .where('deleted_at', 'is', null)
    .where('start_time', '<', to.toISOString())
    .where('end_time', '>', from.toISOString())
    .execute();
  return rows.map((row) => ({ start: new Date(row.start_time).getTime(), end: new Date(row.end_time).getTime() }));
}

export const overlaps = (busy: Array<{ start: number; end: number }>, start: number, end: number) =>
  busy.some((period) => period.start < end && period.end > start);

/** The next free working-hours slot after a wanted time, on the same person's calendar. */
export async function nextFreeSlot(tx: Db, userId: string, wanted: Date, minutes: number, timeZone: string): Promise<Date | undefined> {
  const step = STEP_MINUTES * 60_000;
  const length = minutes * 60_000;
  let candidate = new Date(Math.ceil((wanted.getTime() + step) / step) * step);
  const limit = wanted.getTime() + SEARCH_DAYS * 86_400_000;
  const busy = await busyPeriods(tx, userId, candidate, new Date(limit + length));
  while (candidate.getTime() < limit) {
    const at = candidate.getTime();
    if (isWorkingTime(candidate, minutes, timeZone) && !overlaps(busy, at, at + length)) return candidate;
    candidate = new Date(at + step);
  }
  return undefined;
}

/**
 * Books the demo on the calendar of the lead's owner when the time is free; otherwise proposes
 * the next free slot. The owner's calendar is locked for the check so two sessions cannot take
 * the same slot.
 */
export async function bookDemo(
  tx: Db,
  agent: AgentIdentity,
  input: { leadId: string; start: string; minutes: number; timeZone: string; companyName: string; prospect: string | undefined },
): Promise<BookingOutcome & { meetingId?: string }> {
  const lead = await tx.selectFrom('leads').select(['agent_id', 'client_id']).where('id', '=', input.leadId).executeTakeFirstOrThrow();
  const owner = lead.agent_id ?? agent.userId;
  await sql`SELECT pg_advisory_xact_lock(hashtext(${`calendar:${owner}`}))`.execute(tx);
  const start = new Date(input.start);
  const end = new Date(start.getTime() + input.minutes * 60_000);
  if (overlaps(await busyPeriods(tx, owner, start, end), start.getTime(), end.getTime())) {
    const alternative = await nextFreeSlot(tx, owner, start, input.minutes, input.timeZone);
    return { status: 'conflict', start: input.start, alternative: alternative?.toISOString() };
  }
  const meeting = await tx
    .insertInto('meetings')
    .values({
      lead_id: input.leadId,
      client_id: lead.client_id,
      agent_id: owner,
      title: `${input.companyName} demo${input.prospect ? ` with ${input.prospect}` : ''}`,
      start_time: start.toISOString(),
      end_time: end.toISOString(),
      status: 'Scheduled',
      meeting_type: 'demo',
      scheduled_by_ai: true,
      created_by: agent.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { status: 'booked', start: start.toISOString(), meetingId: meeting.id };
}
