import { sql, type RawBuilder } from 'kysely';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import type { Resource, Row } from '../records/resource.js';
import type { ImportEntity, Matcher } from './import-targets.js';
import type { ImportRecord, RowError } from './import-schemas.js';

const IMPORT_COLUMNS = [
  'id',
  'entity',
  'status',
  'file_name',
  'total_rows',
  'processed_rows',
  'created_count',
  'updated_count',
  'skipped_count',
  'failed_count',
  'errors',
  'created_by',
  'created_at',
  'updated_at',
  'finished_at',
] as const;

export async function insertImport(
  tx: Db,
  values: { entity: ImportEntity; file_name: string | null; total_rows: number; created_by: string },
): Promise<ImportRecord> {
  const row = await tx.insertInto('imports').values(values).returning(IMPORT_COLUMNS).executeTakeFirstOrThrow();
  return row as ImportRecord;
}

export interface ImportCounts {
  total_rows: number;
  processed_rows: number;
  created_count: number;
  updated_count: number;
  skipped_count: number;
  failed_count: number;
}

/** Adds a batch's outcome: counts are replaced, new errors appended. */
export async function recordProgress(tx: Db, id: string, counts: ImportCounts, newErrors: RowError[]): Promise<void> {
  await tx
    .updateTable('imports')
    .set({
      ...counts,
      ...(newErrors.length ? { errors: sql`errors || ${JSON.stringify(newErrors)}::jsonb` } : {}),
    })
    .where('id', '=', id)
    .execute();
}

export async function finishImport(
  tx: Db,
  id: string,
  status: 'completed' | 'failed',
  counts: Partial<ImportCounts>,
  newErrors: RowError[] = [],
): Promise<ImportRecord> {
  const row = await tx
    .updateTable('imports')
    .set({
      ...counts,
      status,
      finished_at: sql<string>`now()`,
      ...(newErrors.length ? { errors: sql`errors || ${JSON.stringify(newErrors)}::jsonb` } : {}),
    })
    .where('id', '=', id)
    .returning(IMPORT_COLUMNS)
    .executeTakeFirstOrThrow();
  return row as ImportRecord;
}

/** Live records this caller can see that any matcher recognises, oldest first. */
export async function findExisting(
  tx: Db,
  table: string,
  columns: string[],
  keys: { matcher: Matcher; keys: string[] }[],
  softDelete: boolean,
): Promise<Row[]> {
  const clauses = keys.filter((k) => k.keys.length).map((k) => k.matcher.where(k.keys));
  if (clauses.length === 0) return [];
  const { rows } = await sql<Row>`
    SELECT ${sql.join(columns.map((column) => sql.ref(column)))} FROM ${sql.table(table)}
     WHERE (${sql.join(clauses, sql` OR `)}) ${softDelete ? sql`AND deleted_at IS NULL` : sql``}
     ORDER BY created_at, id`.execute(tx);
  return rows;
}

/** Active users by lower-case email and full name, to read an "Owner" column. */
export async function loadUsers(tx: Db): Promise<{ id: string; email: string; full_name: string }[]> {
  return tx.selectFrom('users').select(['id', 'email', 'full_name']).where('is_active', '=', true).orderBy('created_at').execute();
}

export async function loadPipelineStages(tx: Db): Promise<{ id: string; name: string }[]> {
  return tx.selectFrom('pipeline_stages').select(['id', 'name']).orderBy('order_position').execute();
}

/** Visible live clients with one of these names (lower-case), oldest first. */
export async function findClientsByName(tx: Db, names: string[]): Promise<{ id: string; name: string }[]> {
  if (names.length === 0) return [];
  const { rows } = await sql<{ id: string; name: string }>`
    SELECT id, lower(client_name) AS name FROM clients
     WHERE lower(client_name) = ANY (${names}::text[]) AND deleted_at IS NULL
     ORDER BY created_at, id`.execute(tx);
  return rows;
}

// As the records engine writes them: text arrays as text[], objects as jsonb.
function toSqlValue(value: unknown): RawBuilder<unknown> {
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return sql`${value}::text[]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return sql`${JSON.stringify(value)}::jsonb`;
  }
  return sql`${value}`;
}

/** What createRecord writes for one input: the owner default, the creator stamp, then prepare. */
export async function prepareCreate(tx: Db, resource: Resource, actor: Actor, input: Row): Promise<Row> {
  let values: Row = { ...input };
  if (resource.ownerColumn && !(resource.ownerColumn in values)) values[resource.ownerColumn] = actor.userId;
  if (resource.stampsCreator) values.created_by = actor.userId;
  if (resource.prepare) values = await resource.prepare(values, { tx, actor });
  return values;
}

/**
 * The INSERT of createRecord for many prepared rows in one statement (a column a row lacks takes
 * its DEFAULT). One statement instead of one per row is what makes a large import several times
 * faster; the caller falls back to createRecord row by row when it fails, to find the bad row.
 */
export async function insertPrepared(tx: Db, resource: Resource, prepared: Row[]): Promise<Row[]> {
  const columns = [...new Set(prepared.flatMap((values) => Object.keys(values).filter((key) => values[key] !== undefined)))];
  const rows = prepared.map(
    (values) => sql`(${sql.join(columns.map((column) => (values[column] === undefined ? sql`DEFAULT` : toSqlValue(values[column]))))})`,
  );
  const { rows: created } = await sql<Row>`
    INSERT INTO ${sql.table(resource.name)} (${sql.join(columns.map((column) => sql.ref(column)))})
    VALUES ${sql.join(rows)}
    RETURNING ${sql.join(Object.keys(resource.entity.shape).map((column) => sql.ref(column)))}`.execute(tx);
  return created;
}
