import type { Db } from '../db/database.js';
import { insertJob } from './queries.js';

export interface EnqueueOptions {
  /** Not before this instant (default: now). */
  runAt?: Date | string;
  /** Overrides the attempts registered for the job type. */
  maxAttempts?: number;
}

/**
 * Queues a job in the caller's transaction: it exists, and a worker is woken, only if that
 * transaction commits. Works from a request transaction (row-level security on) as well as from
 * system work: the insert goes through app.enqueue_job, which requests may call.
 */
export async function enqueueJob(tx: Db, type: string, payload: unknown, options: EnqueueOptions = {}): Promise<string> {
  const runAt = options.runAt instanceof Date ? options.runAt.toISOString() : options.runAt;
  return insertJob(tx, { type, payload, runAt, maxAttempts: options.maxAttempts });
}
