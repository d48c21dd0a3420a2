import { z } from 'zod';

/** The email channel's settings (SMTP, the sender, provider webhook secrets), read once at start-up. */
export interface EmailConfig {
  /** smtp://user:pass@host:587 or smtps://...:465; undefined: sending is disabled (and says so). */
  smtpUrl: string | undefined;
  /** The From header, e.g. `Clara <clara@example.com>`. */
  from: string;
  /** CLARA_SECRET: signs tracking links; undefined: a secret generated into the database. */
  secret: string | undefined;
  /** SendGrid's signed event webhook verification key (base64 DER, or PEM). */
  sendgridPublicKey: string | undefined;
  /** The basic-auth credentials put in Postmark's webhook URL. */
  postmark: { username: string; password: string } | undefined;
  /** Resend's webhook signing secret (whsec_...). */
  resendSecret: string | undefined;
  /** Mailgun's HTTP webhook signing key. */
  mailgunSigningKey: string | undefined;
  /** How old a signed webhook timestamp may be, either way (replays and clock skew). */
  webhookToleranceSeconds: number;
}

export const DEFAULT_EMAIL_FROM = 'Clara <clara@localhost>';

const envSchema = z.object({
  SMTP_URL: z
    .string()
    .url()
    .refine((url) => /^smtps?:\/\//i.test(url), 'must be an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587')
    .optional(),
  EMAIL_FROM: z.string().min(3).default(DEFAULT_EMAIL_FROM),
  CLARA_SECRET: z.string().min(32, 'must be at least 32 characters (e.g. openssl rand -hex 32)').optional(),
  SENDGRID_WEBHOOK_PUBLIC_KEY: z.string().min(40).optional(),
  POSTMARK_WEBHOOK_USER: z.string().min(1).optional(),
  POSTMARK_WEBHOOK_PASSWORD: z.string().min(12, 'must be at least 12 characters').optional(),
  RESEND_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/=]+$/, 'must be the whsec_... signing secret').optional(),
  MAILGUN_WEBHOOK_SIGNING_KEY: z.string().min(8).optional(),
  EMAIL_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().max(86_400).default(300),
});

/**
 * Reads the email settings. Empty variables count as unset; anything invalid throws, so a typo
 * fails at start-up instead of silently disabling email or a webhook.
 */
export function emailConfigFromEnv(env: NodeJS.ProcessEnv = process.env): EmailConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid email configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  if (Boolean(e.POSTMARK_WEBHOOK_USER) !== Boolean(e.POSTMARK_WEBHOOK_PASSWORD)) {
    throw new Error('Invalid email configuration:\n  POSTMARK_WEBHOOK_USER and POSTMARK_WEBHOOK_PASSWORD go together');
  }
  return {
    smtpUrl: e.SMTP_URL,
    from: e.EMAIL_FROM.trim(),
    secret: e.CLARA_SECRET,
    sendgridPublicKey: e.SENDGRID_WEBHOOK_PUBLIC_KEY?.trim(),
    postmark:
      e.POSTMARK_WEBHOOK_USER && e.POSTMARK_WEBHOOK_PASSWORD
        ? { username: e.POSTMARK_WEBHOOK_USER, password: e.POSTMARK_WEBHOOK_PASSWORD }
        : undefined,
    resendSecret: e.RESEND_WEBHOOK_SECRET?.trim(),
    mailgunSigningKey: e.MAILGUN_WEBHOOK_SIGNING_KEY?.trim(),
    webhookToleranceSeconds: e.EMAIL_WEBHOOK_TOLERANCE_SECONDS,
  };
}
