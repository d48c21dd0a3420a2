/**
 * `npm run bench:analytics [-- --target embedded|pg15|both]`: latency of the dashboard's
 * analytics endpoints at 100k leads and 1M activities, through the real server over loopback
 * HTTP, with authentication and row-level security on (requests run as clara_app), as an admin
 * and as an agent.
 *
 * Per target: a throwaway database (the embedded PostgreSQL in a temp dir, or a database on
 * PostgreSQL 15 that is dropped afterwards), the server from startServer on an ephemeral port,
 * an admin, a manager with two agents and eight more agents; then, generated in SQL as the owner:
 * 100k leads over the last year (qualification, stages, sources, buckets), ~150k calls with
 * durations and sentiment, 1M timeline activities (a quarter of them email events),
 * opportunities and meetings; a lead's calls and activities mostly in its first weeks
 * (--spread uniform: anywhere up to now, which puts 29 % of the year's activity in the last 30
 * days). VACUUM ANALYZE and a CHECKPOINT, then every endpoint for the default range (the
 * last 30 days) and for the last 365 days, one request in flight and then four, from a separate
 * load-generator process (bench/analytics-load.ts). --explain prints EXPLAIN (ANALYZE, BUFFERS)
 * of each statement as the agent, under RLS.
 *
 * Figures belong in docs/benchmarks.md; tests never assert on timings.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { sql } from 'kysely';
import pg from 'pg';
import type { Actor, Role } from '../src/auth/actor.js';
import { loadConfig } from '../src/config/config.js';
import { resolveDateRange, resolveInterval } from '../src/crm/analytics/date-range.js';
import { analyticsStatements, tuneAnalyticsTransaction } from '../src/crm/analytics/queries.js';
import { createUser } from '../src/crm/users/create-user.js';
import { openDatabase, serverVersion } from '../src/db/database.js';
import { withActor, withSystem } from '../src/db/with-actor.js';
import { startServer } from '../src/server/start-server.js';
import type { LoadJob, LoadResult } from './analytics-load.js';
import { measureEmailWriteCost } from './analytics-email-write-cost.js';
import { seedAnalytics } from './analytics-seed.js';
import { cpuMsBetween, processCpuMs, samplePostgres } from './lib/cpu.js';
import { percentile } from './lib/stats.js';
import { embeddedTarget, externalTarget, forkLoadGenerator, stopLoadGenerator, type BenchTarget } from './lib/targets.js';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'both' },
    leads: { type: 'string', default: '100000' },
    'activities-per-lead': { type: 'string', default: '10' },
    spread: { type: 'string', default: 'early' },
    seconds: { type: 'string', default: '4' },
    'warmup-seconds': { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '1,4' },
    'pg15-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    explain: { type: 'boolean', default: false },
    endpoints: { type: 'string', default: 'dashboard,summary,leads-over-time,funnel,sources,sentiment,agents' },
  },
  strict: true,
});

const TARGET = args.target as string;
if (!['embedded', 'pg15', 'both'].includes(TARGET)) throw new Error('--target must be embedded, pg15 or both');
const LEADS = Number(args.leads);
const ACTIVITIES_PER_LEAD = Number(args['activities-per-lead']);
const SPREAD = args.spread === 'uniform' ? 'uniform' : 'early';
if (args.spread !== SPREAD) throw new Error('--spread must be early or uniform');
const DURATION_MS = Number(args.seconds) * 1000;
const WARMUP_MS = Number(args['warmup-seconds']) * 1000;
const CONCURRENCY = (args.concurrency as string).split(',').map(Number);
const ENDPOINTS = (args.endpoints as string).split(',');
const BENCH_DATABASE = 'clara_bench_analytics';
const ADMIN_EMAIL = 'admin@bench.local';
const ADMIN_PASSWORD = 'bench-admin-password';
const USER_PASSWORD = 'bench-user-password';
const TIME_ZONE = 'UTC';

const say = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// --- targets ---------------------------------------------------------------------------------

type PreparedTarget = BenchTarget;

/** The PostgreSQL 15 target, or a note and nothing when that server is not running. */
async function skipUnreachable(serverUrl: string): Promise<PreparedTarget | undefined> {
  try {
    return await externalTarget(serverUrl, BENCH_DATABASE);
  } catch (error) {
    say(`Skipping pg15: cannot connect (${error instanceof Error ? error.message : String(error)}).`);
    return undefined;
  }
}

// --- the load generator (a child process, so its CPU is not the server's) ---------------------

class LoadClient {
  private constructor(readonly child: ChildProcess) {}

  static async start(): Promise<LoadClient> {
    return new LoadClient(await forkLoadGenerator(fileURLToPath(new URL('./analytics-load.ts', import.meta.url))));
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      this.child.once('message', (reply: { ok: boolean; result?: LoadResult; error?: string }) => {
        if (reply.ok && reply.result) resolve(reply.result);
        else reject(new Error(reply.error ?? 'no result'));
      });
      this.child.send(job);
    });
  }

  async stop(): Promise<void> {
    await stopLoadGenerator(this.child, 'close');
  }
}

// --- one target ------------------------------------------------------------------------------

interface Row {
  endpoint: string;
  caller: string;
  range: string;
  concurrency: number;
  result: LoadResult;
  /** CPU milliseconds per request: the server (Node) and PostgreSQL. */
  serverCpuMs: number;
  postgresCpuMs: number;
}

async function benchTarget(target: PreparedTarget, load: LoadClient): Promise<void> {
  const started = performance.now();
  say(`\n## Target: ${target.label}\n`);
  const config = loadConfig({
    DATABASE_URL: target.url,
    LOG_LEVEL: 'silent',
    PORT: '0',
    HOST: '127.0.0.1',
    CLARA_ADMIN_EMAIL: ADMIN_EMAIL,
    CLARA_ADMIN_PASSWORD: ADMIN_PASSWORD,
    CLARA_TIMEZONE: TIME_ZONE,
  });
  const database = await openDatabase({ databaseUrl: target.url, dataDir: '', poolSize: config.poolSize });
  const server = await startServer(config, { database });
  try {
    const version = await serverVersion(database.db);
    say(`PostgreSQL ${version}; server ${server.url}; ready in ${seconds(started)}`);

    const addUser = (email: string, role: Role, managerId: string | null = null) =>
      withSystem(database.db, (tx) =>
        createUser(tx, { email, full_name: email.split('@')[0] as string, role, password: USER_PASSWORD, manager_id: managerId }),
      );
    const manager = await addUser('manager@bench.local', 'manager');
    const agents = [await addUser('agent1@bench.local', 'agent', manager.id), await addUser('agent2@bench.local', 'agent', manager.id)];
    for (let i = 3; i <= 10; i += 1) agents.push(await addUser(`agent${i}@bench.local`, 'agent'));
    const ai = await database.db.selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow();

    const owner = new pg.Client({ connectionString: target.url });
    await owner.connect();
    try {
      const seedStarted = performance.now();
      say('Seeding:');
      await seedAnalytics(owner, { leads: LEADS, activitiesPerLead: ACTIVITIES_PER_LEAD, spread: SPREAD, owners: agents.map((a) => a.id), aiId: ai.id, log: say });
      say(`Seeded in ${seconds(seedStarted)}`);
      const vacuumStarted = performance.now();
      await owner.query('VACUUM (ANALYZE) leads, calls, activities, opportunities, meetings, users, pipeline_stages, sessions');
      await owner.query('CHECKPOINT');
      say(`VACUUM ANALYZE + CHECKPOINT in ${seconds(vacuumStarted)}`);
      await measureWriteCost(owner);
      await measureEmailWriteCost(owner, say);
      // The stage change above was rolled back but left every lead row locked once: clean up.
      await owner.query(
        'VACUUM (ANALYZE) leads, calls, analytics_lead_facts, analytics_lead_days, analytics_call_facts, analytics_call_days, analytics_meeting_facts, analytics_meeting_days, analytics_email_facts, analytics_email_days',
      );
      const { rows } = await owner.query<Record<string, string>>(
        `SELECT pg_size_pretty(pg_total_relation_size('leads')) AS leads, pg_size_pretty(pg_total_relation_size('calls')) AS calls,
                pg_size_pretty(pg_total_relation_size('activities')) AS activities`,
      );
      say(`Size with indexes: leads ${rows[0]?.leads}, calls ${rows[0]?.calls}, activities ${rows[0]?.activities}`);
      const { rows: recent } = await owner.query<Record<string, string>>(
        `SELECT (SELECT count(*) FROM leads WHERE created_at >= now() - interval '30 days') AS leads,
                (SELECT count(*) FROM calls WHERE call_start_time >= now() - interval '30 days') AS calls,
                (SELECT count(*) FROM activities WHERE created_at >= now() - interval '30 days') AS activities,
                (SELECT count(*) FROM activities WHERE created_at >= now() - interval '30 days' AND activity_type LIKE 'email%') AS email`,
      );
      const r = recent[0];
      say(`In the last 30 days (spread ${SPREAD}): ${r?.leads} leads, ${r?.calls} calls, ${r?.activities} activities of which ${r?.email} email events`);
    } finally {
      await owner.end();
    }

    const base = server.url;
    const login = async (email: string, password: string) => {
      const response = await fetch(`${base}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email, password }),
      });
      if (response.status !== 200) throw new Error(`login ${email}: ${response.status} ${await response.text()}`);
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('clara_session='));
      if (!cookie) throw new Error('no session cookie');
      return cookie.split(';')[0] as string;
    };
    const agent = agents[0] as (typeof agents)[number];
    const callers = [
      { name: 'admin', headers: { cookie: await login(ADMIN_EMAIL, ADMIN_PASSWORD) } },
      { name: 'agent', headers: { cookie: await login(agent.email, USER_PASSWORD) } },
    ];

    const today = resolveDateRange({}, TIME_ZONE).to;
    const yearAgo = new Date(Date.parse(`${today}T00:00:00Z`) - 364 * 86_400_000).toISOString().slice(0, 10);
    const ranges = [
      { name: '30 days', query: '' },
      { name: '365 days', query: `from=${yearAgo}&to=${today}` },
    ];

    // What each caller counts, as a sanity line: the agent sees their own and the pool.
    for (const caller of callers) {
      const response = await fetch(`${base}/api/v1/analytics/summary?${ranges[1]?.query}`, { headers: caller.headers });
      const body = (await response.json()) as { leads: { new: number }; calls: { total: number }; email: { sent: number; open_rate: number | null } };
      say(`${caller.name}, 365 days: ${body.leads.new} new leads, ${body.calls.total} calls, ${body.email.sent} emails sent (open rate ${body.email.open_rate})`);
    }

    if (args.explain) {
      await explainAll(database.db, { userId: agent.id, role: 'agent', email: agent.email, fullName: agent.email, via: 'session' }, yearAgo, today);
    }

    const rows: Row[] = [];
    say(`\nLoad average (1, 5, 15 min) before the runs: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`);
    say('Runs:');
    for (const endpoint of ENDPOINTS) {
      for (const range of ranges) {
        for (const caller of callers) {
          for (const concurrency of CONCURRENCY) {
            const pgBefore = samplePostgres(target.postmasterPid, BENCH_DATABASE);
            const serverBefore = processCpuMs(process.pid);
            const result = await load.run({
              baseUrl: base,
              path: `/api/v1/analytics/${endpoint}${range.query ? `?${range.query}` : ''}`,
              headers: caller.headers,
              concurrency,
              warmupMs: WARMUP_MS,
              durationMs: DURATION_MS,
            });
            const perRequest = (ms: number) => ms / Math.max(1, result.total);
            const serverCpuMs = perRequest(processCpuMs(process.pid) - serverBefore);
            const postgresCpuMs = perRequest(cpuMsBetween(pgBefore, samplePostgres(target.postmasterPid, BENCH_DATABASE)));
            rows.push({ endpoint, caller: caller.name, range: range.name, concurrency, result, serverCpuMs, postgresCpuMs });
            say(
              `  ${endpoint.padEnd(16)} ${range.name.padEnd(9)} ${caller.name.padEnd(6)} c=${concurrency}  n=${String(result.latencies.length).padStart(5)}  ` +
                `p50 ${ms(percentile(result.latencies, 50))}  p95 ${ms(percentile(result.latencies, 95))}  p99 ${ms(percentile(result.latencies, 99))} ms` +
                `  cpu/req server ${serverCpuMs.toFixed(1)} pg ${postgresCpuMs.toFixed(1)} ms` +
                `  errors ${result.errors}${result.firstError ? ` (${result.firstError})` : ''}`,
            );
          }
        }
      }
    }

    say(`\n### Results: ${target.label} (PostgreSQL ${version}), ${LEADS} leads\n`);
    say('| endpoint | range | caller | in flight | requests | p50 ms | p95 ms | p99 ms | CPU ms/req: server + PostgreSQL | errors |');
    say('|---|---|---|--:|--:|--:|--:|--:|--:|--:|');
    for (const row of rows) {
      const r = row.result;
      say(
        `| ${row.endpoint} | ${row.range} | ${row.caller} | ${row.concurrency} | ${r.latencies.length} | ${ms(percentile(r.latencies, 50))} | ` +
          `${ms(percentile(r.latencies, 95))} | ${ms(percentile(r.latencies, 99))} | ` +
          `${row.serverCpuMs.toFixed(1)} + ${row.postgresCpuMs.toFixed(1)} = ${(row.serverCpuMs + row.postgresCpuMs).toFixed(1)} | ${r.errors} |`,
      );
    }
    say('');
    for (const range of ranges) {
      for (const concurrency of CONCURRENCY) {
        const candidates = rows.filter((row) => row.range === range.name && row.concurrency === concurrency && row.endpoint !== 'dashboard');
        const worst = candidates.reduce<Row | undefined>(
          (a, b) => (!a || percentile(b.result.latencies, 95) > percentile(a.result.latencies, 95) ? b : a),
          undefined,
        );
        if (!worst) continue;
        const p95 = percentile(worst.result.latencies, 95);
        say(
          `Aim p95 < 100 ms (${target.label}, ${range.name}, ${concurrency} in flight): worst ${worst.endpoint} as ${worst.caller} ` +
            `${p95.toFixed(1)} ms, ${p95 < 100 ? 'met' : 'missed'}`,
        );
      }
    }
    say(`Load average (1, 5, 15 min) after the runs: ${os.loadavg().map((x) => x.toFixed(2)).join(', ')}`);
    say(`Target ${target.label} took ${seconds(started)}`);
  } finally {
    await server.close();
    await database.close();
  }
}

/** Nearest-rank percentile of an ascending array. */
const ms = (value: number) => (Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1));

/** EXPLAIN (ANALYZE, BUFFERS) of each statement the endpoints run, as the agent under RLS (withActor). */
async function explainAll(db: Parameters<typeof withSystem>[0], agent: Actor, yearAgo: string, today: string) {
  for (const [label, input] of [
    ['30 days', {}],
    ['365 days', { from: yearAgo, to: today }],
  ] as const) {
    const range = resolveDateRange(input, TIME_ZONE);
    const statements = analyticsStatements(range, resolveInterval(range, undefined));
    for (const [name, statement] of Object.entries(statements)) {
      const compiled = statement.compile(db);
      const plan = await withActor(db, agent, async (tx) => {
        await tuneAnalyticsTransaction(tx);
        const { rows } = await tx.executeQuery<{ 'QUERY PLAN': string }>({ ...compiled, sql: `EXPLAIN (ANALYZE, BUFFERS) ${compiled.sql}` });
        return rows.map((row) => row['QUERY PLAN']).join('\n');
      });
      say(`\n#### EXPLAIN ${name}, ${label}, as the agent\n\n\`\`\`\n${plan}\n\`\`\``);
    }
  }
}

/**
 * What keeping the roll-ups costs a write, as the owner on one connection: 200 single-row
 * statements each with every roll-up trigger on, without the call and meeting roll-up's
 * (migration 022), and without any (017's too), disabled inside a transaction that is rolled
 * back, in rounds that alternate the three; and one change of a stage's flags, which refreshes every lead.
 */
const WRITE_ROUNDS = 3;

async function measureWriteCost(client: pg.Client): Promise<void> {
  const idsOf = async (query: string) => (await client.query<{ id: string }>(query)).rows.map((row) => row.id);
  const leadIds = await idsOf("SELECT id FROM leads WHERE deleted_at IS NULL AND qualification_status = 'unqualified' ORDER BY id LIMIT 200");
  const callIds = await idsOf('SELECT id FROM calls WHERE deleted_at IS NULL AND lead_id IS NOT NULL ORDER BY id LIMIT 200');
  const statements: [string, string[], string][] = [
    ['insert a call (an unqualified lead)', leadIds, 'INSERT INTO calls (lead_id, call_start_time) VALUES ($1, now())'],
    ["update a call's duration and sentiment", callIds, 'UPDATE calls SET duration_seconds = coalesce(duration_seconds, 0) + 1, sentiment_score = 0.5 WHERE id = $1'],
    ["update a call's notes (nothing counted)", callIds, "UPDATE calls SET notes = 'bench' WHERE id = $1"],
    ['move a lead to another stage', leadIds, "UPDATE leads SET pipeline_stage_id = (SELECT id FROM pipeline_stages WHERE name = 'Contacted') WHERE id = $1"],
    ['reassign a lead (its calls and meetings move)', leadIds, 'UPDATE leads SET agent_id = NULL WHERE id = $1'],
    ['edit a lead (nothing counted changes)', leadIds, 'UPDATE leads SET lead_score = lead_score WHERE id = $1'],
  ];
  const rollups022 = [
    'ALTER TABLE calls DISABLE TRIGGER analytics_days_insert, DISABLE TRIGGER analytics_days_update',
    'ALTER TABLE meetings DISABLE TRIGGER analytics_days_insert, DISABLE TRIGGER analytics_days_update',
    'ALTER TABLE leads DISABLE TRIGGER analytics_owner_update',
  ];
  const rollups017 = ['leads', 'calls'].map((table) => `ALTER TABLE ${table} DISABLE TRIGGER analytics_insert, DISABLE TRIGGER analytics_update`);
  const modes: Record<string, string[]> = { all: [], 'without 022': rollups022, 'without any': [...rollups022, ...rollups017] };
  say(`\nWrite cost of the roll-ups (owner, one connection, ${leadIds.length} single-row statements each), ms per statement,`);
  say(`the fastest of ${WRITE_ROUNDS} rounds that alternate the modes (the machine's load varies from second to second):`);
  say(`  ${''.padEnd(46)} ${Object.keys(modes).map((mode) => mode.padStart(12)).join(' ')}`);
  for (const [name, ids, text] of statements) {
    const fastest = Object.keys(modes).map(() => Infinity);
    for (let round = 0; round < WRITE_ROUNDS; round += 1) {
      for (const [i, disable] of Object.values(modes).entries()) {
        await client.query('BEGIN');
        try {
          for (const statement of disable) await client.query(statement);
          const started = performance.now();
          for (const id of ids) await client.query(text, [id]);
          fastest[i] = Math.min(fastest[i] as number, (performance.now() - started) / ids.length);
        } finally {
          await client.query('ROLLBACK');
        }
      }
    }
    say(`  ${name.padEnd(46)} ${fastest.map((ms) => ms.toFixed(3).padStart(12)).join(' ')}`);
  }
  await client.query('BEGIN');
  try {
    const started = performance.now();
    await client.query("UPDATE pipeline_stages SET is_lost = NOT is_lost WHERE name = 'Closed Lost'");
    say(`  a stage's won/lost flag changed (every lead refreshed): ${seconds(started)}`);
  } finally {
    await client.query('ROLLBACK');
  }
}

async function main(): Promise<void> {
  say(`# Analytics benchmark, ${new Date().toISOString()}`);
  say(`Machine: ${os.cpus()[0]?.model ?? 'unknown CPU'}, nproc ${os.availableParallelism()}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  const load = await LoadClient.start();
  try {
    for (const label of TARGET === 'both' ? ['embedded', 'pg15'] : [TARGET]) {
      const target = label === 'embedded' ? await embeddedTarget(BENCH_DATABASE) : await skipUnreachable(args['pg15-url'] as string);
      if (!target) continue;
      try {
        await benchTarget(target, load);
      } finally {
        await target.cleanup();
      }
    }
  } finally {
    await load.stop();
  }
}

await main();
