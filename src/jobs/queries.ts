import { sql } from 'kysely';
import type { Db } from '../db/database.js';

/** A claimed job as stored. */
export interface JobRow {
  id: string;
  type: string;
  payload: unknown;
  attempts: number;
  max_attempts: number | null;
}

export async function insertJob(
  tx: Db,
  job: { type: string; payload: unknown; runAt?: string; maxAttempts?: number },
): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    SELECT app.enqueue_job(${job.type}, ${JSON.stringify(job.payload ?? {})}::jsonb,
                           ${job.runAt ?? null}::timestamptz, ${job.maxAttempts ?? null}::integer) AS id`.execute(tx);
  const id = rows[0]?.id;
  if (!id) throw new Error('enqueue_job returned no id');
  return id;
}

/**
 * Claims up to `limit` due jobs of these types for this worker. SKIP LOCKED makes concurrent
 * claimers (other workers, other processes) pass over rows another one is claiming, so no job is
 * handed out twice; the lease lets another worker take the job back if this one dies.
 */
export async function claimJobs(db: Db, workerId: string, types: string[], limit: number, leaseMs: number): Promise<JobRow[]> {
  if (limit <= 0 || types.length === 0) return [];
  const { rows } = await sql<JobRow>`
    UPDATE jobs j
       SET status = 'running', attempts = j.attempts + 1, locked_by = ${workerId},
           locked_until = now() + ${leaseMs}::float8 * interval '1 millisecond'
      FROM (SELECT id FROM jobs
             WHERE status = 'pending' AND run_at <= now() AND type = ANY (${types}::text[])
             ORDER BY run_at, id
             LIMIT ${limit}
             FOR UPDATE SKIP LOCKED) due
     WHERE j.id = due.id
    RETURNING j.id, j.type, j.payload, j.attempts, j.max_attempts`.execute(db);
  return rows;
}

/**
 * Takes over jobs whose worker stopped without finishing them (lease expired), so that the
 * failure path can retry or fail them. Each keeps its attempt count: the lost run counts.
 */
export async function claimExpiredJobs(db: Db, workerId: string, types: string[], limit: number, leaseMs: number): Promise<JobRow[]> {
  if (types.length === 0) return [];
  const { rows } = await sql<JobRow>`
    UPDATE jobs j
       SET locked_by = ${workerId}, locked_until = now() + ${leaseMs}::float8 * interval '1 millisecond'
      FROM (SELECT id FROM jobs
             WHERE status = 'running' AND locked_until < now() AND type = ANY (${types}::text[])
             LIMIT ${limit}
             FOR UPDATE SKIP LOCKED) expired
     WHERE j.id = expired.id
    RETURNING j.id, j.type, j.payload, j.attempts, j.max_attempts`.execute(db);
  return rows;
}

// A worker only finishes a job it still holds: same worker, same attempt, still running. If its
// lease expired and another worker took the job over, the late result is dropped.
const held = (job: JobRow, workerId: string) =>
  sql`id = ${job.id} AND status = 'running' AND locked_by = ${workerId} AND attempts = ${job.attempts}`;

export async function completeJob(db: Db, job: JobRow, workerId: string): Promise<boolean> {
  const result = await sql`
    UPDATE jobs SET status = 'succeeded', finished_at = now(), locked_by = NULL, locked_until = NULL, last_error = NULL
     WHERE ${held(job, workerId)}`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Reschedules the job `delayMs` from now (database time), or fails it for good when delayMs is null. */
export async function failJob(
  tx: Db,
  job: JobRow,
  workerId: string,
  failure: { error: string; delayMs: number | null },
): Promise<{ run_at: string } | undefined> {
  const final = failure.delayMs === null;
  const { rows } = await sql<{ run_at: string }>`
    UPDATE jobs
       SET status = ${final ? 'failed' : 'pending'},
           run_at = ${final ? sql`run_at` : sql`now() + ${failure.delayMs}::float8 * interval '1 millisecond'`},
           finished_at = ${final ? sql`now()` : sql`NULL`},
           last_error = ${failure.error}, locked_by = NULL, locked_until = NULL
     WHERE ${held(job, workerId)}
    RETURNING run_at`.execute(tx);
  return rows[0];
}

/** Gives a job back untouched (the worker is shutting down): the interrupted run does not count. */
export async function releaseJob(db: Db, job: JobRow, workerId: string): Promise<void> {
  await sql`
    UPDATE jobs SET status = 'pending', attempts = attempts - 1, run_at = now(), locked_by = NULL, locked_until = NULL
     WHERE ${held(job, workerId)}`.execute(db);
}

/** Milliseconds until the next job of these types is due or a lease expires; null when none. */
export async function msUntilNextJob(db: Db, types: string[]): Promise<number | null> {
  if (types.length === 0) return null;
  const { rows } = await sql<{ ms: number | null }>`
    SELECT CASE WHEN next_at IS NULL THEN NULL
                ELSE greatest(0, extract(epoch FROM (next_at - now())) * 1000)::float8 END AS ms
      FROM (SELECT least(
              (SELECT min(run_at) FROM jobs WHERE status = 'pending' AND type = ANY (${types}::text[])),
              (SELECT min(locked_until) FROM jobs WHERE status = 'running' AND type = ANY (${types}::text[]))) AS next_at) next`.execute(db);
  return rows[0]?.ms ?? null;
}

/** Finished jobs are kept for a while for inspection, then removed. */
export async function deleteFinishedJobs(db: Db, olderThanDays: number): Promise<number> {
  const result = await sql`
    DELETE FROM jobs WHERE status IN ('succeeded', 'failed')
       AND finished_at < now() - ${olderThanDays}::float8 * interval '1 day'`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
