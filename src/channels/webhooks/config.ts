import { z } from 'zod';

/** Outbound webhook delivery and the external CRM's inbound webhook (CLARA_WEBHOOKS_*, CLARA_CRM_WEBHOOK_*). */
export interface WebhooksConfig {
  /** Attempts per delivery before it is marked failed. */
  maxAttempts: number;
  /** How long a receiver has to answer one attempt. */
  timeoutMs: number;
  /** Deliver to loopback and private-network addresses too (tests, a receiver on the same LAN). */
  allowPrivate: boolean;
  /** The external CRM's signing secret (whsec_... or any string of 24+ characters); undefined: POST /webhooks/crm is off. */
  crmSecret: string | undefined;
  /** How far a signed timestamp of the external CRM may be from now, either way. */
  crmToleranceSeconds: number;
  /** Days the events and their delivery log are kept. */
  retentionDays: number;
}

const envSchema = z.object({
  CLARA_WEBHOOKS_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(12),
  CLARA_WEBHOOKS_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(15_000),
  CLARA_WEBHOOKS_ALLOW_PRIVATE: z.enum(['true', 'false']).default('false'),
  CLARA_CRM_WEBHOOK_SECRET: z.string().min(24, 'must be at least 24 characters (or a whsec_... secret)').optional(),
  CLARA_CRM_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(300),
  CLARA_WEBHOOKS_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
});

/** Reads the webhook settings; empty variables count as unset, anything invalid throws. */
export function webhooksConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WebhooksConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid webhook configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    maxAttempts: e.CLARA_WEBHOOKS_MAX_ATTEMPTS,
    timeoutMs: e.CLARA_WEBHOOKS_TIMEOUT_MS,
    allowPrivate: e.CLARA_WEBHOOKS_ALLOW_PRIVATE === 'true',
    crmSecret: e.CLARA_CRM_WEBHOOK_SECRET?.trim(),
    crmToleranceSeconds: e.CLARA_CRM_WEBHOOK_TOLERANCE_SECONDS,
    retentionDays: e.CLARA_WEBHOOKS_RETENTION_DAYS,
  };
}
