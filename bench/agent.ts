/**
 * `npm run bench:agent [-- --sessions 200,1000 --turns 8 --think-ms 0,5000]`: Clara's
 * conversation API under many concurrent prospects, through the real server over loopback
 * HTTP with an API key, on a throwaway embedded PostgreSQL (or `--database-url`, whose
 * database `clara_bench_agent` is dropped and recreated).
 *
 * For every (sessions, think time) pair: that many prospects at once, each starting a voice
 * session, saying `--turns` turns of a scripted BANT conversation (name, need, budget in words,
 * authority, timeline, a spoken email and phone number...) and ending the session. Each turn
 * extracts, scores and writes the lead, the call transcript and the session before answering.
 * Think time 0 is a closed loop (every prospect answers instantly: the throughput ceiling);
 * a think time paces each prospect like speech, jittered +-50%.
 *
 * Server-side latency is Fastify's `reply.elapsedTime` of each turn (request received to
 * response sent, so including authentication and the database writes), collected by a hook
 * this script adds to its own server; client-side latency over loopback is printed beside it.
 * The load generator is a child process (bench/agent-load.ts). Figures go in
 * docs/benchmarks.md; tests never assert on timings.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { createApiKey } from '../src/auth/api-keys.js';
import { loadConfig } from '../src/config/config.js';
import { EventHub } from '../src/crm/events/event-hub.js';
import { openDatabase, serverVersion } from '../src/db/database.js';
import { withSystem } from '../src/db/with-actor.js';
import { buildApp } from '../src/server/app.js';
import { cpuMsBetween, processCpuMs, samplePostgres } from './lib/cpu.js';
import { percentile } from './lib/stats.js';
import { embeddedTarget, externalTarget, forkLoadGenerator, stopLoadGenerator } from './lib/targets.js';
import type { AgentLoadJob, AgentLoadMessage, AgentLoadResult } from './agent-load.js';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '200,1000' },
    turns: { type: 'string', default: '8' },
    'think-ms': { type: 'string', default: '0,5000' },
    'warmup-sessions': { type: 'string', default: '50' },
    pool: { type: 'string' },
    'timeout-ms': { type: 'string', default: '60000' },
    'database-url': { type: 'string' },
  },
  strict: true,
});

const list = (value: string) => value.split(',').map((v) => Number(v.trim()));
const SESSIONS = list(args.sessions as string);
const TURNS = Number(args.turns);
const THINK = list(args['think-ms'] as string);
const WARMUP_SESSIONS = Number(args['warmup-sessions']);
const TIMEOUT_MS = Number(args['timeout-ms']);
const BENCH_DATABASE = 'clara_bench_agent';
const TURN_ROUTE = '/api/v1/agent/sessions/:id/turns';
for (const n of [...SESSIONS, TURNS, ...THINK, WARMUP_SESSIONS, TIMEOUT_MS]) {
  if (!Number.isInteger(n) || n < 0) throw new Error('--sessions, --turns, --think-ms, --warmup-sessions and --timeout-ms take whole numbers');
}
if (SESSIONS.some((n) => n < 1 || n > 5000)) throw new Error('--sessions: 1 to 5000 (bounded: one loopback socket each)');
if (TURNS < 1 || TURNS > 50) throw new Error('--turns: 1 to 50');

const say = (line = '') => process.stdout.write(`${line}\n`);

// --- what the prospects say ------------------------------------------------------------------

const FIRST = ['maria', 'james', 'priya', 'kevin', 'sofia', 'daniel', 'amira', 'lucas', 'grace', 'omar', 'nina', 'victor', 'hannah', 'diego', 'chloe', 'ravi'];
const LAST = ['garcia', 'walker', 'shah', 'liu', 'hernandez', 'park', 'haddad', 'oliveira', 'kim', 'khan', 'patel', 'cruz', 'scott', 'torres', 'taylor', 'menon'];
// Companies are unique like the prospects: a thousand callers at once are not one company's
// staff (who would all update the same client row).
const COMPANY_A = ['bright', 'harbor', 'summit', 'north', 'bella', 'pine', 'atlas', 'lumen', 'cedar', 'river', 'stone', 'silver', 'maple', 'coastal', 'golden', 'blue'];
const COMPANY_B = ['path', 'wood', 'field', 'gate', 'view', 'ridge', 'bridge', 'crest', 'point', 'haven', 'brook', 'stone', 'light', 'vale', 'peak', 'shore'];
const COMPANY_C = ['logistics', 'dental', 'roofing', 'analytics', 'hotels', 'realty', 'manufacturing', 'health', 'plumbing', 'insurance', 'bakery', 'law', 'fitness', 'travel', 'media', 'foods'];
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const NUMBER_WORDS = ['ten', 'fifteen', 'twenty', 'twenty five', 'thirty', 'forty', 'fifty', 'eighty'];
const EXTRA = ['can you tell me more about how the setup works', 'does it work with our existing phone number', 'how long does onboarding usually take'];

function company(i: number): string {
  const name = `${COMPANY_A[i % 16]}${COMPANY_B[Math.floor(i / 16) % 16]} ${COMPANY_C[Math.floor(i / 256) % 16]}`;
  return i < 4096 ? name : `${name} ${Math.floor(i / 4096) + 1}`;
}

/** Prospect number `i` of the whole run: a unique company, email and valid US phone number. */
function script(i: number, turns: number): string[] {
  const first = FIRST[i % FIRST.length] as string;
  const last = LAST[Math.floor(i / FIRST.length) % LAST.length] as string;
  // 415-2xx-xxxx: a real San Francisco area code with valid exchanges, unique per prospect.
  const phone = `4152${String(30 + Math.floor(i / 10_000)).padStart(2, '0')}${String(i % 10_000).padStart(4, '0')}`;
  const core = [
    `hi this is ${first} ${last} from ${company(i)}`,
    'we keep missing calls after hours and losing leads',
    `our budget is around ${NUMBER_WORDS[i % NUMBER_WORDS.length]} thousand dollars`,
    'i would need to run it by my boss before we sign anything',
    'we want something in place this month',
    `my email is ${first} dot ${last}${i} at example dot com`,
    `my number is ${[...phone].map((d) => DIGITS[Number(d)]).join(' ')}`,
  ];
  const body = Array.from({ length: Math.max(0, turns - 1) }, (_, k) => (k < core.length ? core[k] : EXTRA[k % EXTRA.length]) as string);
  return turns === 1 ? [core[0] as string] : [...body, 'thanks that is all for now'];
}

// --- the load generator ----------------------------------------------------------------------

class LoadClient {
  private constructor(readonly child: ChildProcess) {}

  static async start(): Promise<LoadClient> {
    return new LoadClient(await forkLoadGenerator(fileURLToPath(new URL('./agent-load.ts', import.meta.url))));
  }

  run(job: AgentLoadJob): Promise<AgentLoadResult> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: { ok: boolean; result?: AgentLoadResult; error?: string }) => {
        if (reply.ok && reply.result) resolve(reply.result);
        else reject(new Error(reply.error));
      });
      this.child.send(job satisfies AgentLoadMessage);
    });
  }

  async stop(): Promise<void> {
    await stopLoadGenerator(this.child, { kind: 'close' } satisfies AgentLoadMessage);
  }
}

// --- the database ----------------------------------------------------------------------------

// --- statements sent by the server ----------------------------------------------------------

// The server runs in this process on this `pg`: counting its queries counts every round trip
// of a turn (BEGIN, SET ROLE, set_config and COMMIT included).
let statements = 0;
/** The benchmark's own connections, not counted. */
const uncounted = new WeakSet<pg.Client>();
const query = pg.Client.prototype.query as (...args: unknown[]) => unknown;
pg.Client.prototype.query = function countedQuery(this: pg.Client, ...args: unknown[]) {
  if (!uncounted.has(this)) statements += 1;
  return query.apply(this, args);
} as typeof pg.Client.prototype.query;

// --- what the database's backends are doing during a run --------------------------------------

/**
 * Samples pg_stat_activity every 100 ms on its own connection: how many of the server's
 * backends are running, idle in a transaction, or waiting (and on what). Says whether turns
 * queue for CPU, for the pool, or for each other's row locks.
 */
function sampleBackends(url: string): { stop(): Promise<string> } {
  const client = new pg.Client({ connectionString: url, application_name: 'clara-bench-sampler' });
  uncounted.add(client);
  const counts = new Map<string, number>();
  const waiting = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ what: string; n: number }>(
        `SELECT CASE WHEN wait_event IS NOT NULL AND wait_event_type <> 'Client' THEN wait_event_type || ':' || wait_event
                     ELSE state END AS what, count(*)::int AS n
           FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'clara' AND state <> 'idle'
          GROUP BY 1`,
      );
      samples += 1;
      for (const row of rows) counts.set(row.what, (counts.get(row.what) ?? 0) + row.n);
      const blocked = await client.query<{ query: string }>(
        `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query FROM pg_stat_activity
          WHERE datname = current_database() AND application_name = 'clara' AND wait_event_type = 'Lock'`,
      );
      for (const row of blocked.rows) waiting.set(row.query.slice(0, 160), (waiting.get(row.query.slice(0, 160)) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await client.end();
  })();
  const average = (n: number) => (n / Math.max(1, samples)).toFixed(1);
  return {
    async stop() {
      running = false;
      await loop;
      const top = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6);
      const states = top.map(([what, n]) => `${what} ${average(n)}`).join(', ') || 'none busy';
      const locks = [...waiting.entries()].sort((a, b) => b[1] - a[1]).slice(0, 3);
      return [states, ...locks.map(([query, n]) => `    ${average(n)} waiting on a lock in: ${query}`)].join('\n');
    },
  };
}

// --- one run ---------------------------------------------------------------------------------

interface Row {
  sessions: number;
  thinkMs: number;
  result: AgentLoadResult;
  server: Float64Array;
  serverCpuMs: number;
  postgresCpuMs: number;
  database: DatabaseWork;
  statements: number;
}

interface DatabaseWork {
  commits: number;
  rowsWritten: number;
  rowsRead: number;
}

/** Transactions and rows of the benchmark database so far (PostgreSQL's cumulative statistics). */
async function databaseWork(pool: pg.Pool): Promise<DatabaseWork> {
  // Backends report their counters when idle, at most once a second: wait for the last report.
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await pool.query('SELECT pg_stat_clear_snapshot()');
  const { rows } = await pool.query<{ commits: string; written: string; read: string }>(
    `SELECT xact_commit AS commits, tup_inserted + tup_updated + tup_deleted AS written, tup_returned + tup_fetched AS read
       FROM pg_stat_database WHERE datname = current_database()`,
  );
  const row = rows[0];
  return { commits: Number(row?.commits), rowsWritten: Number(row?.written), rowsRead: Number(row?.read) };
}

const ms = (value: number) => (Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1));

function table(rows: Row[]): string {
  const header =
    '| sessions at once | think ms | turns | errors | turns/s | server p50 ms | server p99 ms | server max ms | client p50 ms | client p99 ms | Node CPU ms/turn | PostgreSQL CPU ms/turn | SQL statements/turn | commits/turn | rows written/turn |';
  const rule = '|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|';
  const lines = rows.map((r) => {
    const turnsPerSecond = (r.result.turns * 1000) / r.result.elapsedMs;
    // Per turn includes the session starts and ends of the run (one each per `--turns` turns).
    const perTurn = (value: number) => (r.result.turns && !Number.isNaN(value) ? (value / r.result.turns).toFixed(2) : '-');
    const perTurn1 = (value: number) => (r.result.turns ? (value / r.result.turns).toFixed(1) : '-');
    return `| ${r.sessions} | ${r.thinkMs} | ${r.result.turns} | ${r.result.errors} | ${turnsPerSecond.toFixed(0)} | ${ms(percentile(r.server, 50))} | ${ms(percentile(r.server, 99))} | ${ms(r.server[r.server.length - 1] ?? Number.NaN)} | ${ms(percentile(r.result.turnLatencies, 50))} | ${ms(percentile(r.result.turnLatencies, 99))} | ${perTurn(r.serverCpuMs)} | ${perTurn(r.postgresCpuMs)} | ${perTurn1(r.statements)} | ${perTurn1(r.database.commits)} | ${perTurn1(r.database.rowsWritten)} |`;
  });
  return [header, rule, ...lines].join('\n');
}

async function main(): Promise<void> {
  say(`# bench:agent ${new Date().toISOString()}`);
  say(
    `Node ${process.version}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ` +
      `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; load average before ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  const target = args['database-url'] ? await externalTarget(args['database-url'] as string, BENCH_DATABASE, 'external') : await embeddedTarget(BENCH_DATABASE);
  const config = loadConfig({
    DATABASE_URL: target.url,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    CLARA_TIMEZONE: 'UTC',
    ...(args.pool ? { CLARA_DB_POOL_SIZE: args.pool as string } : {}),
  });
  const database = await openDatabase({ databaseUrl: target.url, dataDir: '', poolSize: config.poolSize });
  const events = new EventHub(database);
  await events.start();
  const app = await buildApp({ config, database, events, startedAt: new Date() });
  // Server-side time of every turn, from Fastify's own clock; only while a run is recorded.
  let recording: number[] | undefined;
  app.addHook('onResponse', async (request, reply) => {
    if (recording && request.routeOptions.url === TURN_ROUTE && reply.statusCode === 200) recording.push(reply.elapsedTime);
  });
  const baseUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const load = await LoadClient.start();
  try {
    say(`PostgreSQL ${await serverVersion(database.db)} (${target.label}); server pool ${config.poolSize}; ${TURNS} turns a session`);
    const key = await withSystem(database.db, (tx) => createApiKey(tx, { name: 'bench agent', role: 'agent' }, null));
    let next = 0;
    const job = (sessions: number, thinkMs: number): AgentLoadJob => {
      const scripts = Array.from({ length: sessions }, () => script(next++, TURNS));
      return { kind: 'sessions', baseUrl, apiKey: key.key, sessions, scripts, thinkMs, timeoutMs: TIMEOUT_MS };
    };

    if (WARMUP_SESSIONS > 0) {
      const warm = await load.run(job(WARMUP_SESSIONS, 0));
      say(`Warm-up: ${WARMUP_SESSIONS} sessions, ${warm.turns} turns, ${warm.errors} errors`);
    }
    const rows: Row[] = [];
    for (const thinkMs of THINK) {
      for (const sessions of SESSIONS) {
        // Autovacuum or a checkpoint landing in a run would be noise of the previous run.
        await database.pool.query('CHECKPOINT').catch(() => {});
        const workBefore = await databaseWork(database.pool);
        const pgBefore = samplePostgres(target.postmasterPid, BENCH_DATABASE);
        const cpuBefore = processCpuMs(process.pid);
        recording = [];
        const sampler = sampleBackends(target.url);
        const statementsBefore = statements;
        const t0 = performance.now();
        const result = await load.run(job(sessions, thinkMs));
        const runStatements = statements - statementsBefore;
        const backends = await sampler.stop();
        const server = Float64Array.from(recording).sort();
        recording = undefined;
        const serverCpuMs = processCpuMs(process.pid) - cpuBefore;
        // Unknown for an external server (its processes may not be on this machine).
        const postgresCpuMs = target.postmasterPid ? cpuMsBetween(pgBefore, samplePostgres(target.postmasterPid, BENCH_DATABASE)) : Number.NaN;
        const workAfter = await databaseWork(database.pool);
        rows.push({
          sessions,
          thinkMs,
          result,
          server,
          serverCpuMs,
          postgresCpuMs,
          statements: runStatements,
          database: {
            commits: workAfter.commits - workBefore.commits,
            rowsWritten: workAfter.rowsWritten - workBefore.rowsWritten,
            rowsRead: workAfter.rowsRead - workBefore.rowsRead,
          },
        });
        say(
          `${sessions} sessions, think ${thinkMs} ms: ${result.turns} turns in ${((performance.now() - t0) / 1000).toFixed(1)} s, ` +
            `${result.errors} errors${result.firstError ? ` (first: ${result.firstError})` : ''}; ` +
            `session start p50 ${ms(percentile(result.startLatencies, 50))} ms, end p50 ${ms(percentile(result.endLatencies, 50))} ms`,
        );
        say(`  busy backends on average (of ${config.poolSize}): ${backends}`);
      }
    }
    const { rows: counts } = await database.pool.query<{ leads: number; calls: number; conversations: number }>(
      'SELECT (SELECT count(*)::int FROM leads) AS leads, (SELECT count(*)::int FROM calls) AS calls, (SELECT count(*)::int FROM conversations) AS conversations',
    );
    say(`\nRows written: ${JSON.stringify(counts[0])}; load average after ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
    say(table(rows));
  } finally {
    await load.stop();
    await app.close();
    await events.stop();
    await database.close();
    await target.cleanup();
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
