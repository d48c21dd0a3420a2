/** A closed-loop driver: `concurrency` lanes, each starting its next operation when the last ends. */
import { performance } from 'node:perf_hooks';

export interface Timing {
  concurrency: number;
  /** Run, unrecorded, for this long first: connections, JIT, caches. */
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  /** Successful operations started in the measured period. */
  requests: number;
  errors: number;
  elapsedMs: number;
  /** Milliseconds, ascending. */
  latencies: Float64Array;
  firstError?: string;
}

export async function drive(timing: Timing, send: (index: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const start = performance.now();
  const recordFrom = start + timing.warmupMs;
  const stopAt = recordFrom + timing.durationMs;
  let lastEnd = recordFrom;
  const lane = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      const index = next++;
      let failed: unknown;
      try {
        await send(index);
      } catch (error) {
        failed = error;
      }
      const t1 = performance.now();
      if (t0 < recordFrom) continue;
      lastEnd = Math.max(lastEnd, t1);
      if (failed === undefined) {
        latencies.push(t1 - t0);
      } else {
        errors += 1;
        firstError ??= failed instanceof Error ? failed.message : String(failed);
      }
    }
  };
  await Promise.all(Array.from({ length: timing.concurrency }, lane));
  const sorted = Float64Array.from(latencies).sort();
  return { requests: sorted.length, errors, elapsedMs: lastEnd - recordFrom, latencies: sorted, firstError };
}
