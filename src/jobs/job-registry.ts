import type { z } from 'zod';
import type { Db } from '../db/database.js';

/** A job as its handler sees it. */
export interface Job<P> {
  id: string;
  type: string;
  payload: P;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export interface JobLog {
  info(details: object, message: string): void;
  warn(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface JobContext {
  /** Owner connection (no row-level security): handlers open their own transactions as needed. */
  db: Db;
  /** Aborted when the job overruns its timeout or the worker shuts down. */
  signal: AbortSignal;
  log: JobLog;
}

/** What happened to a failed attempt, for the job type's own bookkeeping. */
export interface JobFailure {
  error: string;
  /** No further attempt will be made. */
  final: boolean;
  /** When the next attempt is due (ISO 8601); null when final. */
  nextRunAt: string | null;
}

export interface JobDefinition<P> {
  /** Dotted lower-case name, e.g. "webhook.deliver" or "email.send". */
  type: string;
  /** Validates what was enqueued; a payload that does not parse fails the job at once. */
  payload: z.ZodType<P>;
  /** Attempts before the job fails for good (default DEFAULT_MAX_ATTEMPTS). */
  maxAttempts?: number;
  /** The handler's signal aborts after this long (default DEFAULT_TIMEOUT_MS). */
  timeoutMs?: number;
  run(job: Job<P>, context: JobContext): Promise<void>;
  /**
   * Called after a failed attempt, in the transaction that reschedules or fails the job, so the
   * domain's own state (a delivery log) never disagrees with the queue.
   */
  onFailure?(job: Job<P>, failure: JobFailure, tx: Db): Promise<void>;
}

export const DEFAULT_MAX_ATTEMPTS = 10;
export const DEFAULT_TIMEOUT_MS = 5 * 60_000;

/** Thrown by a handler when trying again cannot help (bad payload, refused target): no retry. */
export class PermanentJobError extends Error {
  override name = 'PermanentJobError';
}

/** Thrown by a handler that knows when to try again (an HTTP Retry-After). */
export class RetryLaterError extends Error {
  override name = 'RetryLaterError';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

/** Housekeeping a worker runs about once an hour (old rows of a slice's own tables). */
export interface CleanupTask {
  name: string;
  /** Returns how many rows it removed. */
  run(db: Db): Promise<number>;
}

/** Job type -> handler. A worker only claims the types its registry knows. */
export class JobRegistry {
  private readonly definitions = new Map<string, JobDefinition<unknown>>();
  private readonly cleanups: CleanupTask[] = [];

  define<P>(definition: JobDefinition<P>): this {
    if (this.definitions.has(definition.type)) throw new Error(`Job type ${definition.type} is defined twice`);
    this.definitions.set(definition.type, definition as unknown as JobDefinition<unknown>);
    return this;
  }

  cleanup(task: CleanupTask): this {
    this.cleanups.push(task);
    return this;
  }

  cleanupTasks(): readonly CleanupTask[] {
    return this.cleanups;
  }

  get(type: string): JobDefinition<unknown> | undefined {
    return this.definitions.get(type);
  }

  types(): string[] {
    return [...this.definitions.keys()];
  }

  /** The longest a job of these types may run: a claim's lease must outlast it. */
  longestTimeoutMs(): number {
    return Math.max(0, ...[...this.definitions.values()].map((d) => d.timeoutMs ?? DEFAULT_TIMEOUT_MS));
  }
}
