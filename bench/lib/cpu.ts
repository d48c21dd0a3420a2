/**
 * CPU time of the processes taking part in a run, from /proc (Linux only; elsewhere zeros).
 * On 2 cores the CPU is what limits throughput, so CPU milliseconds per request say where a
 * request's cost lies: the Clara server (Node), PostgreSQL, or the load generator.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime, ticks */
  own: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state) of proc(5)
    const n = (field: number) => Number(fields[field - 3]);
    return { pid, ppid: n(4), own: n(14) + n(15) };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

// A backend's title is "postgres: <user> <database> <host>(<port>) <state>"; auxiliary
// processes (walwriter, checkpointer, ...) have no database in it.
const BACKEND_TITLE = /^postgres: \S+ (\S+) [\d.:a-f]+\(\d+\)/;

/** CPU ticks used so far by each process of a PostgreSQL server that matters here. */
export type CpuSample = Map<number, number>;

/**
 * The postmaster, its auxiliary processes, and the backends connected to `database` (other
 * databases on a shared server are left out). Per process, so that a backend exiting during a
 * run (an idle pool connection timing out) does not make the difference negative.
 */
export function samplePostgres(postmasterPid: number | undefined, database: string): CpuSample {
  const sample: CpuSample = new Map();
  if (!postmasterPid) return sample;
  const root = readStat(postmasterPid);
  if (!root) return sample;
  sample.set(root.pid, root.own);
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(Number(entry));
    if (!stat || stat.ppid !== postmasterPid) continue;
    const title = BACKEND_TITLE.exec(cmdline(stat.pid));
    if (title && title[1] !== database) continue;
    sample.set(stat.pid, stat.own);
  }
  return sample;
}

/** CPU milliseconds spent between two samples by processes alive at the end. */
export function cpuMsBetween(before: CpuSample, after: CpuSample): number {
  let ticks = 0;
  for (const [pid, used] of after) ticks += used - (before.get(pid) ?? 0);
  return (ticks * 1000) / TICKS_PER_SECOND;
}

/** CPU milliseconds used so far by one process (all its threads). */
export function processCpuMs(pid: number | undefined): number {
  const stat = pid ? readStat(pid) : undefined;
  return stat ? (stat.own * 1000) / TICKS_PER_SECOND : 0;
}
