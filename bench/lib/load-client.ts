/**
 * The load generator, run as a child process of bench/api.ts so that its CPU is neither shared
 * with the server's event loop nor counted as the server's. It receives one job at a time over
 * IPC, keeps `concurrency` requests in flight for a warm-up and then a measured period, and
 * answers with the latency of every measured request.
 *
 * HTTP goes through node:http with a keep-alive agent (one socket per lane, reused): the
 * cheapest client Node has without extra packages. The raw baseline goes through a pg.Pool.
 */
import http from 'node:http';
import pg from 'pg';
import { drive, type LoadResult, type Timing } from './drive.js';

export interface HttpRequestSpec {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export type LoadJob =
  | ({ kind: 'http'; baseUrl: string; requests: HttpRequestSpec[] } & Timing)
  | ({ kind: 'pg'; connectionString: string; text: string; params: unknown[][]; /** a named, prepared statement */ name?: string } & Timing);

export type { LoadResult };

function httpJob(job: Extract<LoadJob, { kind: 'http' }>): Promise<LoadResult> {
  const base = new URL(job.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.concurrency, maxFreeSockets: job.concurrency });
  const send = (index: number) =>
    new Promise<void>((resolve, reject) => {
      const spec = job.requests[index % job.requests.length] as HttpRequestSpec;
      const headers: Record<string, string> = { ...spec.headers };
      if (spec.body !== undefined) {
        headers['content-type'] = 'application/json';
        headers['content-length'] = String(Buffer.byteLength(spec.body));
      }
      const request = http.request(
        { host: base.hostname, port: base.port, method: spec.method, path: spec.path, headers, agent },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve();
            else reject(new Error(`${spec.method} ${spec.path} -> ${status}: ${Buffer.concat(chunks).toString('utf8').slice(0, 300)}`));
          });
          response.on('error', reject);
        },
      );
      request.on('error', reject);
      request.end(spec.body);
    });
  return drive(job, send).finally(() => agent.destroy());
}

// Kept across jobs: connections opened once, like the server's pool, and backends that stay
// alive so their CPU time can be read after a run.
const pools = new Map<string, pg.Pool>();

async function pgJob(job: Extract<LoadJob, { kind: 'pg' }>): Promise<LoadResult> {
  const key = `${job.connectionString}#${job.concurrency}`;
  let pool = pools.get(key);
  if (!pool) {
    pool = new pg.Pool({ connectionString: job.connectionString, max: job.concurrency, idleTimeoutMillis: 0, application_name: 'clara-bench-raw' });
    // An idle connection closed by the server (the target shutting down) is not a failure of a run.
    pool.on('error', () => {});
    pools.set(key, pool);
  }
  const client = pool;
  return drive(job, async (index) => {
    const values = job.params[index % job.params.length];
    const { rowCount } = await client.query(job.name ? { name: job.name, text: job.text, values } : { text: job.text, values });
    if (rowCount !== 1) throw new Error(`expected one row, got ${rowCount}`);
  });
}

const endPools = async () => {
  const ending = [...pools.values()].map((pool) => pool.end());
  pools.clear();
  await Promise.all(ending);
};

/** A job, `reset` (close the baseline's connections) or `close` (and exit). */
export type LoadMessage = LoadJob | { kind: 'reset' } | { kind: 'close' };

process.on('message', (message: LoadMessage) => {
  if (message.kind === 'close') {
    void endPools().finally(() => process.disconnect());
    return;
  }
  const run: Promise<LoadResult | undefined> =
    message.kind === 'reset' ? endPools().then(() => undefined) : message.kind === 'http' ? httpJob(message) : pgJob(message);
  run.then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
  );
});
process.send?.({ ready: true });
