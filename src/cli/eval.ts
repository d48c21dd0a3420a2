import { readFile } from 'node:fs/promises';
import type { Config } from '../config/config.js';
import { apiTalker } from '../agent/eval/api-talker.js';
import { corpusSchema, evaluate, formatMisses, formatReport } from '../agent/eval/evaluate.js';
import { withApiClient } from './api-client.js';

export interface EvalOptions {
  url?: string;
  key?: string;
  floor?: string;
  misses?: boolean;
  timeZone?: string;
}

/**
 * `clara eval corpus.json`: replays scripted conversations through the API and prints the
 * accuracy of each field; exit code 1 below `--floor`.
 */
export async function evalCommand(config: Config, file: string, options: EvalOptions): Promise<number> {
  const floor = options.floor === undefined ? undefined : Number(options.floor);
  if (floor !== undefined && !(floor >= 0 && floor <= 1)) throw new Error('--floor is a ratio between 0 and 1, e.g. 0.9');
  const timeZone = options.timeZone ?? config.timeZone;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone });
  } catch {
    throw new Error(`Unknown time zone ${timeZone}`);
  }
  const corpus = corpusSchema.parse(JSON.parse(await readFile(file, 'utf8')));
  const report = await withApiClient(config, options, (api) => evaluate(corpus, apiTalker(api), { timeZone }));
  process.stdout.write(`${formatReport(report)}\n`);
  if (options.misses && report.misses.length) process.stdout.write(`\n${formatMisses(report, { withTurns: true })}\n`);
  if (floor !== undefined && report.accuracy < floor) {
    process.stdout.write(`accuracy ${(report.accuracy * 100).toFixed(1)}% is below the floor ${(floor * 100).toFixed(1)}%\n`);
    return 1;
  }
  return report.errors.length ? 1 : 0;
}
