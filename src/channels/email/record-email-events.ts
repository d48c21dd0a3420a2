import type { Db } from '../../db/database.js';
import type { EmailEvent, EmailEventType } from './email-event.js';
import {
  applyEventToLead,
  applyEventToMessage,
  findEmailMessage,
  findLeadIdByEmail,
  insertEmailEventOnce,
  insertLeadActivity,
  type MatchedMessage,
} from './queries.js';

export interface RecordedEvents {
  /** New events, applied to their email and lead. */
  recorded: number;
  /** Events this provider had already reported (retries, duplicates): changed nothing. */
  duplicates: number;
  /** New events that matched no email and no lead: kept, but touch nothing. */
  unmatched: number;
}

const ACTIVITY: Record<EmailEventType, { type: string; subject: (event: EmailEvent, message: MatchedMessage | undefined) => string }> = {
  delivered: { type: 'email_delivered', subject: (e, m) => withSubject('Email delivered', m?.subject ?? e.subject) },
  opened: { type: 'email_opened', subject: (e, m) => withSubject('Email opened', m?.subject ?? e.subject) },
  clicked: { type: 'email_clicked', subject: () => 'Email link clicked' },
  bounced: { type: 'email_bounced', subject: () => 'Email bounced' },
  complained: { type: 'email_complained', subject: () => 'Email marked as spam' },
  unsubscribed: { type: 'email_unsubscribed', subject: () => 'Unsubscribed from emails' },
  replied: { type: 'email_replied', subject: (e) => `Reply received from ${e.recipient ?? 'the lead'}` },
};

function withSubject(prefix: string, subject: string | undefined): string {
  return subject ? `${prefix}: ${subject}` : prefix;
}

/**
 * Applies delivery and engagement events, each exactly once per provider event id: the event
 * row is inserted first under its unique key, and only a new row goes on to change the email,
 * the lead (seed 003 section 2.1: last_email_opened_at, email_click_count, email_status; a
 * complaint or an unsubscribe sets do_not_contact) and the lead's timeline.
 *
 * `tx` is a system transaction (withSystem): the sender of a webhook is nobody signed in, and
 * the event must reach the lead whoever owns it. All events of one request share it, so a
 * failure leaves nothing half applied and the provider's retry starts clean.
 */
export async function recordEmailEvents(tx: Db, events: readonly EmailEvent[]): Promise<RecordedEvents> {
  const result: RecordedEvents = { recorded: 0, duplicates: 0, unmatched: 0 };
  // One order for every request, so two batches holding the same events cannot deadlock on them.
  const ordered = [...events].sort((a, b) => (a.providerEventId < b.providerEventId ? -1 : a.providerEventId > b.providerEventId ? 1 : 0));
  for (const event of ordered) {
    const message = await findEmailMessage(tx, event.reference);
    const leadId = message?.lead_id ?? (event.recipient ? await findLeadIdByEmail(tx, event.recipient) : undefined) ?? null;
    const isNew = await insertEmailEventOnce(tx, {
      provider: event.provider,
      provider_event_id: event.providerEventId,
      event_type: event.type,
      message_id: message?.id ?? null,
      lead_id: leadId,
      recipient: event.recipient ?? null,
      url: event.url?.slice(0, 2000) ?? null,
      occurred_at: event.occurredAt,
      payload: event.payload,
    });
    if (!isNew) {
      result.duplicates += 1;
      continue;
    }
    if (message) await applyEventToMessage(tx, message.id, event.type, event.occurredAt);
    if (!leadId) {
      result.unmatched += 1;
      continue;
    }
    await applyEventToLead(tx, leadId, event.type, event.occurredAt);
    const activity = ACTIVITY[event.type];
    await insertLeadActivity(tx, {
      lead_id: leadId,
      activity_type: activity.type,
      subject: activity.subject(event, message),
      description: event.type === 'clicked' ? (event.url ?? null) : (event.detail ?? null),
      metadata: {
        provider: event.provider,
        provider_event_id: event.providerEventId,
        email_message_id: message?.id ?? null,
        template: message?.template ?? null,
        occurred_at: event.occurredAt,
        ...(event.url ? { url: event.url } : {}),
      },
    });
    result.recorded += 1;
  }
  return result;
}
