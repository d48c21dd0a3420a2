import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { withActor } from '../../db/with-actor.js';
import { AppError, BadRequestError, ForbiddenError } from '../../server/errors.js';
import { toProblem } from '../../server/problem.js';
import { createRecord, updateRecord } from '../records/queries.js';
import type { Row } from '../records/resource.js';
import { csvProblem, openCsv, type CsvSource } from './csv-source.js';
import type { DedupeMode, ImportRecord, ImportSummary, RowError } from './import-schemas.js';
import type { ImportEntity, ImportTarget, Matcher } from './import-targets.js';
import { planColumns, readRecord, type ColumnPlan } from './map-columns.js';
import {
  findClientsByName,
  findExisting,
  finishImport,
  insertImport,
  insertPrepared,
  loadPipelineStages,
  loadUsers,
  prepareCreate,
  recordProgress,
  type ImportCounts,
} from './queries.js';

export interface ImportCsvInput {
  entity: ImportEntity;
  csv: CsvSource;
  /** CSV header -> field; "" ignores the column. Unmapped headers are matched by name and alias. */
  mapping?: Record<string, string>;
  /** What a row that matches an existing record does (default update). */
  dedupe?: DedupeMode;
  file_name?: string;
}

export type ImportProgress = ImportCounts & { id: string };

export interface ImportCsvOptions {
  targets: Map<ImportEntity, ImportTarget>;
  /** Called once the import is recorded, then after each batch has committed. */
  onProgress?: (progress: ImportProgress) => void | Promise<void>;
  batchSize?: number;
}

export const MAX_STORED_ERRORS = 1000;
const DEFAULT_BATCH = 500;
const UUID = z.uuid();

interface Pending {
  row: number;
  values: Row;
  /** Match-only columns ("id" of an export). */
  match: Row;
  errors: RowError[];
  blank: boolean;
}

interface Lookups {
  users: Map<string, string | null>;
  stages: Map<string, string>;
}

/**
 * Imports a CSV file of leads, clients or contacts as the actor, so row-level security and the
 * audit trail apply as if they had typed each record.
 *
 * Rows go in batches, each batch in its own transaction that also records the progress on the
 * imports row: other requests see the progress, and a crash loses only the batch in flight. Each
 * row is validated with the resource's own create/update schema and written inside a savepoint,
 * so a bad row is reported with its row number and leaves nothing behind.
 */
export async function importCsv(db: Db, actor: Actor, input: ImportCsvInput, options: ImportCsvOptions): Promise<ImportSummary> {
  const target = options.targets.get(input.entity);
  if (!target) throw new BadRequestError(`Importing ${input.entity} is not available`);
  const writers = target.resource.writeRoles ?? ['admin', 'manager', 'agent'];
  if (!writers.includes(actor.role)) throw new ForbiddenError(`The ${actor.role} role cannot import ${input.entity}`);
  const dedupe = input.dedupe ?? 'update';
  const batchSize = options.batchSize ?? DEFAULT_BATCH;

  const csv = await openCsv(input.csv);
  let header: IteratorResult<string[]>;
  try {
    header = await csv.records.next();
  } catch (error) {
    throw csvProblem(error) ?? error;
  }
  if (header.done) throw new BadRequestError('The file is empty: it needs a header row and at least one record');
  const plan = planColumns(
    header.value.map((h) => h.trim()),
    {
      fields: target.fields,
      aliases: target.aliases,
      matchColumns: target.matchers.some((m) => m.field === 'id') ? ['id'] : [],
      ...(target.nameField ? { nameField: target.nameField } : {}),
      ...(input.mapping ? { mapping: input.mapping } : {}),
    },
  );

  const created = await withActor(db, actor, (tx) =>
    insertImport(tx, { entity: input.entity, file_name: input.file_name ?? null, total_rows: csv.total ?? 0, created_by: actor.userId }),
  );
  const counts: ImportCounts = {
    total_rows: csv.total ?? 0,
    processed_rows: 0,
    created_count: 0,
    updated_count: 0,
    skipped_count: 0,
    failed_count: 0,
  };
  let storedErrors = 0;
  let lookups: Lookups | undefined;
  let row = 1;

  const runBatch = async (records: { row: number; record: string[] }[]) => {
    const next = { ...counts, processed_rows: counts.processed_rows + records.length };
    next.total_rows = Math.max(next.total_rows, next.processed_rows);
    const newErrors: RowError[] = [];
    await withActor(db, actor, async (tx) => {
      lookups ??= await loadLookups(tx);
      const outcomes = await applyBatch(tx, actor, target, plan, dedupe, lookups, records);
      for (const outcome of outcomes) {
        if (Array.isArray(outcome)) {
          next.failed_count += 1;
          for (const error of outcome) if (storedErrors + newErrors.length < MAX_STORED_ERRORS) newErrors.push(error);
        } else {
          next[`${outcome}_count`] += 1;
        }
      }
      await recordProgress(tx, created.id, next, newErrors);
    });
    Object.assign(counts, next);
    storedErrors += newErrors.length;
    await options.onProgress?.({ id: created.id, ...counts });
  };

  let finished: ImportRecord;
  try {
    await options.onProgress?.({ id: created.id, ...counts });
    let batch: { row: number; record: string[] }[] = [];
    for (;;) {
      const next = await csv.records.next();
      if (next.done) break;
      row += 1;
      batch.push({ row, record: next.value });
      if (batch.length >= batchSize) {
        await runBatch(batch);
        batch = [];
      }
    }
    if (batch.length) await runBatch(batch);
    finished = await withActor(db, actor, (tx) => finishImport(tx, created.id, 'completed', { total_rows: counts.processed_rows }));
  } catch (error) {
    const problem = csvProblem(error);
    const message = problem?.message ?? `The import stopped: ${error instanceof Error ? error.message : String(error)}`;
    // Rows before the first unprocessed one are in; the batch in flight rolled back.
    const failure = { row: counts.processed_rows + 2, message };
    await withActor(db, actor, (tx) => finishImport(tx, created.id, 'failed', {}, [failure])).catch(() => {});
    if (problem) throw new BadRequestError(problem.message, { import_id: created.id, ...counts });
    throw error;
  }
  return { ...finished, columns: plan.columns, ignored_columns: plan.ignored };
}

async function loadLookups(tx: Db): Promise<Lookups> {
  const users = new Map<string, string | null>();
  for (const user of await loadUsers(tx)) {
    users.set(user.email.toLowerCase(), user.id);
    const name = user.full_name.trim().toLowerCase();
    // Two people with one name: the name alone cannot say which is meant.
    users.set(name, users.has(name) && users.get(name) !== user.id ? null : user.id);
  }
  const stages = new Map((await loadPipelineStages(tx)).map((stage) => [stage.name.trim().toLowerCase(), stage.id]));
  return { users, stages };
}

type Outcome = 'created' | 'updated' | 'skipped' | RowError[];

async function applyBatch(
  tx: Db,
  actor: Actor,
  target: ImportTarget,
  plan: ColumnPlan,
  dedupe: DedupeMode,
  lookups: Lookups,
  records: { row: number; record: string[] }[],
): Promise<Outcome[]> {
  const rows = records.map(({ row, record }) => readRow(target, plan, row, record));
  await resolveReferences(tx, target, lookups, rows);

  const index = dedupe === 'create' ? undefined : await indexExisting(tx, target, rows);
  const outcomes = new Map<Pending, Outcome>();
  // New records wait here to go in together; a row matching one of them flushes them first, so
  // a file that names one person twice updates the record its first row created.
  const creates: { pending: Pending; values: Row }[] = [];
  const waiting: Index = new Map(target.matchers.map((matcher) => [matcher, new Map()]));
  const flush = async () => {
    if (creates.length === 0) return;
    for (const [pending, outcome] of await createMany(tx, actor, target, index, creates)) outcomes.set(pending, outcome);
    creates.length = 0;
    for (const map of waiting.values()) map.clear();
  };

  for (const pending of rows) {
    if (pending.blank) {
      outcomes.set(pending, 'skipped');
      continue;
    }
    if (pending.errors.length) {
      outcomes.set(pending, pending.errors);
      continue;
    }
    let existing = index ? findMatch(index, pending) : undefined;
    if (!existing && index && findMatch(waiting, pending)) {
      await flush();
      existing = findMatch(index, pending);
    }
    if (existing) {
      outcomes.set(pending, dedupe === 'skip' ? 'skipped' : await updateOne(tx, actor, target, index, existing, pending));
      continue;
    }
    const parsed = target.resource.create.safeParse(only(pending.values, target.resource.create));
    if (!parsed.success) {
      outcomes.set(pending, zodRowErrors(parsed.error, pending));
      continue;
    }
    creates.push({ pending, values: parsed.data as Row });
    rememberInput(waiting, pending);
  }
  await flush();
  return rows.map((pending) => outcomes.get(pending) ?? [{ row: pending.row, message: 'Not processed' }]);
}

function readRow(target: ImportTarget, plan: ColumnPlan, row: number, record: string[]): Pending {
  if (record.every((cell) => cell.trim() === '')) return { row, values: {}, match: {}, errors: [], blank: true };
  const { values, errors } = readRecord(record, plan, target.fields, target.nameField);
  const match: Row = {};
  if ('id' in values && !('id' in target.fields)) {
    match.id = values.id;
    delete values.id;
  }
  return { row, values, match, errors: errors.map((error) => ({ row, ...error })), blank: false };
}

/** "Owner" by email or name, "Stage" by name, "Client" by name: to the ids the schema wants. */
async function resolveReferences(tx: Db, target: ImportTarget, lookups: Lookups, rows: Pending[]): Promise<void> {
  const byName = (value: unknown) => String(value).trim().toLowerCase().replace(/\s+/g, ' ');
  const needs = (pending: Pending, field: string) => {
    const value = pending.values[field];
    return typeof value === 'string' && !UUID.safeParse(value).success;
  };
  const clientNames = new Set<string>();
  for (const [field, reference] of Object.entries(target.references)) {
    for (const pending of rows) {
      if (!needs(pending, field)) continue;
      const key = byName(pending.values[field]);
      if (reference === 'client') {
        clientNames.add(key);
        continue;
      }
      const map = reference === 'user' ? lookups.users : lookups.stages;
      const id = map.get(key);
      if (id) pending.values[field] = id;
      else {
        const what = reference === 'user' ? (map.get(key) === null ? 'More than one user is called' : 'No active user') : 'No pipeline stage';
        pending.errors.push({ row: pending.row, field, message: `${what} "${String(pending.values[field])}"` });
      }
    }
  }
  if (clientNames.size === 0) return;
  const clients = new Map<string, string>();
  for (const client of await findClientsByName(tx, [...clientNames])) if (!clients.has(client.name)) clients.set(client.name, client.id);
  for (const [field, reference] of Object.entries(target.references)) {
    if (reference !== 'client') continue;
    for (const pending of rows) {
      if (!needs(pending, field)) continue;
      const id = clients.get(byName(pending.values[field]));
      if (id) pending.values[field] = id;
      else pending.errors.push({ row: pending.row, field, message: `No client named "${String(pending.values[field])}"` });
    }
  }
}

type Index = Map<Matcher, Map<string, Row>>;

const matchSource = (pending: Pending, matcher: Matcher) =>
  matcher.field in pending.match ? pending.match[matcher.field] : pending.values[matcher.field];

/** One query per batch for every record the batch's rows could match. */
async function indexExisting(tx: Db, target: ImportTarget, rows: Pending[]): Promise<Index> {
  const keys = target.matchers.map((matcher) => ({
    matcher,
    keys: [
      ...new Set(
        rows.flatMap((pending) => {
          if (pending.blank || pending.errors.length) return [];
          const key = matcher.key(matchSource(pending, matcher));
          return key ? [key] : [];
        }),
      ),
    ],
  }));
  const { resource } = target;
  const existing = await findExisting(tx, resource.name, Object.keys(resource.entity.shape), keys, resource.softDelete);
  const index: Index = new Map(target.matchers.map((matcher) => [matcher, new Map()]));
  for (const record of existing) remember(index, record);
  return index;
}

function remember(index: Index, record: Row): void {
  for (const [matcher, map] of index) {
    const key = matcher.keyOf(record);
    // The oldest record wins when several share an email or a name.
    if (key && !map.has(key)) map.set(key, record);
  }
}

/** Indexes a row not yet written by its own keys, to notice a later row naming the same record. */
function rememberInput(index: Index, pending: Pending): void {
  for (const [matcher, map] of index) {
    const key = matcher.key(matchSource(pending, matcher));
    if (key && !map.has(key)) map.set(key, pending.values);
  }
}

function findMatch(index: Index, pending: Pending): Row | undefined {
  for (const [matcher, map] of index) {
    const key = matcher.key(matchSource(pending, matcher));
    const record = key ? map.get(key) : undefined;
    if (record) return record;
  }
  return undefined;
}

/** Runs `work` in a savepoint: a row error rolls back only this row and is returned as its outcome. */
async function inSavepoint(tx: Db, pending: Pending, table: string, work: () => Promise<Outcome>): Promise<Outcome> {
  await sql.raw('SAVEPOINT import_row').execute(tx);
  try {
    const outcome = await work();
    await sql.raw('RELEASE SAVEPOINT import_row').execute(tx);
    return outcome;
  } catch (error) {
    const errors = rowErrors(error, pending, table);
    if (!errors) throw error;
    await sql.raw('ROLLBACK TO SAVEPOINT import_row').execute(tx);
    await sql.raw('RELEASE SAVEPOINT import_row').execute(tx);
    return errors;
  }
}

/** Writes only what differs from the stored record; nothing differing is "skipped". */
async function updateOne(tx: Db, actor: Actor, target: ImportTarget, index: Index | undefined, existing: Row, pending: Pending): Promise<Outcome> {
  const { resource } = target;
  const parsed = resource.update.safeParse(only(pending.values, resource.update));
  if (!parsed.success) return zodRowErrors(parsed.error, pending);
  const values = parsed.data as Row;
  return inSavepoint(tx, pending, resource.name, async () => {
    const prepared = resource.prepare ? await resource.prepare(values, { tx, actor, existing }) : values;
    const changes = Object.fromEntries(
      Object.entries(prepared).filter(([field, value]) => value !== undefined && !sameValue(value, existing[field])),
    );
    if (Object.keys(changes).length === 0) return 'skipped';
    const updated = await updateRecord(tx, resource, actor, String(existing.id), changes);
    Object.assign(existing, updated);
    if (index) remember(index, existing);
    return 'updated';
  });
}

async function createOne(tx: Db, actor: Actor, target: ImportTarget, index: Index | undefined, pending: Pending, values: Row): Promise<Outcome> {
  return inSavepoint(tx, pending, target.resource.name, async () => {
    const record = await createRecord(tx, target.resource, actor, values);
    if (index) remember(index, record);
    return 'created';
  });
}

/**
 * New records in one INSERT inside a savepoint. A row that prepare refuses (a bad phone) is
 * reported and left out; if the statement fails (a constraint, a row-level security refusal),
 * it is rolled back whole and the rows go in one by one so that the bad one is named.
 */
async function createMany(
  tx: Db,
  actor: Actor,
  target: ImportTarget,
  index: Index | undefined,
  creates: { pending: Pending; values: Row }[],
): Promise<Map<Pending, Outcome>> {
  const { resource } = target;
  const outcomes = new Map<Pending, Outcome>();
  const oneByOne = async () => {
    outcomes.clear();
    for (const { pending, values } of creates) outcomes.set(pending, await createOne(tx, actor, target, index, pending, values));
    return outcomes;
  };
  if (creates.length === 1) return oneByOne();

  await sql.raw('SAVEPOINT import_batch').execute(tx);
  try {
    const ready: { pending: Pending; values: Row }[] = [];
    for (const { pending, values } of creates) {
      try {
        ready.push({ pending, values: await prepareCreate(tx, resource, actor, values) });
      } catch (error) {
        // Only errors raised before the database was asked: anything else may have aborted the transaction.
        if (!(error instanceof AppError || error instanceof z.ZodError)) throw error;
        const errors = rowErrors(error, pending, resource.name);
        if (!errors) throw error;
        outcomes.set(pending, errors);
      }
    }
    if (ready.length) {
      const created = await insertPrepared(tx, resource, ready.map((item) => item.values));
      if (index) for (const record of created) remember(index, record);
      for (const { pending } of ready) outcomes.set(pending, 'created');
    }
    await sql.raw('RELEASE SAVEPOINT import_batch').execute(tx);
    return outcomes;
  } catch (error) {
    if (!rowErrors(error, creates[0]!.pending, resource.name)) throw error;
    await sql.raw('ROLLBACK TO SAVEPOINT import_batch').execute(tx);
    await sql.raw('RELEASE SAVEPOINT import_batch').execute(tx);
    return oneByOne();
  }
}

/** The values a schema knows: a field only creation accepts is not an error on an update. */
function only(values: Row, schema: z.ZodObject): Row {
  return Object.fromEntries(Object.entries(values).filter(([field]) => field in schema.shape));
}

function zodRowErrors(error: z.ZodError, pending: Pending): RowError[] {
  return error.issues.map((issue) => {
    const field = typeof issue.path[0] === 'string' ? issue.path[0] : undefined;
    const value = field ? pending.values[field] : undefined;
    const shown = typeof value === 'string' ? ` ("${value.length > 80 ? `${value.slice(0, 80)}…` : value}")` : '';
    return { row: pending.row, ...(field ? { field } : {}), message: `${issue.message}${shown}` };
  });
}

const FIELD_ERRORS: Record<string, string> = { invalid_phone: 'phone', invalid_email: 'email' };
// Bad data, a broken rule or a refused row: the row's fault. Anything else (a lost connection)
// stops the import instead of failing every remaining row.
const ROW_SQLSTATE = /^(22|23)...$|^42501$|^P0001$/;

function rowErrors(error: unknown, pending: Pending, table: string): RowError[] | undefined {
  if (error instanceof z.ZodError) return zodRowErrors(error, pending);
  if (error instanceof AppError) {
    if (error.status >= 500) return undefined;
    const field = FIELD_ERRORS[error.code];
    return [{ row: pending.row, ...(field ? { field } : {}), message: error.message }];
  }
  const pg = error as { code?: unknown; column?: unknown; constraint?: unknown };
  if (typeof pg.code !== 'string' || !ROW_SQLSTATE.test(pg.code)) return undefined;
  const fromConstraint =
    typeof pg.constraint === 'string' ? new RegExp(`^${table}_(.+)_(check|fkey|key)$`).exec(pg.constraint)?.[1] : undefined;
  const field = typeof pg.column === 'string' ? pg.column : fromConstraint;
  const message = pg.code === '42501' ? 'You are not allowed to write this record' : toProblem(error).detail;
  return [{ row: pending.row, ...(field ? { field } : {}), message }];
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T/;

/** Whether an imported value equals the stored one, across the forms the database returns. */
export function sameValue(imported: unknown, stored: unknown): boolean {
  if (imported === stored) return true;
  if (imported === null || imported === undefined || stored === null || stored === undefined) {
    return (imported ?? null) === (stored ?? null);
  }
  if (typeof imported === 'number' || typeof stored === 'number') return Number(imported) === Number(stored);
  if (typeof imported === 'string' && typeof stored === 'string') {
    return ISO_INSTANT.test(imported) && ISO_INSTANT.test(stored) && Date.parse(imported) === Date.parse(stored);
  }
  if (Array.isArray(imported) && Array.isArray(stored)) {
    return imported.length === stored.length && imported.every((item, i) => sameValue(item, stored[i]));
  }
  if (typeof imported === 'object' && typeof stored === 'object') return stableJson(imported) === stableJson(stored);
  return false;
}

function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${stableJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
