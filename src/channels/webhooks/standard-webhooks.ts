import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks (https://www.standardwebhooks.com), symmetric scheme: the sender signs
 * `${webhook-id}.${webhook-timestamp}.${body}` with HMAC-SHA256 and sends `v1,<base64>` in
 * webhook-signature (several space-separated during a secret rotation).
 */
const SECRET_PREFIX = 'whsec_';

/** A new signing secret: whsec_ + base64 of 32 random bytes (the spec asks for 24 to 64). */
export function generateWebhookSecret(): string {
  return SECRET_PREFIX + randomBytes(32).toString('base64');
}

/** A whsec_ secret is base64 after its prefix; any other string is used as it is. */
export function secretKey(secret: string): Buffer {
  if (secret.startsWith(SECRET_PREFIX)) return Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64');
  return Buffer.from(secret, 'utf8');
}

/** True when the secret is a whsec_ secret holding 24 to 64 bytes. */
export function isWellFormedSecret(secret: string): boolean {
  if (!/^whsec_[A-Za-z0-9+/]+={0,2}$/.test(secret)) return false;
  const length = secretKey(secret).length;
  return length >= 24 && length <= 64;
}

/** The webhook-signature value for one message. */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string | Buffer): string {
  const hmac = createHmac('sha256', secretKey(secret));
  hmac.update(`${id}.${timestampSeconds}.`);
  hmac.update(body);
  return `v1,${hmac.digest('base64')}`;
}

export class WebhookVerificationError extends Error {
  override name = 'WebhookVerificationError';
}

export interface VerifyOptions {
  toleranceSeconds: number;
  /** Seconds since the epoch (default: now). */
  nowSeconds?: number;
}

/**
 * Checks the three headers against the exact bytes received. Returns the webhook id (the
 * sender's idempotency key); throws WebhookVerificationError saying what is wrong.
 */
export function verifyWebhook(
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  body: string | Buffer,
  options: VerifyOptions,
): { id: string; timestamp: number } {
  const header = (name: string) => {
    const value = headers[name];
    return Array.isArray(value) ? value[0] : value;
  };
  const id = header('webhook-id');
  const timestamp = header('webhook-timestamp');
  const signatures = header('webhook-signature');
  if (!id || !timestamp || !signatures) {
    throw new WebhookVerificationError('Missing webhook-id, webhook-timestamp or webhook-signature header');
  }
  // The id and timestamp are part of the signed text: a "." in either could shift its parts.
  if (id.includes('.') || id.length > 200) throw new WebhookVerificationError('Invalid webhook-id');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('Invalid webhook-timestamp');
  const seconds = Number(timestamp);
  const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - seconds) > options.toleranceSeconds) {
    throw new WebhookVerificationError('The webhook-timestamp is too far from now (replayed or clock skew)');
  }
  const expected = Buffer.from(signWebhook(secret, id, seconds, body).slice('v1,'.length), 'base64');
  for (const candidate of signatures.split(' ')) {
    const [version, value] = candidate.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return { id, timestamp: seconds };
  }
  throw new WebhookVerificationError('No valid signature');
}
