import { createHash, createHmac, createPublicKey, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

/**
 * How each email provider proves a webhook is theirs. All checks work on the raw request body
 * (re-serialised JSON would not match) and compare in constant time.
 *
 * Replays of a genuine request are harmless beyond the timestamp checks: every event is applied
 * once per provider event id (email_events' unique key).
 */

export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const fail = (reason: string): Verdict => ({ ok: false, reason });

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

// ---------------------------------------------------------------------------------------------
// SendGrid: the Signed Event Webhook. ECDSA P-256 with SHA-256 over `timestamp + raw body`; the
// signature (base64, ASN.1 DER) is in X-Twilio-Email-Event-Webhook-Signature, the timestamp in
// X-Twilio-Email-Event-Webhook-Timestamp, and the verification key is shown in SendGrid's Mail
// Settings as base64 DER (SubjectPublicKeyInfo).
// ---------------------------------------------------------------------------------------------

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

/** The verification key as SendGrid shows it (base64 DER) or as PEM; throws if it is not a P-256 key. */
export function sendgridPublicKey(configured: string): KeyObject {
  const key = configured.includes('BEGIN PUBLIC KEY')
    ? createPublicKey(configured)
    : createPublicKey({ key: Buffer.from(configured.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error('SENDGRID_WEBHOOK_PUBLIC_KEY is not an ECDSA P-256 public key');
  }
  return key;
}

export function verifySendgrid(key: KeyObject, body: Buffer, signature: string | undefined, timestamp: string | undefined): Verdict {
  if (!signature || !timestamp) return fail('missing signature headers');
  if (!/^\d{1,12}$/.test(timestamp)) return fail('malformed timestamp');
  const der = Buffer.from(signature, 'base64');
  if (der.length < 8) return fail('malformed signature');
  try {
    return verify('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), body]), key, der) ? OK : fail('signature mismatch');
  } catch {
    // A signature that is not valid DER.
    return fail('malformed signature');
  }
}

// ---------------------------------------------------------------------------------------------
// Postmark: no signature; the webhook URL carries HTTP basic-auth credentials
// (https://user:password@clara.example.com/webhooks/email/postmark) that Postmark sends as an
// Authorization: Basic header.
// ---------------------------------------------------------------------------------------------

export function verifyPostmark(expected: { username: string; password: string }, authorization: string | undefined): Verdict {
  if (!authorization?.startsWith('Basic ')) return fail('missing basic credentials');
  const given = Buffer.from(authorization.slice('Basic '.length).trim(), 'base64').toString('utf8');
  // Hashing first gives equal lengths, so the comparison reveals nothing about the length either.
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return safeEqual(digest(given), digest(`${expected.username}:${expected.password}`)) ? OK : fail('wrong credentials');
}

// ---------------------------------------------------------------------------------------------
// Resend: Svix, i.e. Standard Webhooks. HMAC-SHA256, keyed with the base64 part of the whsec_
// secret, over `${id}.${timestamp}.${raw body}`; the signature header lists space-separated
// `v1,<base64>` entries (several during a secret rotation), any of which may match. Headers are
// svix-* (Resend) or webhook-* (the standard's names).
// ---------------------------------------------------------------------------------------------

export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export function standardWebhookHeaders(headers: Record<string, string | string[] | undefined>): StandardWebhookHeaders {
  const one = (name: string) => {
    const value = headers[`svix-${name}`] ?? headers[`webhook-${name}`];
    return Array.isArray(value) ? value[0] : value;
  };
  return { id: one('id'), timestamp: one('timestamp'), signature: one('signature') };
}

export function standardWebhookKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice('whsec_'.length) : secret, 'base64');
}

/** The v1 signature of a Standard Webhooks message (what the sender puts after `v1,`). */
export function standardWebhookSignature(key: Buffer, id: string, timestamp: string, body: Buffer): string {
  return createHmac('sha256', key).update(`${id}.${timestamp}.`).update(body).digest('base64');
}

export function verifyStandardWebhook(
  key: Buffer,
  headers: StandardWebhookHeaders,
  body: Buffer,
  toleranceSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Verdict {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) return fail('missing signature headers');
  if (!/^\d{1,12}$/.test(timestamp)) return fail('malformed timestamp');
  if (Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return fail('timestamp outside the tolerance');
  const expected = Buffer.from(standardWebhookSignature(key, id, timestamp, body), 'base64');
  const matches = signature
    .split(' ')
    .filter((entry) => entry.startsWith('v1,'))
    .some((entry) => safeEqual(Buffer.from(entry.slice(3), 'base64'), expected));
  return matches ? OK : fail('signature mismatch');
}

// ---------------------------------------------------------------------------------------------
// Mailgun: the body carries `signature: { timestamp, token, signature }`, the signature being
// the hex HMAC-SHA256 of `timestamp + token` keyed with the HTTP webhook signing key. (Inbound
// routes post the same three fields as form fields.)
// ---------------------------------------------------------------------------------------------

export interface MailgunSignature {
  timestamp: string;
  token: string;
  signature: string;
}

export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey).update(`${timestamp}${token}`).digest('hex');
}

export function verifyMailgun(signingKey: string, signed: Partial<MailgunSignature> | undefined): Verdict {
  if (!signed?.timestamp || !signed.token || !signed.signature) return fail('missing signature');
  if (!/^[0-9a-f]{64}$/i.test(signed.signature)) return fail('malformed signature');
  const expected = Buffer.from(mailgunSignature(signingKey, String(signed.timestamp), signed.token), 'hex');
  return safeEqual(Buffer.from(signed.signature, 'hex'), expected) ? OK : fail('signature mismatch');
}
