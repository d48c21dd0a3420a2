/**
 * sendEmail: send one templated email to a lead, record it, and put it on the lead's timeline.
 *
 *   import { sendEmail } from '../channels/email/send-email.js';
 *
 *   const result = await sendEmail(tx, context.config, {
 *     leadId,
 *     template: 'booking_confirmation',            // or 'roi_report'
 *     to: 'ada@example.com',                       // optional: defaults to the lead's email
 *     data: { name: 'Ada', start_time: '2026-12-03T15:00:00Z', meeting_url: 'https://meet.example.com/x' },
 *   });
 *   if (result.status === 'sent') { ...e.g. set roi_calculations.report_sent_at... }
 *
 * - `tx`: the caller's transaction. A request's (withActor) works: row-level security then
 *   decides whether the caller may email this lead. The agent's (withAgent) or the system's
 *   (withSystem) work too. Call it last in your transaction: the email leaves at once and cannot
 *   be taken back if your transaction later rolls back.
 * - `settings`: the app's Config (context.config); only `email`, `publicUrl` and `timeZone` are read.
 * - `data`: see bookingConfirmationData and roiReportData in templates.ts (snake_case, like the API);
 *   invalid data throws a BadRequestError (400) before anything is written or sent.
 *
 * It never throws for the outcomes a caller must handle; it returns one of:
 * - `{ status: 'sent', messageId, providerMessageId, to }`: handed to the SMTP server; recorded
 *   in email_messages and as an `email_sent` activity ("Booking confirmation sent to ...").
 * - `{ status: 'failed', messageId, to, error }`: the SMTP server refused or could not be
 *   reached; recorded as failed (no activity). Commit your transaction to keep that record.
 * - `{ status: 'refused', reason, message }`, nothing sent or written: `do_not_contact` (the
 *   lead asked not to be contacted), `no_email_address` (no `to` and no lead email), or
 *   `not_configured` (SMTP_URL is not set).
 * It throws NotFoundError when the lead does not exist, is in the trash, or is not visible to
 * the caller.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Config } from '../../config/config.js';
import type { Db } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../server/errors.js';
import { messageIdDomain, sendSmtp } from './mailer.js';
import { insertEmailMessage, insertLeadActivity, markEmailMessageFailed, markEmailMessageSent, selectCompanyName, selectLiveLead } from './queries.js';
import {
  renderBookingConfirmation,
  renderRoiReport,
  type BookingConfirmationData,
  type EmailTemplate,
  type RenderContext,
  type RenderedEmail,
  type RoiReportData,
} from './templates.js';
import { isTrackableUrl, signClickToken, signOpenToken } from './tracking-token.js';
import { trackingKeyFor } from './tracking-key.js';

export type SendEmailInput =
  | { leadId: string; template: 'booking_confirmation'; to?: string | undefined; data: BookingConfirmationData }
  | { leadId: string; template: 'roi_report'; to?: string | undefined; data: RoiReportData };

export type SendEmailResult =
  | { status: 'sent'; messageId: string; providerMessageId: string | null; to: string }
  | { status: 'failed'; messageId: string; to: string; error: string }
  | { status: 'refused'; reason: 'do_not_contact' | 'no_email_address' | 'not_configured'; message: string };

export type EmailSettings = Pick<Config, 'email' | 'publicUrl' | 'timeZone'>;

const TEMPLATE_NAMES: Record<EmailTemplate, string> = {
  booking_confirmation: 'Booking confirmation',
  roi_report: 'ROI report',
};

const address = z.email().max(320);

export async function sendEmail(tx: Db, settings: EmailSettings, input: SendEmailInput): Promise<SendEmailResult> {
  const to = input.to === undefined ? undefined : address.safeParse(input.to.trim().toLowerCase());
  if (to && !to.success) throw new BadRequestError('`to` is not an email address');

  const lead = await selectLiveLead(tx, input.leadId);
  if (!lead) throw new NotFoundError('Lead');
  if (lead.do_not_contact) {
    return { status: 'refused', reason: 'do_not_contact', message: 'This lead asked not to be contacted (do_not_contact); no email was sent' };
  }
  const recipient = to?.data ?? lead.email;
  if (!recipient) {
    return { status: 'refused', reason: 'no_email_address', message: 'The lead has no email address; give one in `to`' };
  }
  const { smtpUrl, from } = settings.email;
  if (!smtpUrl) {
    return { status: 'refused', reason: 'not_configured', message: 'Email is not configured: set SMTP_URL (see docs/email.md)' };
  }

  const id = randomUUID();
  const key = await trackingKeyFor(tx, settings.email);
  const context: RenderContext = {
    // Links we cannot track (mailto:, too long) stay as they are rather than break.
    link: (url) => (isTrackableUrl(url) ? `${settings.publicUrl}/e/c/${signClickToken(key, id, url)}` : url),
    pixelUrl: `${settings.publicUrl}/e/o/${signOpenToken(key, id)}.gif`,
    companyName: (await selectCompanyName(tx)) ?? 'our team',
    timeZone: settings.timeZone,
  };
  const rendered = render(input, context);
  const headerMessageId = `${id}@${messageIdDomain(from)}`;
  await insertEmailMessage(tx, {
    id,
    lead_id: lead.id,
    template: input.template,
    to_email: recipient,
    from_email: from,
    subject: rendered.subject,
    header_message_id: headerMessageId,
  });

  let providerMessageId: string | null;
  try {
    ({ providerMessageId } = await sendSmtp(smtpUrl, { id, headerMessageId, from, to: recipient, ...rendered }));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    await markEmailMessageFailed(tx, id, reason);
    return { status: 'failed', messageId: id, to: recipient, error: reason };
  }
  await markEmailMessageSent(tx, id, providerMessageId);
  await insertLeadActivity(tx, {
    lead_id: lead.id,
    activity_type: 'email_sent',
    subject: `${TEMPLATE_NAMES[input.template]} sent to ${recipient}`,
    description: rendered.summary,
    metadata: { email_message_id: id, template: input.template, to: recipient, subject: rendered.subject },
  });
  return { status: 'sent', messageId: id, providerMessageId, to: recipient };
}

function render(input: SendEmailInput, context: RenderContext): RenderedEmail {
  try {
    return input.template === 'booking_confirmation'
      ? renderBookingConfirmation(input.data, context)
      : renderRoiReport(input.data, context);
  } catch (error) {
    if (error instanceof z.ZodError) {
      throw new BadRequestError(
        `The ${input.template} data is not valid`,
        error.issues.map((issue) => ({ path: `data.${issue.path.join('.')}`, message: issue.message })),
      );
    }
    throw error;
  }
}
