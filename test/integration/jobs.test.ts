import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../src/auth/actor.js';
import { withActor, withSystem } from '../../src/db/with-actor.js';
import { enqueueJob } from '../../src/jobs/enqueue-job.js';
import { JobRegistry, PermanentJobError, type JobFailure } from '../../src/jobs/job-registry.js';
import { claimJobs } from '../../src/jobs/queries.js';
import { JobWorker } from '../../src/jobs/worker.js';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { waitFor } from '../support/webhook-receiver.js';

const HOUR = 3_600_000;

interface JobState {
  status: string;
  attempts: number;
  last_error: string | null;
  /** run_at minus the time of the write that set it, in ms: the backoff the queue chose. */
  delay_ms: number;
}

describe('durable job queue', () => {
  let t: TestApp;
  let agent: Actor;
  before(async () => {
    t = await createTestApp({ CLARA_WORKER: 'off' });
    const user = await t.user('agent');
    agent = { userId: user.id, role: 'agent', email: user.email, fullName: 'agent', via: 'session' };
  });
  after(async () => {
    await t.close();
  });

  const db = () => t.database.db;
  const jobState = async (id: string): Promise<JobState> => {
    const { rows } = await sql<JobState>`
      SELECT status, attempts, last_error,
             (extract(epoch FROM (run_at - updated_at)) * 1000)::float8 AS delay_ms
        FROM jobs WHERE id = ${id}`.execute(db());
    const row = rows[0];
    assert.ok(row, `job ${id} exists`);
    return row;
  };
  const makeDue = (id: string) => sql`UPDATE jobs SET run_at = now() WHERE id = ${id}`.execute(db());
  const worker = (registry: JobRegistry, backoff = { baseMs: HOUR, maxMs: 24 * HOUR }, concurrency = 4) =>
    new JobWorker(t.database, registry, { concurrency, backoff, pollIntervalMs: 200 });

  test('a job exists only if the transaction that enqueued it commits, even from a request under row-level security', async () => {
    const committed = await withActor(db(), agent, (tx) => enqueueJob(tx, 'test.commit', { n: 1 }));
    await assert.rejects(
      withActor(db(), agent, async (tx) => {
        await enqueueJob(tx, 'test.commit', { n: 2 });
        throw new Error('the use case failed');
      }),
      /the use case failed/,
    );
    const { rows } = await sql<{ id: string; payload: { n: number } }>`SELECT id, payload FROM jobs WHERE type = 'test.commit'`.execute(db());
    assert.deepEqual(rows.map((row) => row.id), [committed]);
    assert.equal(rows[0]?.payload.n, 1);
    // Requests may enqueue but not read the queue (admins only).
    const visible = await withActor(db(), agent, (tx) => sql`SELECT id FROM jobs`.execute(tx));
    assert.equal(visible.rows.length, 0);
  });

  test('a started worker is woken by NOTIFY and runs a committed job once; stop() leaves no connection', async () => {
    const ran: string[] = [];
    const registry = new JobRegistry().define({
      type: 'test.wake',
      payload: z.object({ word: z.string() }),
      async run(job) {
        ran.push(job.payload.word);
      },
    });
    const running = new JobWorker(t.database, registry, { concurrency: 2, backoff: { baseMs: HOUR, maxMs: HOUR }, pollIntervalMs: 3_600_000 });
    await running.start();
    const id = await withSystem(db(), (tx) => enqueueJob(tx, 'test.wake', { word: 'hello' }));
    await waitFor('the job to succeed', async () => (await jobState(id)).status === 'succeeded');
    assert.deepEqual(ran, ['hello']);
    await running.stop();
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'clara-worker' AND datname = current_database()`.execute(db());
    assert.equal(rows[0]?.n, 0, 'the LISTEN connection is closed');
  });

  test('concurrent claimers never get the same job (FOR UPDATE SKIP LOCKED)', async () => {
    await withSystem(db(), async (tx) => {
      await sql`SELECT app.enqueue_job('test.race', jsonb_build_object('n', n)) FROM generate_series(1, 150) n`.execute(tx);
    });
    // Twenty claims at once over a pool of ten connections, each asking for ten jobs.
    const claims = await Promise.all(
      Array.from({ length: 20 }, (_, i) => claimJobs(db(), `claimer-${i % 2}`, ['test.race'], 10, 60_000)),
    );
    const ids = claims.flat().map((job) => job.id);
    assert.equal(ids.length, 150, 'every job was claimed');
    assert.equal(new Set(ids).size, 150, 'and none twice');
  });

  test('two workers racing over many jobs run each exactly once', async () => {
    const runs = new Map<number, number>();
    const byWorker = new Map<string, number>();
    const registry = (name: string) =>
      new JobRegistry().define({
        type: 'test.many',
        payload: z.object({ n: z.number() }),
        async run(job) {
          runs.set(job.payload.n, (runs.get(job.payload.n) ?? 0) + 1);
          byWorker.set(name, (byWorker.get(name) ?? 0) + 1);
          await new Promise((resolve) => setImmediate(resolve));
        },
      });
    const a = worker(registry('a'), undefined, 5);
    const b = worker(registry('b'), undefined, 5);
    await Promise.all([a.start(), b.start()]);
    await withSystem(db(), async (tx) => {
      await sql`SELECT app.enqueue_job('test.many', jsonb_build_object('n', n)) FROM generate_series(1, 200) n`.execute(tx);
    });
    await waitFor('200 jobs to succeed', async () => {
      const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM jobs WHERE type = 'test.many' AND status = 'succeeded'`.execute(db());
      return rows[0]?.n === 200;
    });
    await Promise.all([a.stop(), b.stop()]);
    assert.equal(runs.size, 200);
    assert.deepEqual([...new Set(runs.values())], [1], 'no job ran twice');
    assert.equal([...byWorker.values()].reduce((sum, n) => sum + n, 0), 200);
  });

  test('a failing job backs off exponentially (seen in run_at, no waiting) and fails for good after its attempts', async () => {
    const failures: JobFailure[] = [];
    const registry = new JobRegistry().define({
      type: 'test.flaky',
      payload: z.object({}),
      maxAttempts: 3,
      async run() {
        throw new Error('the receiver is down');
      },
      async onFailure(_job, failure) {
        failures.push(failure);
      },
    });
    const w = worker(registry);
    const id = await withSystem(db(), (tx) => enqueueJob(tx, 'test.flaky', {}));

    await w.drain();
    let state = await jobState(id);
    assert.equal(state.status, 'pending');
    assert.equal(state.attempts, 1);
    assert.equal(state.last_error, 'the receiver is down');
    assert.ok(state.delay_ms >= 0.8 * HOUR && state.delay_ms <= 1.2 * HOUR, `first retry about an hour later: ${state.delay_ms}`);
    await w.drain();
    assert.equal((await jobState(id)).attempts, 1, 'not due: nothing runs');

    await makeDue(id);
    await w.drain();
    state = await jobState(id);
    assert.equal(state.attempts, 2);
    assert.ok(state.delay_ms >= 1.6 * HOUR && state.delay_ms <= 2.4 * HOUR, `second retry about two hours later: ${state.delay_ms}`);

    await makeDue(id);
    await w.drain();
    state = await jobState(id);
    assert.equal(state.status, 'failed');
    assert.equal(state.attempts, 3);
    assert.deepEqual(failures.map((f) => f.final), [false, false, true]);
    assert.ok(failures[0]?.nextRunAt && failures[2]?.nextRunAt === null);

    await makeDue(id);
    await w.drain();
    assert.equal((await jobState(id)).attempts, 3, 'a failed job never runs again');
  });

  test('a permanent error or an invalid payload fails the job at once', async () => {
    const registry = new JobRegistry()
      .define({
        type: 'test.permanent',
        payload: z.object({}),
        async run() {
          throw new PermanentJobError('cannot ever work');
        },
      })
      .define({ type: 'test.typed', payload: z.object({ n: z.number() }), async run() {} });
    const w = worker(registry);
    const permanent = await withSystem(db(), (tx) => enqueueJob(tx, 'test.permanent', {}));
    const typed = await withSystem(db(), (tx) => enqueueJob(tx, 'test.typed', { n: 'not a number' }));
    await w.drain();
    assert.deepEqual(await jobState(permanent).then((s) => [s.status, s.attempts, s.last_error]), ['failed', 1, 'cannot ever work']);
    const state = await jobState(typed);
    assert.equal(state.status, 'failed');
    assert.match(state.last_error ?? '', /Invalid payload/);
  });

  test('a job whose worker died is taken over when its lease expires, and the lost run counts as an attempt', async () => {
    const ran: number[] = [];
    const registry = new JobRegistry().define({
      type: 'test.orphan',
      payload: z.object({}),
      async run(job) {
        ran.push(job.attempt);
      },
    });
    const id = await withSystem(db(), (tx) => enqueueJob(tx, 'test.orphan', {}));
    // A worker claims it with a lease that expires at once, then "dies".
    assert.equal((await claimJobs(db(), 'dead-worker', ['test.orphan'], 1, 1)).length, 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rescuer = worker(registry, { baseMs: 10, maxMs: 10 });
    await rescuer.start();
    await waitFor('the orphan to succeed', async () => (await jobState(id)).status === 'succeeded');
    await rescuer.stop();
    assert.deepEqual(ran, [2]);
  });

  test('stop() gives back a job that does not finish within the grace period, without counting the attempt', async () => {
    let started!: () => void;
    const begun = new Promise<void>((resolve) => (started = resolve));
    const registry = new JobRegistry().define({
      type: 'test.slow',
      payload: z.object({}),
      async run(_job, { signal }) {
        started();
        await new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      },
    });
    const w = new JobWorker(t.database, registry, { concurrency: 1, backoff: { baseMs: HOUR, maxMs: HOUR }, shutdownGraceMs: 50 });
    await w.start();
    const id = await withSystem(db(), (tx) => enqueueJob(tx, 'test.slow', {}));
    await begun;
    await w.stop();
    const state = await jobState(id);
    assert.equal(state.status, 'pending');
    assert.equal(state.attempts, 0);
  });
});
