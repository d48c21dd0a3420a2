import path from 'node:path';
import { z } from 'zod';
import { llmConfigFromEnv, type LlmConfig } from '../agent/llm/config.js';
import { twilioConfigFromEnv, type TwilioConfig } from '../channels/twilio/config.js';
import { emailConfigFromEnv, type EmailConfig } from '../channels/email/config.js';
import { webhooksConfigFromEnv, type WebhooksConfig } from '../channels/webhooks/config.js';
import { workerConfigFromEnv, type WorkerConfig } from '../jobs/config.js';

/** Everything Clara reads from the environment, validated once at start-up. */
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  CLARA_DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional(),
  PUBLIC_URL: z.string().url().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  CLARA_ADMIN_EMAIL: z.string().email().optional(),
  CLARA_ADMIN_PASSWORD: z.string().min(8).optional(),
  CLARA_SESSION_DAYS: z.coerce.number().int().positive().default(14),
  CLARA_DEFAULT_COUNTRY: z.string().regex(/^[A-Z]{2}$/, 'an ISO 3166 country code such as US').default('US'),
  CLARA_TIMEZONE: z.string().default(Intl.DateTimeFormat().resolvedOptions().timeZone),
  CLARA_DB_POOL_SIZE: z.coerce.number().int().positive().default(20),
  CLARA_DB_READ_POOL_SIZE: z.coerce.number().int().positive().optional(),
  CLARA_COOKIE_SECURE: z.enum(['true', 'false']).optional(),
  CLARA_PUBLIC_RATE_LIMIT: z.coerce.number().int().positive().default(10),
});

export type Config = {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: string;
  logLevel: z.infer<typeof envSchema>['LOG_LEVEL'];
  admin: { email: string | undefined; password: string | undefined };
  sessionDays: number;
  timeZone: string;
  defaultCountry: string;
  poolSize: number;
  /** Connections for one-round-trip reads; undefined: two per core (src/db/database.ts). */
  readPoolSize: number | undefined;
  cookieSecure: boolean;
  /** Landing-page form posts per minute per address (the chat widget gets four times as many). */
  publicRateLimit: number;
  /** The optional language model (CLARA_LLM_*); undefined: the rules alone. */
  llm: LlmConfig | undefined;
  /** Twilio voice and SMS (TWILIO_*, CLARA_CALL_RECORDING, CLARA_SMS_IDLE_HOURS); see docs/telephony.md. */
  twilio: TwilioConfig;
  /** SMTP, sender and email webhook secrets (SMTP_URL, EMAIL_FROM, ...); see docs/email.md. */
  email: EmailConfig;
  /** The job worker (CLARA_WORKER, CLARA_WORKER_CONCURRENCY, CLARA_JOBS_*); see docs/webhooks.md. */
  worker: WorkerConfig;
  /** Outbound and inbound webhooks (CLARA_WEBHOOKS_*, CLARA_CRM_WEBHOOK_*); see docs/webhooks.md. */
  webhooks: WebhooksConfig;
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  );
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, '');
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: path.resolve(e.CLARA_DATA_DIR),
    databaseUrl: e.DATABASE_URL,
    publicUrl,
    logLevel: e.LOG_LEVEL,
    admin: { email: e.CLARA_ADMIN_EMAIL, password: e.CLARA_ADMIN_PASSWORD },
    sessionDays: e.CLARA_SESSION_DAYS,
    timeZone: e.CLARA_TIMEZONE,
    defaultCountry: e.CLARA_DEFAULT_COUNTRY,
    poolSize: e.CLARA_DB_POOL_SIZE,
    readPoolSize: e.CLARA_DB_READ_POOL_SIZE,
    // Secure cookies only travel over HTTPS; default to secure when the public URL is HTTPS.
    cookieSecure: e.CLARA_COOKIE_SECURE ? e.CLARA_COOKIE_SECURE === 'true' : publicUrl.startsWith('https:'),
    publicRateLimit: e.CLARA_PUBLIC_RATE_LIMIT,
    llm: llmConfigFromEnv(env),
    twilio: twilioConfigFromEnv(env),
    email: emailConfigFromEnv(env),
    worker: workerConfigFromEnv(env),
    webhooks: webhooksConfigFromEnv(env),
  };
}
