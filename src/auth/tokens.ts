import { createHash, randomBytes } from 'node:crypto';

/** A random secret for the client and the hash we keep: a database leak reveals no usable token. */
export function newToken(prefix = ''): { token: string; hash: string } {
  const token = prefix + randomBytes(32).toString('base64url');
  return { token, hash: hashToken(token) };
}

// SHA-256 is right here (unlike for passwords): tokens carry 256 bits of entropy.
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
