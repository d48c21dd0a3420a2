import type { Db } from '../../db/database.js';
import { withSystem } from '../../db/with-actor.js';
import { AppError, ForbiddenError, UnauthorizedError } from '../../server/errors.js';
import type { EmailConfig } from './config.js';
import type { EmailEvent } from './email-event.js';
import { normalizeMailgun, normalizeMailgunInbound, normalizePostmark, normalizeResend, normalizeSendgrid, parseJson } from './providers.js';
import { recordEmailEvents, type RecordedEvents } from './record-email-events.js';
import {
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  sendgridPublicKey,
  standardWebhookHeaders,
  standardWebhookKey,
  verifyMailgun,
  verifyPostmark,
  verifySendgrid,
  verifyStandardWebhook,
  type Verdict,
} from './signatures.js';

export const WEBHOOK_PROVIDERS = ['sendgrid', 'postmark', 'resend', 'mailgun'] as const;
export type WebhookProvider = (typeof WEBHOOK_PROVIDERS)[number];

export interface WebhookRequest {
  headers: Record<string, string | string[] | undefined>;
  /** The raw body, exactly as received: signatures cover these bytes. */
  body: Buffer;
  /** Form fields, when the provider posted a form (Mailgun's inbound routes). */
  form?: Record<string, string> | undefined;
}

class WebhookNotConfiguredError extends AppError {
  constructor(provider: WebhookProvider, variable: string) {
    super(503, 'email_webhook_not_configured', `The ${provider} webhook is not configured: set ${variable} (see docs/email.md)`);
  }
}

function header(request: WebhookRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** Missing credentials are a 401 (who are you?), wrong ones a 403; either way nothing is written. */
function enforce(verdict: Verdict): void {
  if (verdict.ok) return;
  if (verdict.reason.startsWith('missing')) throw new UnauthorizedError(`Webhook not authenticated: ${verdict.reason}`);
  throw new ForbiddenError(`Webhook signature rejected: ${verdict.reason}`);
}

/** Checks who sent the request, then reads its events. Nothing here touches the database. */
export function authenticateEmailWebhook(config: EmailConfig, provider: WebhookProvider, request: WebhookRequest): EmailEvent[] {
  switch (provider) {
    case 'sendgrid': {
      if (!config.sendgridPublicKey) throw new WebhookNotConfiguredError(provider, 'SENDGRID_WEBHOOK_PUBLIC_KEY');
      const key = sendgridPublicKey(config.sendgridPublicKey);
      enforce(verifySendgrid(key, request.body, header(request, SENDGRID_SIGNATURE_HEADER), header(request, SENDGRID_TIMESTAMP_HEADER)));
      return normalizeSendgrid(parseJson(request.body));
    }
    case 'postmark': {
      if (!config.postmark) throw new WebhookNotConfiguredError(provider, 'POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD');
      enforce(verifyPostmark(config.postmark, header(request, 'authorization')));
      return normalizePostmark(parseJson(request.body));
    }
    case 'resend': {
      if (!config.resendSecret) throw new WebhookNotConfiguredError(provider, 'RESEND_WEBHOOK_SECRET');
      const headers = standardWebhookHeaders(request.headers);
      enforce(verifyStandardWebhook(standardWebhookKey(config.resendSecret), headers, request.body, config.webhookToleranceSeconds));
      // Verified above, so the id is present.
      return normalizeResend(parseJson(request.body), headers.id as string);
    }
    case 'mailgun': {
      if (!config.mailgunSigningKey) throw new WebhookNotConfiguredError(provider, 'MAILGUN_WEBHOOK_SIGNING_KEY');
      if (request.form) {
        enforce(verifyMailgun(config.mailgunSigningKey, request.form));
        return normalizeMailgunInbound(request.form);
      }
      const payload = parseJson(request.body);
      const signature = typeof payload === 'object' && payload !== null ? (payload as { signature?: unknown }).signature : undefined;
      enforce(verifyMailgun(config.mailgunSigningKey, typeof signature === 'object' && signature !== null ? signature : undefined));
      return normalizeMailgun(payload);
    }
  }
}

/**
 * A provider's event webhook: authenticated first (a bad signature writes nothing), then every
 * event applied once per provider event id in one system transaction.
 */
export async function receiveEmailWebhook(
  db: Db,
  config: EmailConfig,
  provider: WebhookProvider,
  request: WebhookRequest,
): Promise<RecordedEvents> {
  const events = authenticateEmailWebhook(config, provider, request);
  if (events.length === 0) return { recorded: 0, duplicates: 0, unmatched: 0 };
  return withSystem(db, (tx) => recordEmailEvents(tx, events));
}
