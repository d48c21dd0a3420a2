import { BadRequestError } from '../../server/errors.js';
import { addressOf, bareMessageId, instantOf, uuidOrUndefined, type EmailEvent, type EmailEventType } from './email-event.js';

/**
 * Each provider's webhook payload, normalised to EmailEvent. Payloads are read defensively
 * (providers add fields); events Clara has no use for (processed, deferred, sent, ...) are
 * skipped, and a payload that is not the provider's shape at all is a 400.
 *
 * Every email Clara sends carries its email_messages id in each provider's metadata header
 * (see send-email.ts), so events find their email even when the provider renames the message.
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value : undefined);

export const METADATA_KEY = 'clara_message_id';

export function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestError('The body is not valid JSON');
  }
}

// ---------------------------------------------------------------------------------------------
// SendGrid: a JSON array of events, each with sg_event_id; unique_args / custom_args come back
// as top-level keys.
// ---------------------------------------------------------------------------------------------

const SENDGRID_TYPES: Record<string, EmailEventType> = {
  delivered: 'delivered',
  open: 'opened',
  click: 'clicked',
  bounce: 'bounced',
  spamreport: 'complained',
  unsubscribe: 'unsubscribed',
  group_unsubscribe: 'unsubscribed',
};

export function normalizeSendgrid(payload: unknown): EmailEvent[] {
  if (!Array.isArray(payload) || !payload.every(isObject)) throw new BadRequestError('A SendGrid event webhook posts a JSON array of events');
  const events: EmailEvent[] = [];
  for (const event of payload) {
    const type = SENDGRID_TYPES[String(event.event)];
    const id = text(event.sg_event_id);
    // A "blocked" bounce is SendGrid's temporary kind: the address may work tomorrow.
    if (!type || !id || (type === 'bounced' && event.type === 'blocked')) continue;
    events.push({
      provider: 'sendgrid',
      providerEventId: id,
      type,
      occurredAt: instantOf(event.timestamp),
      reference: {
        messageId: uuidOrUndefined(event[METADATA_KEY]),
        headerMessageId: bareMessageId(event['smtp-id']),
        // sg_message_id is the X-Message-Id (what the SMTP reply said) plus a ".filter..." suffix.
        providerMessageId: text(event.sg_message_id)?.split(/\.(?:filter|recvd)/)[0],
      },
      recipient: addressOf(event.email),
      url: text(event.url),
      detail: text(event.reason) ?? text(event.response),
      payload: event,
    });
  }
  return events;
}

// ---------------------------------------------------------------------------------------------
// Postmark: one JSON object per request, discriminated by RecordType; an inbound email has no
// RecordType. Postmark events carry no event id, so one is built from what identifies the event
// (a bounce's ID, or the message id with the event's own timestamp), which retries repeat.
// ---------------------------------------------------------------------------------------------

/** Bounce types that mean the address does not work (Postmark's other types are transient). */
const POSTMARK_PERMANENT_BOUNCES = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated', 'Blocked', 'SpamNotification']);

function postmarkHeader(payload: Json, name: string): string | undefined {
  const headers = Array.isArray(payload.Headers) ? payload.Headers : [];
  const header = headers.find((h): h is Json => isObject(h) && String(h.Name).toLowerCase() === name.toLowerCase());
  return text(header?.Value);
}

export function normalizePostmark(payload: unknown): EmailEvent[] {
  if (!isObject(payload)) throw new BadRequestError('A Postmark webhook posts a JSON object');
  const metadata = isObject(payload.Metadata) ? payload.Metadata : {};
  const messageId = text(payload.MessageID);
  const reference = { messageId: uuidOrUndefined(metadata[METADATA_KEY]), providerMessageId: messageId };
  const base = { provider: 'postmark' as const, reference, subject: text(payload.Subject), payload };
  switch (payload.RecordType) {
    case 'Delivery':
      if (!messageId) break;
      return [{ ...base, type: 'delivered', providerEventId: `Delivery:${messageId}:${String(payload.Recipient)}`, occurredAt: instantOf(payload.DeliveredAt), recipient: addressOf(payload.Recipient) }];
    case 'Open':
      if (!messageId) break;
      return [{ ...base, type: 'opened', providerEventId: `Open:${messageId}:${String(payload.ReceivedAt)}`, occurredAt: instantOf(payload.ReceivedAt), recipient: addressOf(payload.Recipient) }];
    case 'Click':
      if (!messageId) break;
      return [
        {
          ...base,
          type: 'clicked',
          providerEventId: `Click:${messageId}:${String(payload.ReceivedAt)}:${String(payload.OriginalLink)}`,
          occurredAt: instantOf(payload.ReceivedAt),
          recipient: addressOf(payload.Recipient),
          url: text(payload.OriginalLink),
        },
      ];
    case 'Bounce':
      if (payload.ID === undefined || !(POSTMARK_PERMANENT_BOUNCES.has(String(payload.Type)) || payload.Inactive === true)) return [];
      return [{ ...base, type: 'bounced', providerEventId: `Bounce:${String(payload.ID)}`, occurredAt: instantOf(payload.BouncedAt), recipient: addressOf(payload.Email), detail: text(payload.Description) }];
    case 'SpamComplaint':
      if (payload.ID === undefined) break;
      return [{ ...base, type: 'complained', providerEventId: `SpamComplaint:${String(payload.ID)}`, occurredAt: instantOf(payload.BouncedAt), recipient: addressOf(payload.Email) }];
    case 'SubscriptionChange':
      // SuppressSending false is a re-subscribe: do_not_contact is a person's decision to undo, not a webhook's.
      if (payload.SuppressSending !== true || !messageId) return [];
      return [{ ...base, type: 'unsubscribed', providerEventId: `SubscriptionChange:${messageId}:${String(payload.ChangedAt)}`, occurredAt: instantOf(payload.ChangedAt), recipient: addressOf(payload.Recipient) }];
    case undefined: {
      // Inbound: a reply. In-Reply-To names the email it answers.
      const from = isObject(payload.FromFull) ? addressOf(payload.FromFull.Email) : addressOf(payload.From);
      if (!messageId || !from) break;
      return [
        {
          ...base,
          reference: { headerMessageId: bareMessageId(postmarkHeader(payload, 'In-Reply-To')) },
          type: 'replied',
          providerEventId: `Inbound:${messageId}`,
          occurredAt: instantOf(payload.Date),
          recipient: from,
          detail: text(payload.StrippedTextReply) ?? text(payload.TextBody),
        },
      ];
    }
    default:
      return [];
  }
  throw new BadRequestError(`The Postmark ${String(payload.RecordType ?? 'inbound')} payload lacks its identifiers`);
}

// ---------------------------------------------------------------------------------------------
// Resend: { type, created_at, data }; the Svix message id (svix-id), stable across retries, is
// the event id.
// ---------------------------------------------------------------------------------------------

const RESEND_TYPES: Record<string, EmailEventType> = {
  'email.delivered': 'delivered',
  'email.opened': 'opened',
  'email.clicked': 'clicked',
  'email.bounced': 'bounced',
  'email.complained': 'complained',
  'email.received': 'replied',
};

export function normalizeResend(payload: unknown, webhookId: string): EmailEvent[] {
  if (!isObject(payload) || typeof payload.type !== 'string' || !isObject(payload.data)) {
    throw new BadRequestError('A Resend webhook posts { type, created_at, data }');
  }
  const data = payload.data;
  const base = { provider: 'resend' as const, providerEventId: webhookId, occurredAt: instantOf(payload.created_at), payload };
  if (payload.type === 'contact.updated') {
    if (data.unsubscribed !== true) return [];
    return [{ ...base, type: 'unsubscribed', reference: {}, recipient: addressOf(data.email) }];
  }
  const type = RESEND_TYPES[payload.type];
  if (!type) return [];
  const tags = isObject(data.tags) ? data.tags : {};
  const to = Array.isArray(data.to) ? data.to[0] : data.to;
  const click = isObject(data.click) ? data.click : {};
  const bounce = isObject(data.bounce) ? data.bounce : {};
  return [
    {
      ...base,
      type,
      reference:
        type === 'replied'
          ? {}
          : { messageId: uuidOrUndefined(tags[METADATA_KEY]), headerMessageId: bareMessageId(data.message_id), providerMessageId: text(data.email_id) },
      recipient: addressOf(type === 'replied' ? data.from : to),
      url: text(click.link),
      subject: text(data.subject),
      detail: text(bounce.message) ?? (type === 'replied' ? text(data.subject) : undefined),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Mailgun: { signature, "event-data" } with the event id in event-data.id; custom variables
// (X-Mailgun-Variables) come back as user-variables. Inbound replies come from a route's
// forward() as form fields.
// ---------------------------------------------------------------------------------------------

const MAILGUN_TYPES: Record<string, EmailEventType> = {
  delivered: 'delivered',
  opened: 'opened',
  clicked: 'clicked',
  failed: 'bounced',
  complained: 'complained',
  unsubscribed: 'unsubscribed',
};

export function normalizeMailgun(payload: unknown): EmailEvent[] {
  if (!isObject(payload) || !isObject(payload['event-data'])) throw new BadRequestError('A Mailgun webhook posts { signature, event-data }');
  const data = payload['event-data'];
  const type = MAILGUN_TYPES[String(data.event)];
  const id = text(data.id);
  // A temporary failure is retried by Mailgun; only a permanent one is a bounce.
  if (!type || !id || (data.event === 'failed' && data.severity !== 'permanent')) return [];
  const message = isObject(data.message) ? data.message : {};
  const headers = isObject(message.headers) ? message.headers : {};
  const variables = isObject(data['user-variables']) ? data['user-variables'] : {};
  const status = isObject(data['delivery-status']) ? data['delivery-status'] : {};
  return [
    {
      provider: 'mailgun',
      providerEventId: id,
      type,
      occurredAt: instantOf(data.timestamp),
      reference: { messageId: uuidOrUndefined(variables[METADATA_KEY]), headerMessageId: bareMessageId(headers['message-id']) },
      recipient: addressOf(data.recipient),
      url: text(data.url),
      subject: text(headers.subject),
      detail: text(status.description) ?? text(status.message) ?? text(data.reason),
      payload: data,
    },
  ];
}

/** A reply forwarded by a Mailgun route (form fields: sender, subject, stripped-text, In-Reply-To, ...). */
export function normalizeMailgunInbound(fields: Record<string, string>): EmailEvent[] {
  const from = addressOf(fields.sender) ?? addressOf(fields.from);
  const messageId = bareMessageId(fields['Message-Id'] ?? fields['message-id']);
  if (!from) throw new BadRequestError('A Mailgun inbound post needs its sender');
  const { signature: _signature, token: _token, ...kept } = fields;
  return [
    {
      provider: 'mailgun',
      providerEventId: `inbound:${messageId ?? `${fields.timestamp}:${fields.token}`}`,
      type: 'replied',
      occurredAt: instantOf(fields.timestamp),
      reference: { headerMessageId: bareMessageId(fields['In-Reply-To'] ?? fields['in-reply-to']) },
      recipient: from,
      subject: text(fields.subject),
      detail: text(fields['stripped-text']) ?? text(fields['body-plain']),
      payload: kept,
    },
  ];
}
