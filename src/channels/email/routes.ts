import { z } from 'zod';
import { withActor } from '../../db/with-actor.js';
import { AppError, NotFoundError, UnprocessableError } from '../../server/errors.js';
import type { App, AppContext } from '../../server/context.js';
import { requireActor, requireRole } from '../../server/require-actor.js';
import { listLeadEmailMessages, selectEmailMessage, selectLiveLead } from './queries.js';
import { WEBHOOK_PROVIDERS, receiveEmailWebhook, type WebhookProvider } from './receive-email-webhook.js';
import { sendEmail, type SendEmailResult } from './send-email.js';
import { bookingConfirmationData, roiReportData } from './templates.js';
import { trackEmailClick } from './track-email-click.js';
import { trackEmailOpen } from './track-email-open.js';

const idParams = z.object({ id: z.uuid() }).strict();

const sendEmailBody = z
  .discriminatedUnion('template', [
    z.object({ template: z.literal('booking_confirmation'), to: z.email().max(320).optional(), data: bookingConfirmationData }).strict(),
    z.object({ template: z.literal('roi_report'), to: z.email().max(320).optional(), data: roiReportData }).strict(),
  ])
  .meta({ id: 'SendEmailInput' });

export const emailMessageSchema = z
  .object({
    id: z.uuid(),
    lead_id: z.uuid().nullable(),
    template: z.string(),
    to_email: z.string(),
    from_email: z.string(),
    subject: z.string(),
    status: z.string().describe('sending, sent, failed, delivered, bounced or complained'),
    provider_message_id: z.string().nullable(),
    error: z.string().nullable(),
    open_count: z.number().int(),
    click_count: z.number().int(),
    first_opened_at: z.string().nullable(),
    sent_at: z.string().nullable(),
    created_by: z.uuid().nullable(),
    created_at: z.string(),
  })
  .meta({ id: 'EmailMessage' });

const emailStatusSchema = z
  .object({
    sending: z.object({
      configured: z.boolean().describe('SMTP_URL is set; without it, sending answers 503 email_not_configured'),
      from: z.string(),
    }),
    tracking: z.object({
      secret: z.enum(['CLARA_SECRET', 'generated']).describe('What signs tracking links'),
      open_pixel: z.string(),
      click_redirect: z.string(),
    }),
    webhooks: z.record(z.string(), z.object({ configured: z.boolean(), url: z.string() })),
  })
  .meta({ id: 'EmailStatus' });

const webhookResultSchema = z.object({
  recorded: z.number().int().describe('New events applied to their email and lead'),
  duplicates: z.number().int().describe('Events already received before (provider retries): ignored'),
  unmatched: z.number().int().describe('New events that matched no email Clara sent and no lead'),
});

// The classic 1x1 transparent GIF.
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');
const token = z.string().min(20).max(8000).regex(/^[A-Za-z0-9_-]+$/, 'not a tracking token');

/** What the API answers for outcomes that are not a sent email. */
function refusal(result: Exclude<SendEmailResult, { status: 'sent' }>): AppError {
  if (result.status === 'failed') return new AppError(502, 'email_send_failed', `The SMTP server did not take the email: ${result.error}`);
  if (result.reason === 'not_configured') return new AppError(503, 'email_not_configured', result.message);
  return new UnprocessableError(result.reason, result.message);
}

export function emailRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const { config } = context;
  const tags = ['email'];

  app.post('/api/v1/leads/:id/emails', {
    schema: {
      tags,
      summary: 'Send a templated email (booking confirmation, ROI report) to a lead',
      description:
        'Sent through SMTP_URL, recorded, tracked and added to the lead timeline. 422 do_not_contact when the lead ' +
        'opted out, 422 no_email_address, 503 email_not_configured without SMTP_URL, 502 email_send_failed when ' +
        'the SMTP server refuses (the failed attempt is kept in the lead\'s email list).',
      params: idParams,
      body: sendEmailBody,
      response: { 201: emailMessageSchema },
    },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin', 'manager', 'agent');
      const { template, to, data } = request.body;
      // The transaction commits even when the SMTP server failed, so the attempt stays on record.
      const { result, message } = await withActor(db, actor, async (tx) => {
        const result = await sendEmail(tx, config, { leadId: request.params.id, template, to, data } as Parameters<typeof sendEmail>[2]);
        const message = result.status === 'refused' ? undefined : await selectEmailMessage(tx, result.messageId);
        return { result, message };
      });
      if (result.status !== 'sent') throw refusal(result);
      if (!message) throw new NotFoundError('Email');
      return reply.status(201).send(message);
    },
  });

  app.get('/api/v1/leads/:id/emails', {
    schema: {
      tags,
      summary: "The emails sent to a lead, newest first, with their delivery status and engagement",
      params: idParams,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) }).strict(),
      response: { 200: z.object({ data: z.array(emailMessageSchema) }) },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, async (tx) => {
        if (!(await selectLiveLead(tx, request.params.id))) throw new NotFoundError('Lead');
        return { data: await listLeadEmailMessages(tx, request.params.id, request.query.limit) };
      });
    },
  });

  app.get('/api/v1/email/status', {
    schema: { tags, summary: 'Whether sending, tracking and each provider webhook are configured', response: { 200: emailStatusSchema } },
    handler: async (request) => {
      requireActor(request);
      const email = config.email;
      const configured: Record<WebhookProvider, boolean> = {
        sendgrid: Boolean(email.sendgridPublicKey),
        postmark: Boolean(email.postmark),
        resend: Boolean(email.resendSecret),
        mailgun: Boolean(email.mailgunSigningKey),
      };
      return {
        sending: { configured: email.smtpUrl !== undefined, from: email.from },
        tracking: {
          secret: email.secret ? ('CLARA_SECRET' as const) : ('generated' as const),
          open_pixel: `${config.publicUrl}/e/o/{token}.gif`,
          click_redirect: `${config.publicUrl}/e/c/{token}`,
        },
        webhooks: Object.fromEntries(
          WEBHOOK_PROVIDERS.map((provider) => [provider, { configured: configured[provider], url: `${config.publicUrl}/webhooks/email/${provider}` }]),
        ),
      };
    },
  });

  // Tracking: public (mail clients are nobody signed in), authorised by the signed token alone.
  const tracking = { public: true, rateLimit: { max: 300, timeWindow: '1 minute' } };

  app.get('/e/o/:file', {
    config: tracking,
    schema: {
      tags,
      summary: 'Open pixel: records an open of the email the token was signed for',
      security: [],
      params: z.object({ file: z.string().max(100).regex(/^[A-Za-z0-9_-]{20,}\.gif$/, 'not a tracking pixel') }).strict(),
    },
    handler: async (request, reply) => {
      await trackEmailOpen(db, config.email, request.params.file.slice(0, -'.gif'.length));
      return reply
        .type('image/gif')
        .header('cache-control', 'no-store, max-age=0')
        // Webmail shows the image from its own origin; helmet's same-origin default would block it.
        .header('cross-origin-resource-policy', 'cross-origin')
        .send(PIXEL);
    },
  });

  app.get('/e/c/:token', {
    config: tracking,
    schema: {
      tags,
      summary: 'Click redirect: records the click and redirects to the link the token was signed for',
      security: [],
      params: z.object({ token }).strict(),
    },
    handler: async (request, reply) => {
      const url = await trackEmailClick(db, config.email, request.params.token);
      return reply.header('cache-control', 'no-store').redirect(url, 302);
    },
  });

  // Provider webhooks read the raw bytes (signatures cover them), so they get a scope of their
  // own whose parsers keep the body as it came.
  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    for (const provider of WEBHOOK_PROVIDERS) {
      scope.post(`/webhooks/email/${provider}`, {
        config: { public: true },
        schema: {
          tags: ['email webhooks'],
          summary: `${provider} event webhook: delivered, opened, clicked, bounced, complained, unsubscribed, inbound replies`,
          description: 'Authenticated by the provider\'s own scheme (docs/email.md): 401 without credentials, 403 with wrong ones, and nothing is written.',
          security: [],
          response: { 200: webhookResultSchema },
        },
        handler: async (request) => {
          const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
          const contentType = String(request.headers['content-type'] ?? '');
          if (/multipart\//i.test(contentType)) {
            throw new AppError(415, 'unsupported_media_type', 'Post events as JSON (or an inbound email as a urlencoded form)');
          }
          const form = /application\/x-www-form-urlencoded/i.test(contentType)
            ? Object.fromEntries(new URLSearchParams(body.toString('utf8')))
            : undefined;
          return receiveEmailWebhook(db, config.email, provider, { headers: request.headers, body, form });
        },
      });
    }
  });
}
