import { sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import type { Actor } from '../../auth/actor.js';
import type { Database, Db } from '../../db/database.js';
import { readAsActor, readSeveralAsActor } from '../../db/with-actor.js';
import { BadRequestError, ForbiddenError, NotFoundError } from '../../server/errors.js';
import type { Resource, Row } from './resource.js';

export interface ListQuery {
  limit: number;
  cursor?: string;
  sort?: string;
  q?: string;
  deleted?: 'exclude' | 'include' | 'only';
  /** column -> accepted values (already split on commas; "null" matches no value) */
  filters: Record<string, string[]>;
  /** column -> [from, to) bounds */
  ranges: Record<string, { from?: string; to?: string }>;
}

export interface Page {
  data: Row[];
  next_cursor: string | null;
}

interface Cursor {
  v: unknown;
  id: string;
}

const columnsOf = (resource: Resource) => Object.keys(resource.entity.shape);
// The column list of a resource never changes: written once as SQL text, it costs nothing per
// query (as ~60 sql.ref nodes it was a tenth of a read's CPU in Node, compiled every time).
const selections = new WeakMap<Resource, RawBuilder<unknown>>();
const selection = (resource: Resource): RawBuilder<unknown> => {
  let columns = selections.get(resource);
  if (!columns) {
    columns = sql.raw(columnsOf(resource).map((column) => pg.escapeIdentifier(column)).join(', '));
    selections.set(resource, columns);
  }
  return columns;
};

interface Sort {
  column: string;
  descending: boolean;
  /** The column may hold NULL (as the API schema says), which then sorts last either way. */
  nullable: boolean;
}

function parseSort(resource: Resource, sort: string | undefined): Sort {
  const value = sort ?? resource.defaultSort;
  const column = value.replace(/^-/, '');
  if (!resource.sortable.includes(column)) {
    throw new BadRequestError(`Cannot sort by "${column}"; use one of: ${resource.sortable.join(', ')}`);
  }
  const nullable = resource.entity.shape[column]?.safeParse(null).success ?? true;
  return { column, descending: value.startsWith('-'), nullable };
}

function decodeCursor(cursor: string): Cursor {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Cursor;
    if (typeof parsed.id !== 'string' || !('v' in parsed)) throw new Error('shape');
    return parsed;
  } catch {
    throw new BadRequestError('The cursor is not valid; start again without one');
  }
}

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString('base64url');

/**
 * Keyset pagination that stays correct with NULLs: rows sort by (column NULLS LAST, id), and the
 * next page starts strictly after the last row's (value, id) in that order. A column that is
 * never NULL gets a plain row comparison, which an index on (column, id) answers directly.
 */
function afterCursor({ column, descending, nullable }: Sort, cursor: Cursor): RawBuilder<unknown> {
  const col = sql.ref(column);
  const id = sql.ref('id');
  const cmp = sql.raw(descending ? '<' : '>');
  if (!nullable && cursor.v !== null) {
    return sql`(${col}, ${id}) ${cmp} (${cursor.v}, ${cursor.id})`;
  }
  if (cursor.v === null) {
    return sql`(${col} IS NULL AND ${id} ${cmp} ${cursor.id})`;
  }
  return sql`(${col} ${cmp} ${cursor.v} OR (${col} = ${cursor.v} AND ${id} ${cmp} ${cursor.id}) OR ${col} IS NULL)`;
}

/**
 * Full-text search as people type it: every word must match the start of an indexed word.
 * A query that looks like a phone number is matched on its digits instead.
 */
export function searchQuery(q: string): RawBuilder<unknown> | undefined {
  const digits = q.replace(/\D/g, '');
  if (/^[\d\s()+.-]+$/.test(q) && digits.length >= 7) {
    const variants = [...new Set([digits, digits.slice(-10), digits.slice(-7)])];
    return sql`(${sql.join(
      variants.map((variant) => sql`to_tsquery('simple', ${variant} || ':*')`),
      sql` || `,
    )})`;
  }
  const words = q
    .split(/\s+/)
    .map((word) => word.replace(/[&|!():*'\\<>]/g, ''))
    .filter((word) => /[\p{L}\p{N}]/u.test(word))
    .slice(0, 12);
  if (words.length === 0) return undefined;
  return sql`(${sql.join(
    words.map((word) => sql`to_tsquery('simple', quote_literal(${word}) || ':*')`),
    sql` && `,
  )})`;
}

/**
 * Above this many matches a search is run the plain way; below, the matching ids come from the
 * resource's search function (see migration 007): a rare word is found through the GIN index,
 * a common one by reading rows in the requested order until a page is full.
 */
export const SEARCH_CANDIDATES = 1000;

/**
 * A search's first statement, for a resource with a search function (migrations 014, 019, 020,
 * 025): the function answers the ids of at most SEARCH_CANDIDATES matches the caller may see, or
 * a single NULL when there are more. The ids stay in PostgreSQL, in the transaction setting
 * app.search_ids that the page query reads, in the order the function gave them (WITH
 * ORDINALITY numbers them as they come): hundreds of ids do not travel to the server and back as
 * a parameter. The statement answers whether there were too many.
 */
function searchCandidates(resource: Resource, tsquery: RawBuilder<unknown>): RawBuilder<{ too_many: boolean }> {
  return sql<{ too_many: boolean }>`
    SELECT coalesce(bool_or(id IS NULL), false) AS too_many,
           -- Kept as a column so that the setting is made; the ids themselves are not sent.
           set_config('app.search_ids', coalesce(array_agg(id ORDER BY position) FILTER (WHERE id IS NOT NULL), '{}')::text, true)
             IS NOT NULL AS stored
      FROM ${sql.raw(resource.searchFunction as string)}(${tsquery}, ${SEARCH_CANDIDATES}) WITH ORDINALITY AS candidates (id, position)`;
}

/**
 * The page query's condition on the candidates of searchCandidates: all of them, or a slice
 * (`[1:50]`, `[51:]`). The sub-select makes the array one value of the statement (an InitPlan,
 * parsed once, an index condition on the primary key); written bare, a plan that filtered rows
 * by it would parse the array again for every row it tested (4 s for 700 ids tested against
 * every lead, measured).
 */
const candidates = (slice = '') =>
  sql`id = ANY ((SELECT (current_setting('app.search_ids')::uuid[])${sql.raw(slice)})::uuid[])`;

/**
 * The search condition of a list read on a transaction: the candidates when the search function
 * found them, else the match itself (read in the list's order until a page is full).
 */
async function searchCondition(tx: Db, resource: Resource, q: string): Promise<ListSearch | undefined> {
  const tsquery = searchQuery(q);
  if (!tsquery) return undefined;
  if (resource.searchFunction) {
    const { rows } = await searchCandidates(resource, tsquery).execute(tx);
    if (!rows[0]?.too_many) return { candidates: true };
  }
  return { candidates: false, condition: sql`search @@ ${tsquery}` };
}

/** A list's search: the candidates of searchCandidates, or a condition read row by row. */
type ListSearch = { candidates: true } | { candidates: false; condition: RawBuilder<unknown> };

/** The list's conditions that need no database work: trash, filters and date ranges. */
function filterConditions(resource: Resource, query: ListQuery): RawBuilder<unknown>[] {
  const where: RawBuilder<unknown>[] = [];
  if (resource.softDelete) {
    const deleted = query.deleted ?? 'exclude';
    if (deleted === 'exclude') where.push(sql`deleted_at IS NULL`);
    if (deleted === 'only') where.push(sql`deleted_at IS NOT NULL`);
  }
  for (const [column, values] of Object.entries(query.filters)) {
    const kind = resource.filters[column];
    if (!kind || values.length === 0) continue;
    const present = values.filter((value) => value !== 'null');
    const parts: RawBuilder<unknown>[] = [];
    if (present.length < values.length) parts.push(sql`${sql.ref(column)} IS NULL`);
    if (present.length === 1) {
      // `=` rather than `= ANY`: PostgreSQL 15 reads an index in order only for plain equality.
      const cast = sql.raw(kind === 'uuid' ? 'uuid' : kind === 'boolean' ? 'boolean' : 'text');
      parts.push(sql`${sql.ref(column)} = ${present[0]}::${cast}`);
    } else if (present.length > 1) {
      const cast = sql.raw(kind === 'uuid' ? 'uuid[]' : kind === 'boolean' ? 'boolean[]' : 'text[]');
      parts.push(sql`${sql.ref(column)} = ANY (${present}::${cast})`);
    }
    where.push(sql`(${sql.join(parts, sql` OR `)})`);
  }
  for (const [column, { from, to }] of Object.entries(query.ranges)) {
    if (!resource.dateFilters.includes(column)) continue;
    if (from) where.push(sql`${sql.ref(column)} >= ${from}`);
    if (to) where.push(sql`${sql.ref(column)} < ${to}`);
  }
  return where;
}

/** Whether a list needs the database before its page query (full-text search finds candidates first). */
const listNeedsSearch = (resource: Resource, query: ListQuery) => Boolean(query.q && resource.searchable);

/**
 * The page query of a list and how its rows become a page. `search` is the search computed
 * beforehand, so a list without search is one statement (readAsActor).
 */
function listPage(resource: Resource, query: ListQuery, search?: ListSearch) {
  const sort = parseSort(resource, query.sort);
  const { column, descending } = sort;
  const where = filterConditions(resource, query);
  if (query.cursor) where.push(afterCursor(sort, decodeCursor(query.cursor)));
  const direction = sql.raw(descending ? 'DESC' : 'ASC');
  // NULLS LAST only where NULLs exist (ASC puts them last anyway): on a NOT NULL column the
  // order then matches its (column, id) index, which PostgreSQL reads backwards and stops early.
  const nulls = sql.raw(sort.nullable && descending ? ' NULLS LAST' : '');
  const rows = (...conditions: RawBuilder<unknown>[]) => {
    const all = [...where, ...conditions];
    return sql`SELECT ${selection(resource)} FROM ${sql.table(resource.name)}
      ${all.length ? sql`WHERE ${sql.join(all, sql` AND `)}` : sql``}`;
  };
  const size = query.limit + 1;
  const order = sql`ORDER BY ${sql.ref(column)} ${direction}${nulls}, id ${direction} LIMIT ${size}`;
  return {
    query: !search
      ? sql<Row>`${rows()} ${order}`
      : !search.candidates
        ? sql<Row>`${rows(search.condition)} ${order}`
        : candidatesPage(resource, query, rows, order, size),
    page(rows: Row[]): Page {
      const hasMore = rows.length > query.limit;
      const data = hasMore ? rows.slice(0, query.limit) : rows;
      const last = data.at(-1);
      return {
        data,
        next_cursor: hasMore && last ? encodeCursor({ v: last[column] ?? null, id: String(last.id) }) : null,
      };
    },
  };
}

/**
 * A page of search candidates (at most SEARCH_CANDIDATES), each fetched by id, then sorted. The
 * subqueries (OFFSET 0 keeps them apart) stop the planner from walking the sort column's index in
 * order and testing each entry against the ids, which PostgreSQL 18 chose for 349 ids and which
 * reads the whole index when the candidates are old rows.
 *
 * When the list is in the order the search function gave the candidates (leads newest first),
 * the first page's rows are among the first candidates: if the first 2 x page size of them hold
 * a full page once the filters and the trash are applied, no later candidate can come before
 * those rows, and the rest is never read (a gating InitPlan skips the second branch). For 700
 * candidates that is 102 reads by id instead of 700 (docs/benchmarks.md, API, session 10). Later
 * pages (a cursor) and other orders read every candidate.
 */
function candidatesPage(
  resource: Resource,
  query: ListQuery,
  rows: (...conditions: RawBuilder<unknown>[]) => RawBuilder<unknown>,
  order: RawBuilder<unknown>,
  size: number,
): RawBuilder<Row> {
  const inOrder = (query.sort ?? resource.defaultSort) === resource.searchFunctionOrder && !query.cursor;
  if (!inOrder) return sql<Row>`SELECT * FROM (${rows(candidates())} OFFSET 0) AS candidates ${order}`;
  const head = 2 * size;
  return sql<Row>`
    WITH head AS MATERIALIZED (SELECT * FROM (${rows(candidates(`[1:${head}]`))} OFFSET 0) AS head ${order})
    SELECT * FROM head
    UNION ALL
    (SELECT * FROM (${rows(candidates(`[${head + 1}:]`))} OFFSET 0) AS tail WHERE (SELECT count(*) FROM head) < ${size} ${order})
    ${order}`;
}

export async function listRecords(tx: Db, resource: Resource, query: ListQuery): Promise<Page> {
  const search = listNeedsSearch(resource, query) ? await searchCondition(tx, resource, query.q as string) : undefined;
  const { query: pageQuery, page } = listPage(resource, query, search);
  const { rows } = await pageQuery.execute(tx);
  return page(rows);
}

/**
 * A list page as the caller, in as few round trips as a list can take (readSeveralAsActor): one
 * for a list without search, and for a search whose candidates the search function finds (the
 * candidates and the page in one pipeline); a search with too many matches takes a second one,
 * for the page read in the list's order.
 */
export async function readListPage(database: Database, actor: Actor, resource: Resource, query: ListQuery): Promise<Page> {
  const tsquery = listNeedsSearch(resource, query) ? searchQuery(query.q as string) : undefined;
  if (!tsquery) {
    const { query: pageQuery, page } = listPage(resource, query);
    return page(await readAsActor(database, actor, pageQuery));
  }
  if (resource.searchFunction) {
    const { query: pageQuery, page } = listPage(resource, query, { candidates: true });
    // Both prepared: their text varies only with the number of words and the list's filters,
    // and a generic plan suits them (a function call; a fetch by id of at most
    // SEARCH_CANDIDATES rows, then a sort), so PostgreSQL skips planning them on every request.
    const [found, rows] = (await readSeveralAsActor(database, actor, [
      { query: searchCandidates(resource, tsquery), prepared: true },
      { query: pageQuery, prepared: true },
    ])) as [{ too_many: boolean }[], Row[]];
    if (!found[0]?.too_many) return page(rows);
  }
  const { query: pageQuery, page } = listPage(resource, query, { candidates: false, condition: sql`search @@ ${tsquery}` });
  return page(await readAsActor(database, actor, pageQuery));
}

/** The same filters as listRecords without paging: for CSV export, streamed in batches. */
export async function* iterateRecords(tx: Db, resource: Resource, query: Omit<ListQuery, 'limit' | 'cursor'>, batch = 1000): AsyncGenerator<Row[]> {
  let cursor: string | undefined;
  do {
    const page = await listRecords(tx, resource, { ...query, limit: batch, cursor });
    if (page.data.length) yield page.data;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}

/** One record by id; row-level security decides whether the caller finds it. */
export const recordById = (resource: Resource, id: string) =>
  sql<Row>`SELECT ${selection(resource)} FROM ${sql.table(resource.name)} WHERE id = ${id}`;

export async function getRecord(tx: Db, resource: Resource, id: string): Promise<Row> {
  const { rows } = await recordById(resource, id).execute(tx);
  return foundRecord(resource, rows[0]);
}

export function foundRecord(resource: Resource, row: Row | undefined): Row {
  if (!row) throw new NotFoundError(resource.label);
  return row;
}

function assertCanWrite(resource: Resource, actor: Actor): void {
  const roles = resource.writeRoles ?? ['admin', 'manager', 'agent'];
  if (!roles.includes(actor.role)) {
    throw new ForbiddenError(`The ${actor.role} role cannot change ${resource.name.replace(/_/g, ' ')}`);
  }
}

function insertValues(values: Row): { columns: RawBuilder<unknown>; values: RawBuilder<unknown> } {
  const entries = Object.entries(values).filter(([, value]) => value !== undefined);
  return {
    columns: sql.join(entries.map(([column]) => sql.ref(column))),
    values: sql.join(entries.map(([, value]) => toSqlValue(value))),
  };
}

// Arrays of text (tags) go as text[]; objects (metadata, extracted_info) as jsonb.
function toSqlValue(value: unknown): RawBuilder<unknown> {
  if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return sql`${value}::text[]`;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    return sql`${JSON.stringify(value)}::jsonb`;
  }
  return sql`${value}`;
}

export async function createRecord(tx: Db, resource: Resource, actor: Actor, input: Row): Promise<Row> {
  assertCanWrite(resource, actor);
  let values: Row = { ...input };
  if (resource.ownerColumn && !(resource.ownerColumn in values)) values[resource.ownerColumn] = actor.userId;
  if (resource.stampsCreator) values.created_by = actor.userId;
  if (resource.prepare) values = await resource.prepare(values, { tx, actor });
  const { columns, values: params } = insertValues(values);
  const { rows } = await sql<Row>`
    INSERT INTO ${sql.table(resource.name)} (${columns}) VALUES (${params})
    RETURNING ${selection(resource)}`.execute(tx);
  return rows[0] as Row;
}

export async function updateRecord(tx: Db, resource: Resource, actor: Actor, id: string, input: Row): Promise<Row> {
  assertCanWrite(resource, actor);
  let values: Row = Object.fromEntries(Object.entries(input).filter(([, value]) => value !== undefined));
  if (resource.prepare) values = await resource.prepare(values, { tx, actor, existing: await getRecord(tx, resource, id) });
  if (Object.keys(values).length === 0) return getRecord(tx, resource, id);
  const assignments = sql.join(
    Object.entries(values).map(([column, value]) => sql`${sql.ref(column)} = ${toSqlValue(value)}`),
  );
  const { rows } = await sql<Row>`
    UPDATE ${sql.table(resource.name)} SET ${assignments}
    WHERE id = ${id} ${resource.softDelete ? sql`AND deleted_at IS NULL` : sql``}
    RETURNING ${selection(resource)}`.execute(tx);
  if (!rows[0]) throw new NotFoundError(resource.label);
  return rows[0];
}

export async function deleteRecord(tx: Db, resource: Resource, actor: Actor, id: string): Promise<void> {
  assertCanWrite(resource, actor);
  const { rows } = resource.softDelete
    ? await sql`UPDATE ${sql.table(resource.name)} SET deleted_at = now() WHERE id = ${id} AND deleted_at IS NULL RETURNING id`.execute(tx)
    : await sql`DELETE FROM ${sql.table(resource.name)} WHERE id = ${id} RETURNING id`.execute(tx);
  if (rows.length === 0) throw new NotFoundError(resource.label);
}

export async function restoreRecord(tx: Db, resource: Resource, actor: Actor, id: string): Promise<Row> {
  assertCanWrite(resource, actor);
  const { rows } = await sql<Row>`
    UPDATE ${sql.table(resource.name)} SET deleted_at = NULL WHERE id = ${id} AND deleted_at IS NOT NULL
    RETURNING ${selection(resource)}`.execute(tx);
  if (!rows[0]) throw new NotFoundError(`Deleted ${resource.label.toLowerCase()}`);
  return rows[0];
}
