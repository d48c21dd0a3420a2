/**
 * The load generator of `npm run bench:agent`, run as a child process so that its CPU is
 * neither shared with the server's event loop nor counted as the server's. One job at a time
 * over IPC: `sessions` prospects talk at once, each starting a session, saying its turns one
 * after the other (after `thinkMs`, jittered, when pacing like real speech) and ending it.
 * Answers with the client-side latency of every turn and the errors.
 *
 * Loopback only: the job's base URL must be 127.0.0.1 or localhost.
 */
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface AgentLoadJob {
  kind: 'sessions';
  baseUrl: string;
  apiKey: string;
  sessions: number;
  /** The turns of each session, in order. */
  scripts: string[][];
  thinkMs: number;
  /** A request taking longer than this counts as an error. */
  timeoutMs: number;
}

export interface AgentLoadResult {
  sessions: number;
  turns: number;
  errors: number;
  /** From the first session start to the last session end. */
  elapsedMs: number;
  /** Client-side latency of each successful turn, milliseconds, ascending. */
  turnLatencies: Float64Array;
  startLatencies: Float64Array;
  endLatencies: Float64Array;
  firstError?: string;
}

export type AgentLoadMessage = AgentLoadJob | { kind: 'close' };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runSessions(job: AgentLoadJob): Promise<AgentLoadResult> {
  const base = new URL(job.baseUrl);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(base.hostname)) throw new Error(`loopback only, not ${base.hostname}`);
  const agent = new http.Agent({ keepAlive: true, maxSockets: job.sessions, maxFreeSockets: job.sessions });
  const post = (path: string, body: unknown) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const request = http.request(
        {
          host: base.hostname,
          port: base.port,
          method: 'POST',
          path,
          agent,
          timeout: job.timeoutMs,
          headers: {
            authorization: `Bearer ${job.apiKey}`,
            'content-type': 'application/json',
            'content-length': String(Buffer.byteLength(payload)),
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const status = response.statusCode ?? 0;
            if (status >= 200 && status < 300) resolve(JSON.parse(text) as Record<string, unknown>);
            else reject(new Error(`POST ${path.replace(/[0-9a-f-]{36}/, ':id')} -> ${status}: ${text.slice(0, 300)}`));
          });
          response.on('error', reject);
        },
      );
      request.on('timeout', () => request.destroy(new Error(`POST ${path} timed out after ${job.timeoutMs} ms`)));
      request.on('error', reject);
      request.end(payload);
    });

  const turnLatencies: number[] = [];
  const startLatencies: number[] = [];
  const endLatencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  const fail = (error: unknown) => {
    errors += 1;
    firstError ??= error instanceof Error ? error.message : String(error);
  };
  const timed = async (work: () => Promise<Record<string, unknown>>, into: number[]) => {
    const t0 = performance.now();
    const body = await work();
    into.push(performance.now() - t0);
    return body;
  };
  const think = () => (job.thinkMs > 0 ? sleep(job.thinkMs * (0.5 + Math.random())) : Promise.resolve());

  const started = performance.now();
  const session = async (index: number) => {
    const script = job.scripts[index % job.scripts.length] as string[];
    // Paced prospects do not all arrive in the same millisecond.
    if (job.thinkMs > 0) await sleep(Math.random() * job.thinkMs);
    let id: string;
    try {
      id = (await timed(() => post('/api/v1/agent/sessions', { channel: 'voice' }), startLatencies)).id as string;
    } catch (error) {
      fail(error);
      return;
    }
    for (const text of script) {
      await think();
      try {
        await timed(() => post(`/api/v1/agent/sessions/${id}/turns`, { text }), turnLatencies);
      } catch (error) {
        fail(error);
      }
    }
    try {
      await timed(() => post(`/api/v1/agent/sessions/${id}/end`, {}), endLatencies);
    } catch (error) {
      fail(error);
    }
  };
  await Promise.all(Array.from({ length: job.sessions }, (_, index) => session(index)));
  const elapsedMs = performance.now() - started;
  agent.destroy();
  const sorted = (values: number[]) => Float64Array.from(values).sort();
  return {
    sessions: job.sessions,
    turns: turnLatencies.length,
    errors,
    elapsedMs,
    turnLatencies: sorted(turnLatencies),
    startLatencies: sorted(startLatencies),
    endLatencies: sorted(endLatencies),
    firstError,
  };
}

process.on('message', (message: AgentLoadMessage) => {
  if (message.kind === 'close') {
    process.disconnect();
    return;
  }
  runSessions(message).then(
    (result) => process.send?.({ ok: true, result }),
    (error: unknown) => process.send?.({ ok: false, error: error instanceof Error ? error.stack : String(error) }),
  );
});
process.send?.({ ready: true });
