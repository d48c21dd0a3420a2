/**
 * The load generator of bench/analytics.ts, run as a child process so that its CPU is neither
 * the server's event loop nor counted as the server's. It receives one job at a time over IPC,
 * keeps `concurrency` GET requests in flight (node:http, keep-alive, one socket per lane) for a
 * warm-up and then a measured period, and answers with every measured latency.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadJob {
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

export interface LoadResult {
  /** Milliseconds, ascending. */
  latencies: number[];
  /** Requests completed, warm-up included: what the CPU measured around a job paid for. */
  total: number;
  errors: number;
  firstError?: string;
}

function get(agent: http.Agent, base: URL, job: LoadJob): Promise<void> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: base.hostname, port: base.port, method: 'GET', path: job.path, headers: job.headers, agent },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          if (status === 200) resolve();
          else reject(new Error(`GET ${job.path} -> ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
}

async function run(job: LoadJob): Promise<LoadResult> {
  const base = new URL(job.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency });
  const latencies: number[] = [];
  let errors = 0;
  let total = 0;
  let firstError: string | undefined;
  const recordFrom = performance.now() + job.warmupMs;
  const stopAt = recordFrom + job.durationMs;
  const lane = async () => {
    for (;;) {
      const t0 = performance.now();
      if (t0 >= stopAt) return;
      try {
        await get(agent, base, job);
        total += 1;
        if (t0 >= recordFrom) latencies.push(performance.now() - t0);
      } catch (error) {
        if (t0 >= recordFrom) errors += 1;
        firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: job.concurrency }, lane));
  agent.destroy();
  return { latencies: latencies.sort((a, b) => a - b), total, errors, ...(firstError ? { firstError } : {}) };
}

process.on('message', (message: LoadJob | 'close') => {
  if (message === 'close') {
    process.disconnect();
    return;
  }
  run(message).then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
  );
});
process.send?.('ready');
