import type { MessageReference } from './queries.js';

/** Where an event came from: Clara's own pixel and links, or a provider's webhook. */
export const EMAIL_PROVIDERS = ['clara', 'sendgrid', 'postmark', 'resend', 'mailgun'] as const;
export type EmailProvider = (typeof EMAIL_PROVIDERS)[number];

/** What every provider's vocabulary is normalised to. */
export const EMAIL_EVENT_TYPES = ['delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed', 'replied'] as const;
export type EmailEventType = (typeof EMAIL_EVENT_TYPES)[number];

/** One engagement or delivery event, whatever reported it. */
export interface EmailEvent {
  provider: EmailProvider;
  /** Unique per provider and stable across the provider's retries: the deduplication key. */
  providerEventId: string;
  type: EmailEventType;
  /** ISO 8601. */
  occurredAt: string;
  /** Which email it is about, as far as the payload says. */
  reference: MessageReference;
  /** The address the event concerns (for a reply: the sender), used when the email is unknown. */
  recipient?: string | undefined;
  /** The clicked link. */
  url?: string | undefined;
  /** The email's subject as the provider reports it. */
  subject?: string | undefined;
  /** Why it bounced, or the start of a reply. */
  detail?: string | undefined;
  /** The provider's event, kept for the record. */
  payload: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A uuid from untrusted metadata, or undefined (never a malformed value reaching SQL). */
export function uuidOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
}

/** A Message-ID header value without its angle brackets. */
export function bareMessageId(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const bare = value.trim().replace(/^<|>$/g, '').trim();
  return bare.length > 0 && bare.length <= 500 ? bare : undefined;
}

/** The address in `Name <address>` or a bare address, lower-cased. */
export function addressOf(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /<([^<>\s]+@[^<>\s]+)>/.exec(value) ?? /([^\s<>"]+@[^\s<>"]+)/.exec(value);
  return match?.[1]?.toLowerCase();
}

/** An instant from seconds since the epoch or an ISO string; the fallback when it makes no sense. */
export function instantOf(value: unknown, fallback = new Date()): string {
  const date =
    typeof value === 'number' || (typeof value === 'string' && /^\d+(\.\d+)?$/.test(value))
      ? new Date(Number(value) * 1000)
      : typeof value === 'string'
        ? new Date(value)
        : fallback;
  return Number.isNaN(date.getTime()) ? fallback.toISOString() : date.toISOString();
}
