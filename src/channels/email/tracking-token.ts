import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Clara's own open and click tracking tokens.
 *
 * A token carries the email's id (and, for a click, the destination URL) with an HMAC-SHA256
 * over them, so nobody can record an open for an email they did not receive, and a click link
 * redirects only to the URL it was signed for: changing the URL breaks the signature, which is
 * what keeps /e/c/ from being an open redirect. Everything a token needs is in the token, so
 * any app node verifies it without a lookup.
 *
 * Layout (base64url): 16 bytes of the email's uuid, 16 bytes of the truncated HMAC, then for a
 * click the URL's UTF-8 bytes. 128 bits of MAC are far beyond guessing over HTTP.
 */

const MAC_BYTES = 16;
const ID_BYTES = 16;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Longer destinations are not tracked (and would make unwieldy links). */
export const MAX_TRACKED_URL_LENGTH = 2000;

/**
 * The key that signs tracking tokens, derived from the configured secret so that a CLARA_SECRET
 * shared with other features still gives this one a key of its own.
 */
export function trackingKey(secret: string): Buffer {
  return createHmac('sha256', secret).update('clara/email-tracking/v1').digest();
}

function uuidBytes(id: string): Buffer {
  if (!UUID.test(id)) throw new Error('tracking tokens carry a uuid');
  return Buffer.from(id.replace(/-/g, ''), 'hex');
}

function uuidOf(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function mac(key: Buffer, kind: 'open' | 'click', id: Buffer, url: Buffer = Buffer.alloc(0)): Buffer {
  // The kind is part of what is signed: an open token is never a valid click token.
  return createHmac('sha256', key).update(kind).update('\0').update(id).update(url).digest().subarray(0, MAC_BYTES);
}

/** A URL worth tracking: absolute http(s), no credentials, not too long. */
export function isTrackableUrl(url: string): boolean {
  if (url.length > MAX_TRACKED_URL_LENGTH) return false;
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'https:' || parsed.protocol === 'http:') && !parsed.username && !parsed.password;
  } catch {
    return false;
  }
}

export function signOpenToken(key: Buffer, messageId: string): string {
  const id = uuidBytes(messageId);
  return Buffer.concat([id, mac(key, 'open', id)]).toString('base64url');
}

export function signClickToken(key: Buffer, messageId: string, url: string): string {
  if (!isTrackableUrl(url)) throw new Error('only absolute http(s) URLs can be tracked');
  const id = uuidBytes(messageId);
  // The normalised form is what gets signed and later sent as Location: no stray whitespace or
  // control characters can reach a response header.
  const target = Buffer.from(new URL(url).href, 'utf8');
  return Buffer.concat([id, mac(key, 'click', id, target), target]).toString('base64url');
}

function decode(token: string): Buffer | undefined {
  // base64url only: Buffer.from would silently skip other characters.
  if (!/^[A-Za-z0-9_-]+$/.test(token) || token.length > 4 * MAX_TRACKED_URL_LENGTH) return undefined;
  return Buffer.from(token, 'base64url');
}

/** The email id of a genuine open token; undefined for anything forged, cut or altered. */
export function verifyOpenToken(key: Buffer, token: string): string | undefined {
  const bytes = decode(token);
  if (!bytes || bytes.length !== ID_BYTES + MAC_BYTES) return undefined;
  const id = bytes.subarray(0, ID_BYTES);
  return timingSafeEqual(bytes.subarray(ID_BYTES), mac(key, 'open', id)) ? uuidOf(id) : undefined;
}

/** The email id and destination of a genuine click token; undefined otherwise. */
export function verifyClickToken(key: Buffer, token: string): { messageId: string; url: string } | undefined {
  const bytes = decode(token);
  if (!bytes || bytes.length <= ID_BYTES + MAC_BYTES) return undefined;
  const id = bytes.subarray(0, ID_BYTES);
  const target = bytes.subarray(ID_BYTES + MAC_BYTES);
  if (!timingSafeEqual(bytes.subarray(ID_BYTES, ID_BYTES + MAC_BYTES), mac(key, 'click', id, target))) return undefined;
  const url = target.toString('utf8');
  // Signed by us, so trackable when signed; checked again so a leaked key cannot make javascript: links.
  return isTrackableUrl(url) ? { messageId: uuidOf(id), url: new URL(url).href } : undefined;
}
