/**
 * `npm run bench:calls-search [-- --target embedded|pg15|both]`: transcript search
 * (GET /api/v1/calls?q=) at 100k calls with transcripts, with authentication and row-level
 * security on, before and after migration 019 (candidate ids from app.search_call_ids through the
 * GIN index, docs/benchmarks.md "### Transcript search"); since migration 020 the function answers
 * "too many" at once when the planner expects a common word (printed: each term's estimate and
 * what the function answered).
 *
 * Per target: a throwaway database, the server on an ephemeral port, an admin, a manager with
 * two agents and three more agents, 100k leads (bench/lib/seed.ts) and one call per lead with a
 * generated transcript of 12 sentences and a few topics, VACUUM ANALYZE and a CHECKPOINT. Then:
 *  1. each search term one request at a time in-process (withActor + listRecords, no HTTP), both
 *     ways: "plain" is the code before 019 (`search @@ q` under RLS), "candidates" the code now;
 *     wall time and the CPU of PostgreSQL and of Node per request;
 *  2. the terms round robin through HTTP with the load generator (bench/lib/load-client.ts), as
 *     an agent's session and an admin's API key, 16 in flight and 1;
 *  3. the plans PostgreSQL ran inside app.search_call_ids (auto_explain with ANALYZE, BUFFERS);
 *     none for a word the function found too common from the estimate alone.
 * Figures belong in docs/benchmarks.md; tests never assert on timings.
 */
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Actor, Role } from '../src/auth/actor.js';
import { loadConfig } from '../src/config/config.js';
import { callResource } from '../src/crm/calls/call-resource.js';
import { listRecords, SEARCH_CANDIDATES, searchQuery } from '../src/crm/records/queries.js';
import type { Resource } from '../src/crm/records/resource.js';
import { createUser } from '../src/crm/users/create-user.js';
import { openDatabase, serverVersion, type Database, type Db } from '../src/db/database.js';
import type { DB } from '../src/db/schema.js';
import { withActor, withSystem } from '../src/db/with-actor.js';
import { startServer } from '../src/server/start-server.js';
import { cpuMsBetween, processCpuMs, samplePostgres } from './lib/cpu.js';
import type { HttpRequestSpec, LoadResult } from './lib/load-client.js';
import { seedLeads } from './lib/seed.js';
import { markdownTable, percentile, type RunResult } from './lib/stats.js';
import { embeddedTarget, externalTarget, forkLoadGenerator, stopLoadGenerator, type BenchTarget } from './lib/targets.js';

const { values: args } = parseArgs({
  options: {
    target: { type: 'string', default: 'both' },
    leads: { type: 'string', default: '100000' },
    concurrency: { type: 'string', default: '16' },
    seconds: { type: 'string', default: '5' },
    'single-seconds': { type: 'string', default: '3' },
    iterations: { type: 'string', default: '40' },
    'pg15-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
  },
  strict: true,
});
const TARGET = args.target as string;
if (!['embedded', 'pg15', 'both'].includes(TARGET)) throw new Error('--target must be embedded, pg15 or both');
const LEADS = Number(args.leads);
const CONCURRENCY = Number(args.concurrency);
const ITERATIONS = Number(args.iterations);
const BENCH_DATABASE = 'clara_bench_calls';
const PASSWORD = 'bench-user-password';

/**
 * What people look for in transcripts, from common to rare (the bench prints each one's share of
 * the calls): topics, a product, a competitor, two words, a surname, a rare topic, and a prefix as typed.
 */
const TERMS = ['pricing', 'integr', 'twilio', 'hubspot', 'annual contract', 'kowalski', 'refund'];

const say = (line = '') => process.stdout.write(`${line}\n`);
const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

// Small talk every call has, and topics each call touches with its own likelihood, so that the
// terms below range from common to rare as in real transcripts.
const SMALL_TALK = [
  'Thanks for calling, how can I help you today',
  'We keep missing calls after hours and losing leads',
  'I need to run it by my boss before we commit',
  'We would like something in place this quarter',
  'Could you book a demo for the operations team next week',
  'The budget is around twenty thousand a year',
  'Our receptionist cannot keep up with inbound calls',
  'Please send the proposal by email',
  'How many people would use it on your side',
  'Sounds good, talk to you soon',
];
const TOPICS: [string, number][] = [
  ['What does your pricing look like for a team of ten', 0.4],
  ['How long does the integration with our current tools take', 0.2],
  ['Do you integrate with Twilio for the phone numbers', 0.12],
  ['We are on HubSpot and the renewal is coming up', 0.06],
  ['Is there an annual contract or can we pay monthly', 0.04],
  ['We had a bad experience and asked for a refund last time', 0.01],
];

/** One call per live lead, by the lead's owner, with a transcript naming the prospect and company. */
async function seedCalls(client: pg.Client): Promise<number> {
  await client.query('SELECT setseed(0.4343)');
  await client.query('SET session_replication_role = replica');
  const topics = TOPICS.map(([sentence, share]) => `CASE WHEN random() < ${share} THEN '. Prospect: ${sentence}' ELSE '' END`).join(' || ');
  try {
    const { rowCount } = await client.query(
      `
      INSERT INTO calls (lead_id, user_id, call_type, direction, call_start_time, duration_seconds, outcome, transcript, created_at, updated_at)
      SELECT l.id, l.agent_id, 'ai_voice', 'inbound', t.at, 60 + floor(random() * 600)::int, 'completed',
             'Prospect: hello, this is ' || l.contact_person || ' from ' || l.company_name || '. ' || t.body || ${topics}, t.at, t.at
        FROM leads l
        CROSS JOIN LATERAL (
          SELECT l.created_at + random() * (now() - l.created_at) AS at,
                 string_agg(CASE WHEN s % 2 = 0 THEN 'Clara: ' ELSE 'Prospect: ' END
                            || ($1::text[])[1 + floor(random() * cardinality($1::text[]))::int], '. ') AS body
            -- The reference to l re-evaluates the series per lead (see bench/lib/seed.ts).
            FROM generate_series(1, 12 + (l.id IS NULL)::int) s
        ) t
       WHERE l.deleted_at IS NULL`,
      [SMALL_TALK],
    );
    return rowCount ?? 0;
  } finally {
    await client.query('RESET session_replication_role');
  }
}

interface Caller {
  auth: 'agent session' | 'admin API key';
  headers: Record<string, string>;
  actor: Actor;
}

const asActor = (user: { id: string; email: string }, role: Role, via: Actor['via']): Actor => ({
  userId: user.id,
  role,
  email: user.email,
  fullName: user.email,
  via,
});

/** What app.search_call_ids answers the caller for a term, as the list engine asks it: how many ids, or "too many" (a NULL). */
async function functionAnswer(database: Database, caller: Caller, q: string): Promise<string> {
  const { rows } = await withActor(database.db, caller.actor, (tx) =>
    sql<{ ids: number; too_many: boolean }>`
      SELECT count(id)::int AS ids, coalesce(bool_or(id IS NULL), false) AS too_many
        FROM app.search_call_ids(${searchQuery(q)}, ${SEARCH_CANDIDATES}) AS id`.execute(tx),
  );
  return rows[0]?.too_many ? 'too many' : `${rows[0]?.ids ?? 0} ids`;
}

/** A term, searched one request at a time: wall ms per request, and CPU ms of PostgreSQL and Node. */
async function timeSearch(database: Database, target: BenchTarget, caller: Caller, resource: Resource, q: string) {
  const run = () => withActor(database.db, caller.actor, (tx) => listRecords(tx, resource, { limit: 50, q, filters: {}, ranges: {} }));
  const first = await run();
  for (let i = 0; i < 3; i++) await run();
  const samples = new Float64Array(ITERATIONS);
  const pgBefore = samplePostgres(target.postmasterPid, BENCH_DATABASE);
  const nodeBefore = processCpuMs(process.pid);
  for (let i = 0; i < ITERATIONS; i++) {
    const t0 = performance.now();
    await run();
    samples[i] = performance.now() - t0;
  }
  const pgMs = cpuMsBetween(pgBefore, samplePostgres(target.postmasterPid, BENCH_DATABASE)) / ITERATIONS;
  const nodeMs = (processCpuMs(process.pid) - nodeBefore) / ITERATIONS;
  samples.sort();
  return { rows: first.data.length, more: first.next_cursor !== null, p50: percentile(samples, 50), p95: percentile(samples, 95), pgMs, nodeMs };
}

/** The plans PostgreSQL runs inside app.search_call_ids, through auto_explain on a connection of its own. */
async function explainCandidates(url: string, caller: Caller, resource: Resource, q: string): Promise<string | undefined> {
  const notices: string[] = [];
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    options:
      '-c session_preload_libraries=auto_explain -c auto_explain.log_min_duration=0 -c auto_explain.log_nested_statements=on ' +
      '-c auto_explain.log_analyze=on -c auto_explain.log_buffers=on -c auto_explain.log_timing=on -c auto_explain.log_level=notice',
  });
  pool.on('connect', (client) => client.on('notice', (notice) => notices.push(notice.message ?? '')));
  const db: Db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  try {
    await withActor(db, caller.actor, (tx) => listRecords(tx, resource, { limit: 50, q, filters: {}, ranges: {} }));
  } finally {
    await db.destroy();
  }
  return notices.find((notice) => notice.includes('FROM calls c'))?.replace(/\s+LIMIT \$2/, ' LIMIT $2');
}

function sendJob(child: ChildProcess, job: object): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    child.once('message', (reply: { ok: boolean; result?: LoadResult; error?: string }) =>
      reply.ok && reply.result ? resolve(reply.result) : reject(new Error(reply.error ?? 'no result')),
    );
    child.send(job);
  });
}

async function benchTarget(target: BenchTarget, load: ChildProcess): Promise<void> {
  const started = performance.now();
  say(`\n## Target: ${target.label}\n`);
  const config = loadConfig({ DATABASE_URL: target.url, LOG_LEVEL: 'silent', PORT: '0', HOST: '127.0.0.1', CLARA_ADMIN_EMAIL: 'admin@bench.local', CLARA_ADMIN_PASSWORD: PASSWORD });
  const database = await openDatabase({ databaseUrl: target.url, dataDir: '', poolSize: config.poolSize });
  const server = await startServer(config, { database });
  try {
    say(`PostgreSQL ${await serverVersion(database.db)}; server ${server.url}`);
    const addUser = (email: string, role: Role, managerId: string | null = null) =>
      withSystem(database.db, (tx) => createUser(tx, { email, full_name: email.split('@')[0] as string, role, password: PASSWORD, manager_id: managerId }));
    const manager = await addUser('manager@bench.local', 'manager');
    const agents = [
      await addUser('agent1@bench.local', 'agent', manager.id),
      await addUser('agent2@bench.local', 'agent', manager.id),
      await addUser('agent3@bench.local', 'agent'),
      await addUser('agent4@bench.local', 'agent'),
      await addUser('agent5@bench.local', 'agent'),
    ];
    const ai = await database.db.selectFrom('users').select('id').where('is_ai', '=', true).executeTakeFirstOrThrow();

    const owner = new pg.Client({ connectionString: target.url });
    await owner.connect();
    try {
      const seedStarted = performance.now();
      await seedLeads(owner, LEADS, { owners: agents.map((a) => a.id), aiUserId: ai.id });
      const calls = await seedCalls(owner);
      await owner.query('VACUUM (ANALYZE) leads, calls, users, sessions, api_keys');
      await owner.query('CHECKPOINT');
      const { rows } = await owner.query<{ size: string; avg: number }>(
        "SELECT pg_size_pretty(pg_total_relation_size('calls')) AS size, avg(length(transcript))::int AS avg FROM calls",
      );
      say(`Seeded ${LEADS} leads and ${calls} calls (transcripts ${rows[0]?.avg} characters on average; calls ${rows[0]?.size} with indexes) in ${seconds(seedStarted)}`);
      const { rows: shares } = await owner.query<{ term: string; share: string }>(
        `SELECT term, round(100.0 * count(*) FILTER (WHERE search @@ to_tsquery('simple', replace(term, ' ', ':* & ') || ':*')) / count(*), 1)::text AS share
           FROM calls, unnest($1::text[]) term GROUP BY term ORDER BY term`,
        [TERMS],
      );
      say(`Calls matching each term: ${shares.map((s) => `${s.term} ${s.share} %`).join(', ')}`);
      // What app.search_call_ids (migration 020) sees first: the planner's estimate of the matches.
      const { rows: estimates } = await owner.query<{ term: string; rows: string }>(
        `SELECT term, app.estimated_search_matches('calls', to_tsquery('simple', replace(term, ' ', ':* & ') || ':*'))::text AS rows
           FROM unnest($1::text[]) term ORDER BY term`,
        [TERMS],
      );
      say(`The planner's estimate of the calls matching each term: ${estimates.map((e) => `${e.term} ${e.rows}`).join(', ')}`);
    } finally {
      await owner.end();
    }

    const base = server.url;
    const login = async (email: string) => {
      const response = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: PASSWORD }) });
      const cookie = response.headers.getSetCookie().find((c) => c.startsWith('clara_session='));
      if (response.status !== 200 || !cookie) throw new Error(`login ${email}: ${response.status}`);
      return cookie.split(';')[0] as string;
    };
    const agent = agents[0] as (typeof agents)[number];
    const agentCookie = await login(agent.email);
    const keyResponse = await fetch(`${base}/api/v1/api_keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: await login('admin@bench.local') },
      body: JSON.stringify({ name: 'bench', role: 'admin' }),
    });
    const key = (await keyResponse.json()) as { key: string; user_id: string };
    const callers: Caller[] = [
      { auth: 'agent session', headers: { cookie: agentCookie }, actor: asActor(agent, 'agent', 'session') },
      { auth: 'admin API key', headers: { authorization: `Bearer ${key.key}` }, actor: asActor({ id: key.user_id, email: 'key' }, 'admin', 'api_key') },
    ];

    const now = callResource({ defaultCountry: 'US' });
    const { searchFunction: _candidates, ...plain } = now;
    say('\n### One request at a time, in-process (withActor + listRecords, no HTTP)\n');
    say(`${ITERATIONS} searches per row after 4 unmeasured; plain = before migration 019, candidates = now\n`);
    say('| term | caller | rows (more?) | plain p50 ms | plain p95 ms | plain PG CPU ms | candidates p50 ms | candidates p95 ms | candidates PG CPU ms | candidates Node CPU ms | function answers |');
    say('|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|');
    for (const term of TERMS) {
      for (const caller of callers) {
        const before = await timeSearch(database, target, caller, plain, term);
        const after = await timeSearch(database, target, caller, now, term);
        if (before.rows !== after.rows) throw new Error(`${term}, ${caller.auth}: ${before.rows} rows before, ${after.rows} after`);
        say(
          `| ${term} | ${caller.auth} | ${after.rows}${after.more ? '+' : ''} | ${before.p50.toFixed(1)} | ${before.p95.toFixed(1)} | ${before.pgMs.toFixed(1)} | ` +
            `${after.p50.toFixed(1)} | ${after.p95.toFixed(1)} | ${after.pgMs.toFixed(1)} | ${after.nodeMs.toFixed(2)} | ${await functionAnswer(database, caller, term)} |`,
        );
      }
    }

    say('\n### Through HTTP, the terms round robin\n');
    const results: RunResult[] = [];
    const cpu: string[] = [];
    for (const caller of callers) {
      const requests: HttpRequestSpec[] = TERMS.map((term) => ({ method: 'GET', path: `/api/v1/calls?q=${encodeURIComponent(term)}`, headers: caller.headers }));
      for (const concurrency of [CONCURRENCY, 1]) {
        const pgBefore = samplePostgres(target.postmasterPid, BENCH_DATABASE);
        const nodeBefore = processCpuMs(process.pid);
        const t0 = performance.now();
        const durationMs = Number(concurrency === 1 ? args['single-seconds'] : args.seconds) * 1000;
        const outcome = await sendJob(load, { kind: 'http', baseUrl: base, requests, concurrency, warmupMs: 500, durationMs });
        const wall = performance.now() - t0;
        const all = Math.max(1, Math.round(outcome.requests * (wall / Math.max(1, outcome.elapsedMs))));
        const pgMs = cpuMsBetween(pgBefore, samplePostgres(target.postmasterPid, BENCH_DATABASE)) / all;
        const nodeMs = (processCpuMs(process.pid) - nodeBefore) / all;
        results.push({ scenario: 'transcript search', auth: caller.auth, concurrency, ...outcome });
        cpu.push(`| ${caller.auth} | ${concurrency} | ${nodeMs.toFixed(2)} | ${pgMs.toFixed(2)} |`);
      }
    }
    say(markdownTable(results));
    say('\n| caller | in flight | server (Node) CPU ms/request | PostgreSQL CPU ms/request |');
    say('|---|--:|--:|--:|');
    for (const line of cpu) say(line);

    say(`\n### Inside app.search_call_ids (auto_explain, ANALYZE, BUFFERS): ${target.label}`);
    for (const caller of callers) {
      for (const term of ['pricing', 'kowalski']) {
        const plan = await explainCandidates(target.url, caller, now, term);
        say(`\n#### "${term}", ${caller.auth}\n\n\`\`\`\n${plan ?? '(no plan: the function did not collect candidates)'}\n\`\`\``);
      }
    }
  } finally {
    await server.close();
    await database.close();
  }
  say(`\nTarget ${target.label} done in ${seconds(started)}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

async function main(): Promise<void> {
  say(`# bench:calls-search ${new Date().toISOString()}`);
  say(
    `Node ${process.version}, ${os.availableParallelism()} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), ` +
      `load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`,
  );
  const load = await forkLoadGenerator(fileURLToPath(new URL('./lib/load-client.ts', import.meta.url)));
  try {
    const targets: (() => Promise<BenchTarget | undefined>)[] = [];
    if (TARGET !== 'pg15') targets.push(() => embeddedTarget(BENCH_DATABASE));
    if (TARGET !== 'embedded') {
      targets.push(() =>
        externalTarget(args['pg15-url'] as string, BENCH_DATABASE).catch((error: unknown) => {
          say(`Skipping pg15: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        }),
      );
    }
    for (const open of targets) {
      const target = await open();
      if (!target) continue;
      try {
        await benchTarget(target, load);
      } finally {
        await target.cleanup();
      }
    }
  } finally {
    await stopLoadGenerator(load, { kind: 'close' });
  }
}

await main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
