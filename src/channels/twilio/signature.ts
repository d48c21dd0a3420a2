import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { AppError, ForbiddenError } from '../../server/errors.js';

/**
 * The URL Twilio called, rebuilt from PUBLIC_URL and the path and query as received: behind a
 * proxy the Host header and the scheme are the proxy's, but Twilio signed the public URL.
 */
export function publicUrlOf(publicUrl: string, requestUrl: string): string {
  return `${publicUrl}${requestUrl}`;
}

/** The ConversationRelay WebSocket URL (ws:// beside http://, wss:// beside https://). */
export function relaySocketUrl(publicUrl: string, path: string): string {
  return `${publicUrl.replace(/^http/i, 'ws')}${path}`;
}

export class TwilioNotConfiguredError extends AppError {
  constructor(what = 'TWILIO_AUTH_TOKEN') {
    super(503, 'twilio_not_configured', `Twilio is not configured on this server: set ${what}`);
  }
}

/**
 * Checks X-Twilio-Signature with the official validator: HMAC of the public URL and the sorted
 * form parameters under TWILIO_AUTH_TOKEN (SHA-256 when X-Twilio-Webhooks-Signature-Settings
 * asks for it). Without a token nothing can be verified, so everything is refused.
 */
export function assertSignedByTwilio(
  request: FastifyRequest,
  settings: { authToken: string | undefined; publicUrl: string },
  signedUrl: string = publicUrlOf(settings.publicUrl, request.url),
): void {
  const signature = request.headers['x-twilio-signature'];
  if (!settings.authToken) throw new ForbiddenError('Twilio webhooks are refused: TWILIO_AUTH_TOKEN is not set');
  if (typeof signature !== 'string' || signature === '') throw new ForbiddenError('Missing X-Twilio-Signature');
  const params = request.method === 'POST' && isFormBody(request.body) ? request.body : {};
  const settingsHeader = request.headers['x-twilio-webhooks-signature-settings'];
  const algorithm = twilio.getSignatureAlgorithm(typeof settingsHeader === 'string' ? settingsHeader : undefined);
  if (!twilio.validateRequest(settings.authToken, signature, signedUrl, params, algorithm)) {
    throw new ForbiddenError('Invalid X-Twilio-Signature');
  }
}

function isFormBody(body: unknown): body is Record<string, string | string[]> {
  return typeof body === 'object' && body !== null && !Array.isArray(body);
}
