/** Results of one scenario run, and the table they are printed in. */

export interface RunResult {
  scenario: string;
  auth: string;
  concurrency: number;
  /** Successful requests recorded (the warm-up is not counted). */
  requests: number;
  errors: number;
  /** Wall time of the recorded phase, milliseconds. */
  elapsedMs: number;
  /** Latency of every successful recorded request, milliseconds, sorted ascending. */
  latencies: Float64Array;
  /** First error seen, to say what went wrong. */
  firstError?: string;
}

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))] as number;
}

export const throughput = (r: RunResult) => (r.requests * 1000) / r.elapsedMs;

const ms = (value: number) => (Number.isNaN(value) ? '-' : value < 10 ? value.toFixed(2) : value.toFixed(1));

const HEADER = ['scenario', 'auth', 'in flight', 'requests', 'req/s', 'p50 ms', 'p95 ms', 'p99 ms', 'errors'];

function row(r: RunResult): string[] {
  return [
    r.scenario,
    r.auth,
    String(r.concurrency),
    String(r.requests),
    throughput(r).toFixed(0),
    ms(percentile(r.latencies, 50)),
    ms(percentile(r.latencies, 95)),
    ms(percentile(r.latencies, 99)),
    String(r.errors),
  ];
}

/** A Markdown table, so the output can go into docs/benchmarks.md as printed. */
export function markdownTable(results: RunResult[]): string {
  const rows = [HEADER, ...results.map(row)];
  const widths = HEADER.map((_, i) => Math.max(...rows.map((cells) => (cells[i] as string).length)));
  const numeric = (i: number) => i >= 2;
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (numeric(i) ? cell.padStart(widths[i] as number) : cell.padEnd(widths[i] as number))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (numeric(i) ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(HEADER), rule, ...rows.slice(1).map(line)].join('\n');
}
