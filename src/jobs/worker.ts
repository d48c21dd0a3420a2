import { randomBytes } from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import type { Database } from '../db/database.js';
import { withSystem } from '../db/with-actor.js';
import { backoffDelayMs, type BackoffPolicy } from './backoff.js';
import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  PermanentJobError,
  RetryLaterError,
  type JobDefinition,
  type JobLog,
  type JobRegistry,
} from './job-registry.js';
import {
  claimExpiredJobs,
  claimJobs,
  completeJob,
  deleteFinishedJobs,
  failJob,
  msUntilNextJob,
  releaseJob,
  type JobRow,
} from './queries.js';

export const JOBS_CHANNEL = 'clara_jobs';

export interface WorkerOptions {
  /** Jobs run at once by this worker. */
  concurrency: number;
  backoff: BackoffPolicy;
  /**
   * Longest sleep between two looks at the queue. NOTIFY wakes the worker for new jobs and its own
   * timer for retries it scheduled; this catches the rest (a retry scheduled by another process,
   * a lost LISTEN connection).
   */
  pollIntervalMs?: number;
  /** In-flight jobs get this long to finish on stop() before they are aborted and given back. */
  shutdownGraceMs?: number;
  /** Finished jobs older than this are deleted (default 7). */
  retentionDays?: number;
  log?: JobLog;
}

const silent: JobLog = { info() {}, warn() {}, error() {} };
const ERROR_MAX_LENGTH = 2000;
const CLEANUP_EVERY_MS = 60 * 60_000;

class ShutdownError extends Error {
  override name = 'ShutdownError';
}

/**
 * Runs jobs from the PostgreSQL queue: claims due jobs (SKIP LOCKED, so any number of workers in
 * any number of processes share the queue), runs their handlers with a timeout, and completes,
 * reschedules with exponential backoff, or fails them for good. Sleeps on LISTEN clara_jobs
 * instead of polling tightly. Its timers never keep a process alive by themselves.
 */
export class JobWorker {
  readonly id = `${os.hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;
  private listener: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly running = new Map<string, { promise: Promise<void>; controller: AbortController }>();
  private looping = false;
  private again = false;
  private stopped = true;
  private lastCleanup = 0;
  private readonly log: JobLog;
  private readonly leaseMs: number;

  constructor(
    private readonly database: Database,
    private readonly registry: JobRegistry,
    private readonly options: WorkerOptions,
  ) {
    this.log = options.log ?? silent;
    // A claim must outlast the slowest handler, or a healthy run would be taken over.
    this.leaseMs = registry.longestTimeoutMs() + 60_000;
  }

  async start(): Promise<void> {
    this.stopped = false;
    await this.listen();
    this.wake();
  }

  /** Stops claiming, lets running jobs finish (or aborts and releases them after the grace period). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.timer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => {});
    // A claim in progress may still start jobs: let the loop settle before counting them.
    while (this.looping) await new Promise((resolve) => setTimeout(resolve, 5));
    const inFlight = () => Promise.allSettled([...this.running.values()].map((run) => run.promise));
    let graceTimer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<'timeout'>((resolve) => {
      graceTimer = setTimeout(() => resolve('timeout'), this.options.shutdownGraceMs ?? 5000);
    });
    const outcome = await Promise.race([inFlight().then(() => 'done' as const), graceOver]);
    clearTimeout(graceTimer);
    if (outcome === 'timeout') {
      for (const run of this.running.values()) run.controller.abort(new ShutdownError('The worker is shutting down'));
      await inFlight();
    }
  }

  /**
   * Runs every job that is due now, and waits for them, until none is left. For tests and
   * one-off runs; a started worker does this by itself.
   */
  async drain(): Promise<void> {
    for (;;) {
      const claimed = await this.claim(this.options.concurrency);
      if (claimed === 0 && this.running.size === 0) return;
      await Promise.allSettled([...this.running.values()].map((run) => run.promise));
    }
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.database.url, application_name: 'clara-worker' });
    client.on('notification', () => this.wake());
    // A lost LISTEN connection is re-opened; meanwhile the poll interval keeps jobs moving.
    client.on('error', (error) => {
      this.log.warn({ err: error }, 'job worker lost its LISTEN connection; reconnecting');
      if (this.listener === client) this.listener = undefined;
      client.end().catch(() => {});
      const retry = setTimeout(() => {
        if (!this.stopped) void this.listen().catch((e: unknown) => this.log.warn({ err: e }, 'job worker could not LISTEN'));
      }, 1000);
      retry.unref();
    });
    await client.connect();
    await client.query(`LISTEN ${JOBS_CHANNEL}`);
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.looping) {
      this.again = true;
      return;
    }
    void this.loop();
  }

  private async loop(): Promise<void> {
    this.looping = true;
    clearTimeout(this.timer);
    let nextInMs: number | null = null;
    try {
      do {
        this.again = false;
        await this.recoverExpired();
        while (!this.stopped && this.running.size < this.options.concurrency) {
          if ((await this.claim(this.options.concurrency - this.running.size)) === 0) break;
        }
        await this.cleanUp();
      } while (this.again && !this.stopped);
      nextInMs = await msUntilNextJob(this.database.db, this.registry.types());
    } catch (error) {
      if (!this.stopped) this.log.error({ err: error }, 'job worker could not read the queue');
      nextInMs = 1000;
    } finally {
      this.looping = false;
    }
    if (this.stopped) return;
    // Woken while reading the next due time (a NOTIFY, a finished job): look again now.
    if (this.again) {
      this.wake();
      return;
    }
    const poll = this.options.pollIntervalMs ?? 30_000;
    this.timer = setTimeout(() => this.wake(), Math.min(nextInMs ?? poll, poll) + 5);
    this.timer.unref();
  }

  /** Claims up to `limit` jobs and starts them; returns how many. */
  private async claim(limit: number): Promise<number> {
    const jobs = await claimJobs(this.database.db, this.id, this.registry.types(), limit, this.leaseMs);
    for (const job of jobs) this.run(job);
    return jobs.length;
  }

  private run(job: JobRow): void {
    const controller = new AbortController();
    const promise = this.execute(job, controller)
      .catch((error: unknown) => this.log.error({ err: error, job_id: job.id }, 'job bookkeeping failed; its lease will expire and it will be retried'))
      .finally(() => {
        this.running.delete(job.id);
        this.wake();
      });
    this.running.set(job.id, { promise, controller });
  }

  private async execute(job: JobRow, controller: AbortController): Promise<void> {
    const definition = this.registry.get(job.type);
    if (!definition) return; // claimJobs only hands out registered types
    const maxAttempts = job.max_attempts ?? definition.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
    const timeoutMs = definition.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const timeout = setTimeout(() => controller.abort(new Error(`The job ran longer than ${timeoutMs} ms`)), timeoutMs);
    timeout.unref();
    try {
      const payload = definition.payload.safeParse(job.payload);
      if (!payload.success) throw new PermanentJobError(`Invalid payload: ${payload.error.message}`);
      await definition.run(
        { id: job.id, type: job.type, payload: payload.data, attempt: job.attempts, maxAttempts },
        { db: this.database.db, signal: controller.signal, log: this.log },
      );
      await completeJob(this.database.db, job, this.id);
    } catch (error) {
      if (controller.signal.reason instanceof ShutdownError) {
        await releaseJob(this.database.db, job, this.id);
        return;
      }
      await this.fail(job, definition, maxAttempts, error);
    } finally {
      clearTimeout(timeout);
    }
  }

  private async fail(job: JobRow, definition: JobDefinition<unknown>, maxAttempts: number, error: unknown): Promise<void> {
    const message = (error instanceof Error ? error.message : String(error)).slice(0, ERROR_MAX_LENGTH);
    const final = error instanceof PermanentJobError || job.attempts >= maxAttempts;
    let delayMs: number | null = null;
    if (!final) {
      delayMs = backoffDelayMs(job.attempts, this.options.backoff);
      // A receiver that says when to come back is believed, within the backoff ceiling.
      if (error instanceof RetryLaterError && error.retryAfterMs !== undefined) {
        delayMs = Math.max(delayMs, Math.min(error.retryAfterMs, this.options.backoff.maxMs));
      }
    }
    const details = { job_id: job.id, job_type: job.type, attempt: job.attempts, err: message };
    if (final) this.log.warn(details, 'job failed for good');
    else this.log.info(details, 'job failed; retrying later');
    await withSystem(this.database.db, async (tx) => {
      const row = await failJob(tx, job, this.id, { error: message, delayMs });
      if (!row || !definition.onFailure) return;
      const payload = definition.payload.safeParse(job.payload);
      if (!payload.success) return;
      await definition.onFailure(
        { id: job.id, type: job.type, payload: payload.data, attempt: job.attempts, maxAttempts },
        { error: message, final, nextRunAt: final ? null : row.run_at },
        tx,
      );
    });
  }

  /** Jobs whose worker vanished mid-run go through the failure path: retried, or failed when out of attempts. */
  private async recoverExpired(): Promise<void> {
    const expired = await claimExpiredJobs(this.database.db, this.id, this.registry.types(), 100, this.leaseMs);
    for (const job of expired) {
      const definition = this.registry.get(job.type);
      if (!definition) continue;
      const maxAttempts = job.max_attempts ?? definition.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
      await this.fail(job, definition, maxAttempts, new Error('The worker running this job stopped or timed out'));
    }
  }

  private async cleanUp(): Promise<void> {
    if (Date.now() - this.lastCleanup < CLEANUP_EVERY_MS) return;
    this.lastCleanup = Date.now();
    const removed = await deleteFinishedJobs(this.database.db, this.options.retentionDays ?? 7);
    if (removed) this.log.info({ removed }, 'removed finished jobs');
    for (const task of this.registry.cleanupTasks()) {
      const count = await task.run(this.database.db);
      if (count) this.log.info({ removed: count, task: task.name }, 'cleanup');
    }
  }
}
