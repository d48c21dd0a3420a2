import { z } from 'zod';
import type { BackoffPolicy } from './backoff.js';

/** The job worker's settings (CLARA_WORKER*, CLARA_JOBS_*), read once at start-up. */
export interface WorkerConfig {
  /** Run a worker inside `clara serve` (CLARA_WORKER=on, the default); off when workers run apart (`clara worker`). */
  inProcess: boolean;
  concurrency: number;
  backoff: BackoffPolicy;
  /** Longest sleep between two looks at the queue when no notification arrives. */
  pollIntervalMs: number;
}

const envSchema = z.object({
  CLARA_WORKER: z.enum(['on', 'off']).default('on'),
  CLARA_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(100).default(4),
  CLARA_JOBS_BACKOFF_BASE_MS: z.coerce.number().int().min(1).max(86_400_000).default(30_000),
  CLARA_JOBS_BACKOFF_MAX_MS: z.coerce.number().int().min(1).max(7 * 86_400_000).default(6 * 3_600_000),
  CLARA_JOBS_POLL_MS: z.coerce.number().int().min(50).max(3_600_000).default(30_000),
});

/** Reads the worker settings; empty variables count as unset, anything invalid throws. */
export function workerConfigFromEnv(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid job worker configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    inProcess: e.CLARA_WORKER === 'on',
    concurrency: e.CLARA_WORKER_CONCURRENCY,
    backoff: { baseMs: e.CLARA_JOBS_BACKOFF_BASE_MS, maxMs: Math.max(e.CLARA_JOBS_BACKOFF_MAX_MS, e.CLARA_JOBS_BACKOFF_BASE_MS) },
    pollIntervalMs: e.CLARA_JOBS_POLL_MS,
  };
}
