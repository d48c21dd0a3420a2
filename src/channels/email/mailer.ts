import nodemailer from 'nodemailer';

export interface OutgoingEmail {
  /** email_messages.id: also in the Message-ID and in each provider's metadata header. */
  id: string;
  /** Without angle brackets. */
  headerMessageId: string;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface SmtpResult {
  /** The id the server gave the message ("250 Ok: queued as <id>"), when it said one. */
  providerMessageId: string | null;
}

/**
 * Hands one email to the SMTP server of SMTP_URL. A connection per email keeps nothing in
 * memory between requests; short timeouts because the caller's database transaction stays open
 * while the server answers.
 */
export async function sendSmtp(smtpUrl: string, email: OutgoingEmail): Promise<SmtpResult> {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  try {
    const info = await transport.sendMail({
      from: email.from,
      to: email.to,
      subject: email.subject,
      text: email.text,
      html: email.html,
      messageId: `<${email.headerMessageId}>`,
      headers: {
        'X-Clara-Message-Id': email.id,
        // Each relay's way of echoing a value back in its event webhooks, so events find this email:
        // SendGrid (unique_args), Postmark (Metadata), Mailgun (user-variables).
        'X-SMTPAPI': JSON.stringify({ unique_args: { clara_message_id: email.id } }),
        'X-PM-Metadata-clara_message_id': email.id,
        'X-Mailgun-Variables': JSON.stringify({ clara_message_id: email.id }),
      },
    });
    const queued = /queued as ([^\s]+)/i.exec(info.response ?? '');
    return { providerMessageId: queued?.[1] ?? null };
  } finally {
    transport.close();
  }
}

/** The domain for Message-IDs: the From address's, so they look like the sender's own. */
export function messageIdDomain(from: string): string {
  const match = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from.trim());
  return match?.[1]?.toLowerCase() ?? 'clara.local';
}
