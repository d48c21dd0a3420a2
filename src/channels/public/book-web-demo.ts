import type { Db } from '../../db/database.js';
import type { AgentIdentity } from '../../agent/sessions/agent-transaction.js';
import { bookDemo, isWorkingTime } from '../../agent/sessions/book-demo.js';
import { ConflictError, UnprocessableError } from '../../server/errors.js';
import type { PublicSite } from './resolve-site.js';
import { recordWebActivity, upsertWebLead, type WebVisitor } from './upsert-web-lead.js';

export interface WebBooking extends WebVisitor {
  name: string;
  email: string;
  start: string;
  notes?: string;
}

export interface BookedDemo {
  leadId: string;
  meetingId: string;
  start: string;
  end: string;
}

/**
 * A visitor books a demo: their lead is found or created, and the meeting goes on the calendar
 * when the slot is still free; a taken slot is a 409 naming the next free one, and nothing is
 * written (the caller's transaction rolls back).
 */
export async function bookWebDemo(
  tx: Db,
  agent: AgentIdentity,
  site: PublicSite,
  input: WebBooking,
  settings: { defaultCountry: string; timeZone: string; minutes: number; companyName: string },
): Promise<BookedDemo> {
  const start = new Date(input.start);
  if (start.getTime() <= Date.now()) throw new UnprocessableError('slot_in_past', 'That time has passed: choose a slot from /public/v1/booking-slots');
  if (!isWorkingTime(start, settings.minutes, settings.timeZone)) {
    throw new UnprocessableError('slot_outside_hours', 'Demos are booked Monday to Friday, 9:00 to 17:00');
  }
  const { leadId } = await upsertWebLead(tx, agent, site, input, { defaultCountry: settings.defaultCountry, source: 'website_booking' });
  const outcome = await bookDemo(tx, agent, {
    leadId,
    start: start.toISOString(),
    minutes: settings.minutes,
    timeZone: settings.timeZone,
    companyName: settings.companyName,
    prospect: input.name,
  });
  if (outcome.status !== 'booked' || !outcome.meetingId) {
    throw new ConflictError('That slot was just taken', { alternative: outcome.alternative ?? null });
  }
  const end = new Date(start.getTime() + settings.minutes * 60_000).toISOString();
  await recordWebActivity(tx, agent, {
    leadId,
    site,
    type: 'booking',
    subject: `Demo booked on ${site.name}`,
    description: input.notes,
    metadata: { meeting_id: outcome.meetingId, start: outcome.start, utm_campaign: input.utm_campaign },
  });
  return { leadId, meetingId: outcome.meetingId, start: outcome.start, end };
}
