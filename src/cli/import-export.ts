import { createReadStream, createWriteStream } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { finished } from 'node:stream/promises';
import cliProgress from 'cli-progress';
import { z } from 'zod';
import type { Actor } from '../auth/actor.js';
import type { Config } from '../config/config.js';
import { exportCsv, exportQuerySchema, toExportQuery } from '../crm/import-export/export-csv.js';
import { importCsv } from '../crm/import-export/import-csv.js';
import { DEDUPE_MODES } from '../crm/import-export/import-schemas.js';
import { defaultTargetResources, IMPORT_ENTITIES, importTargets, type ImportTarget } from '../crm/import-export/import-targets.js';
import type { Db } from '../db/database.js';
import { withDatabase } from './open.js';

const SHOWN_ERRORS = 20;

/**
 * The CLI acts as a real user so that row-level security, ownership and the audit trail apply as
 * they would in the app: --as <email>, or else the first active admin.
 */
export async function cliActor(db: Db, email?: string): Promise<Actor> {
  let query = db
    .selectFrom('users')
    .select(['id', 'role', 'email', 'full_name'])
    .where('is_active', '=', true)
    .orderBy('created_at')
    .orderBy('id');
  query = email
    ? query.where('email', '=', email.trim().toLowerCase())
    : query.where('role', '=', 'admin').where('is_service', '=', false).where('is_ai', '=', false);
  const user = await query.executeTakeFirst();
  if (!user) throw new Error(email ? `No active user with email ${email}` : 'No active admin: create one with `clara user create --role admin`');
  return { userId: user.id, role: user.role as Actor['role'], email: user.email, fullName: user.full_name, via: 'session' };
}

function targetFor(config: Config, entity: string): ImportTarget {
  const name = z.enum(IMPORT_ENTITIES, { error: `entity must be one of ${IMPORT_ENTITIES.join(', ')}` }).parse(entity);
  const settings = { defaultCountry: config.defaultCountry };
  const target = importTargets(defaultTargetResources(settings), settings).get(name);
  if (!target) throw new Error(`Importing and exporting ${name} is not available yet`);
  return target;
}

/** "CSV Header=field,Other Header=field" -> { "CSV Header": "field", ... }. */
export function parseMapOption(text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const mapping: Record<string, string> = {};
  for (const pair of text.split(',')) {
    if (!pair.trim()) continue;
    const at = pair.lastIndexOf('=');
    if (at <= 0) throw new Error(`--map wants "CSV Header=field" pairs separated by commas; got "${pair}"`);
    mapping[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return mapping;
}

/**
 * "status_bucket=P1,P2,agent_id=null" -> { status_bucket: "P1,P2", agent_id: "null" }: a part
 * without "=" is one more value of the filter before it, as in the list API's comma lists.
 */
export function parseFilterOption(texts: string[]): Record<string, string> {
  const filters: Record<string, string> = {};
  for (const text of texts) {
    let current: string | undefined;
    for (const part of text.split(',')) {
      const at = part.indexOf('=');
      if (at > 0) {
        current = part.slice(0, at).trim();
        filters[current] = part.slice(at + 1).trim();
      } else if (current && part.trim()) {
        filters[current] = `${filters[current]},${part.trim()}`;
      } else if (part.trim()) {
        throw new Error(`--filter wants "column=value" pairs; got "${part}"`);
      }
    }
  }
  return filters;
}

/** `clara import`: returns the exit code, 1 when any row failed. */
export async function importCommand(
  config: Config,
  entity: string,
  file: string,
  options: { map?: string; dedupe?: string; as?: string },
): Promise<number> {
  const target = targetFor(config, entity);
  const dedupe = z.enum(DEDUPE_MODES, { error: `--dedupe must be one of ${DEDUPE_MODES.join(', ')}` }).parse(options.dedupe ?? 'update');
  const mapping = parseMapOption(options.map);
  await access(file).catch(() => {
    throw new Error(`Cannot read ${file}`);
  });

  return withDatabase(config, async ({ db }) => {
    const actor = await cliActor(db, options.as);
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: `${target.entity} |{bar}| {value}/{total} rows | {created} created, {updated} updated, {skipped} skipped, {failed} failed | {eta_formatted}`,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    const summary = await importCsv(
      db,
      actor,
      { entity: target.entity, csv: () => createReadStream(file), dedupe, file_name: path.basename(file), ...(mapping ? { mapping } : {}) },
      {
        targets: new Map([[target.entity, target]]),
        onProgress: (progress) => {
          const counts = {
            created: progress.created_count,
            updated: progress.updated_count,
            skipped: progress.skipped_count,
            failed: progress.failed_count,
          };
          if (!started) {
            bar.start(progress.total_rows, progress.processed_rows, counts);
            started = true;
          }
          bar.setTotal(progress.total_rows);
          bar.update(progress.processed_rows, counts);
        },
      },
    ).finally(() => {
      if (started) bar.stop();
    });

    const out = (line = '') => process.stdout.write(`${line}\n`);
    out(
      `Imported ${summary.entity} from ${summary.file_name ?? file} as ${actor.email} (import ${summary.id}): ${summary.total_rows} rows - ` +
        `${summary.created_count} created, ${summary.updated_count} updated, ${summary.skipped_count} skipped, ${summary.failed_count} failed`,
    );
    const used = summary.columns.filter((column) => column.field).map((column) => `${column.header} -> ${column.field}`);
    out(`Columns: ${used.join(', ')}`);
    if (summary.ignored_columns.length) out(`Ignored columns: ${summary.ignored_columns.join(', ')}`);
    if (summary.errors.length) {
      out(`Errors (first ${Math.min(SHOWN_ERRORS, summary.errors.length)} of ${summary.failed_count} failed rows):`);
      for (const error of summary.errors.slice(0, SHOWN_ERRORS)) {
        out(`  row ${error.row}${error.field ? `, ${error.field}` : ''}: ${error.message}`);
      }
    }
    return summary.failed_count > 0 ? 1 : 0;
  });
}

/** `clara export`: the list filters of the API, as `--filter "column=value,..."`. */
export async function exportCommand(config: Config, entity: string, options: { out?: string; filter?: string[]; as?: string }): Promise<void> {
  const target = targetFor(config, entity);
  const raw = exportQuerySchema(target.resource).parse(parseFilterOption(options.filter ?? []));
  const query = toExportQuery(target.resource, raw);
  await withDatabase(config, async ({ db }) => {
    const actor = await cliActor(db, options.as);
    const output = options.out ? createWriteStream(options.out) : process.stdout;
    const { rows } = await exportCsv(db, actor, target.resource, query, output);
    if (options.out) {
      output.end();
      await finished(output);
    }
    process.stderr.write(`Exported ${rows} ${target.entity} as ${actor.email}${options.out ? ` to ${options.out}` : ''}\n`);
  });
}
