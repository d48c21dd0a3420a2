import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { EmailEventType, EmailProvider } from './email-event.js';

/**
 * The email channel's data access. Sending runs on the caller's transaction (a request's, as
 * clara_app, so row-level security decides which leads can be emailed); webhooks and tracking
 * links run on a system transaction, since nobody is signed in behind them.
 */

export interface LeadForEmail {
  id: string;
  email: string | null;
  contact_person: string | null;
  do_not_contact: boolean;
}

export async function selectLiveLead(tx: Db, leadId: string): Promise<LeadForEmail | undefined> {
  return tx
    .selectFrom('leads')
    .select(['id', 'email', 'contact_person', 'do_not_contact'])
    .where('id', '=', leadId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

export async function selectCompanyName(tx: Db): Promise<string | undefined> {
  const row = await tx.selectFrom('agent_settings').select('company_name').executeTakeFirst();
  return row?.company_name;
}

/** The generated tracking secret (migration 011), readable by requests only through this function. */
export async function selectTrackingSecret(tx: Db): Promise<string> {
  const { rows } = await sql<{ secret: string | null }>`SELECT app.email_tracking_secret() AS secret`.execute(tx);
  const secret = rows[0]?.secret;
  if (!secret) throw new Error('The email tracking secret is missing; run clara migrate');
  return secret;
}

export interface NewEmailMessage {
  id: string;
  lead_id: string;
  template: string;
  to_email: string;
  from_email: string;
  subject: string;
  header_message_id: string;
}

export async function insertEmailMessage(tx: Db, values: NewEmailMessage): Promise<void> {
  await tx
    .insertInto('email_messages')
    .values({ ...values, status: 'sending', created_by: sql<string | null>`app.current_user_id()` })
    .execute();
}

export async function markEmailMessageSent(tx: Db, id: string, providerMessageId: string | null): Promise<void> {
  await tx
    .updateTable('email_messages')
    .set({ status: 'sent', provider_message_id: providerMessageId, sent_at: sql<string>`now()` })
    .where('id', '=', id)
    .execute();
}

export async function markEmailMessageFailed(tx: Db, id: string, error: string): Promise<void> {
  await tx.updateTable('email_messages').set({ status: 'failed', error: error.slice(0, 2000) }).where('id', '=', id).execute();
}

export interface LeadActivity {
  lead_id: string;
  activity_type: string;
  subject: string;
  description: string | null;
  metadata: Record<string, unknown>;
}

/** A timeline entry, written by whoever the transaction runs as (nobody for webhooks). */
export async function insertLeadActivity(tx: Db, activity: LeadActivity): Promise<void> {
  await tx
    .insertInto('activities')
    .values({
      ...activity,
      subject: activity.subject.slice(0, 500),
      description: activity.description?.slice(0, 5000) ?? null,
      metadata: JSON.stringify(activity.metadata),
      created_by: sql<string | null>`app.current_user_id()`,
    })
    .execute();
}

export const emailMessageColumns = [
  'id',
  'lead_id',
  'template',
  'to_email',
  'from_email',
  'subject',
  'status',
  'provider_message_id',
  'error',
  'open_count',
  'click_count',
  'first_opened_at',
  'sent_at',
  'created_by',
  'created_at',
] as const;

export async function selectEmailMessage(tx: Db, id: string) {
  return tx.selectFrom('email_messages').select(emailMessageColumns).where('id', '=', id).executeTakeFirst();
}

export async function listLeadEmailMessages(tx: Db, leadId: string, limit: number) {
  return tx
    .selectFrom('email_messages')
    .select(emailMessageColumns)
    .where('lead_id', '=', leadId)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(limit)
    .execute();
}

export interface MessageReference {
  /** email_messages.id (from a tracking token or provider metadata); a validated uuid. */
  messageId?: string | undefined;
  /** The Message-ID header, without angle brackets. */
  headerMessageId?: string | undefined;
  /** What the provider calls the message. */
  providerMessageId?: string | undefined;
}

export interface MatchedMessage {
  id: string;
  lead_id: string | null;
  subject: string;
  template: string;
}

export async function findEmailMessage(tx: Db, reference: MessageReference): Promise<MatchedMessage | undefined> {
  const { messageId, headerMessageId, providerMessageId } = reference;
  if (!messageId && !headerMessageId && !providerMessageId) return undefined;
  return tx
    .selectFrom('email_messages')
    .select(['id', 'lead_id', 'subject', 'template'])
    .where((eb) =>
      eb.or([
        ...(messageId ? [eb('id', '=', messageId)] : []),
        ...(headerMessageId ? [eb('header_message_id', '=', headerMessageId)] : []),
        ...(providerMessageId ? [eb('provider_message_id', '=', providerMessageId)] : []),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

/** The live lead with this address that was touched last: the seed's fallback for unknown messages. */
export async function findLeadIdByEmail(tx: Db, email: string): Promise<string | undefined> {
  const row = await tx
    .selectFrom('leads')
    .select('id')
    .where('email', '=', email.toLowerCase())
    .where('deleted_at', 'is', null)
    .where('merged_into_id', 'is', null)
    .orderBy('updated_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.id;
}

export interface NewEmailEvent {
  provider: EmailProvider;
  provider_event_id: string;
  event_type: EmailEventType;
  message_id: string | null;
  lead_id: string | null;
  recipient: string | null;
  url: string | null;
  occurred_at: string;
  payload: unknown;
}

/**
 * Inserts the event unless this provider already reported it; true when it is new. The unique
 * key decides (ON CONFLICT), not a prior SELECT: two copies arriving together cannot both pass.
 */
export async function insertEmailEventOnce(tx: Db, event: NewEmailEvent): Promise<boolean> {
  const inserted = await tx
    .insertInto('email_events')
    .values({ ...event, payload: JSON.stringify(event.payload ?? {}) })
    .onConflict((oc) => oc.constraint('email_events_provider_event_key').doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

export async function applyEventToMessage(tx: Db, messageId: string, type: EmailEventType, occurredAt: string): Promise<void> {
  const at = sql<string>`${occurredAt}::timestamptz`;
  const changes = {
    delivered: { status: sql<string>`CASE WHEN status IN ('sending', 'sent') THEN 'delivered' ELSE status END` },
    opened: { open_count: sql<number>`open_count + 1`, first_opened_at: sql<string>`coalesce(first_opened_at, ${at})` },
    clicked: { click_count: sql<number>`click_count + 1`, first_opened_at: sql<string>`coalesce(first_opened_at, ${at})` },
    bounced: { status: sql<string>`CASE WHEN status = 'complained' THEN status ELSE 'bounced' END` },
    complained: { status: 'complained' },
    unsubscribed: undefined,
    replied: undefined,
  }[type];
  if (!changes) return;
  await tx.updateTable('email_messages').set(changes).where('id', '=', messageId).execute();
}

/**
 * The lead's engagement fields (seed 003 section 2.1). A complaint or an unsubscribe is final
 * for email_status and sets do_not_contact; a later "delivered" does not undo them.
 */
export async function applyEventToLead(tx: Db, leadId: string, type: EmailEventType, occurredAt: string): Promise<void> {
  const at = sql<string>`${occurredAt}::timestamptz`;
  const status = (value: string) =>
    sql<string>`CASE WHEN email_status IN ('complained', 'unsubscribed') THEN email_status ELSE ${value} END`;
  const changes = {
    delivered: { email_status: status('delivered') },
    opened: { last_email_opened_at: sql<string>`greatest(last_email_opened_at, ${at})` },
    // A click proves an open, even when the pixel was blocked.
    clicked: { email_click_count: sql<number>`email_click_count + 1`, last_email_opened_at: sql<string>`greatest(last_email_opened_at, ${at})` },
    bounced: { email_status: status('bounced') },
    complained: { email_status: 'complained', do_not_contact: true },
    unsubscribed: { email_status: 'unsubscribed', do_not_contact: true },
    replied: { last_touch_date: sql<string>`greatest(last_touch_date, ${at})` },
  }[type];
  await tx.updateTable('leads').set(changes).where('id', '=', leadId).execute();
}
