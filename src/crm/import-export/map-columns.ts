import { BadRequestError } from '../../server/errors.js';
import { parseCell, type FieldKind } from './csv-cells.js';

/** "E-mail Address " -> "e_mail_address": how headers, aliases and field names are compared. */
export function normaliseHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
}

const FIRST_NAME = new Set(['first_name', 'firstname', 'first', 'given_name', 'forename']);
const LAST_NAME = new Set(['last_name', 'lastname', 'last', 'surname', 'family_name']);

export interface ColumnPlanOptions {
  /** Writable fields and how to read them. */
  fields: Record<string, FieldKind>;
  /** normalised header -> field, for the names other tools export. */
  aliases: Record<string, string>;
  /** Columns read only to recognise an existing record ("id" of an export). */
  matchColumns?: string[];
  /** The field that "First Name" + "Last Name" columns fill together. */
  nameField?: string;
  /** CSV header -> field; an empty field ignores the column. Wins over the automatic mapping. */
  mapping?: Record<string, string>;
}

export interface ColumnPlan {
  /** Every header in file order with the field it feeds (null: ignored). */
  columns: { header: string; field: string | null }[];
  /** field -> column indexes; the first non-empty cell of a row wins ("Phone", then "Mobile"). */
  sources: Map<string, number[]>;
  /** Column indexes joined with a space into the name field. */
  nameParts: number[];
  ignored: string[];
}

/** Decides which column feeds which field. Throws a BadRequestError for a mapping that cannot apply. */
export function planColumns(headers: string[], options: ColumnPlanOptions): ColumnPlan {
  const known = new Set([...Object.keys(options.fields), ...(options.matchColumns ?? [])]);
  const assigned: (string | null | undefined)[] = headers.map(() => undefined);

  for (const [header, field] of Object.entries(options.mapping ?? {})) {
    let index = headers.indexOf(header);
    if (index < 0) index = headers.findIndex((h) => normaliseHeader(h) === normaliseHeader(header));
    if (index < 0) throw new BadRequestError(`The mapping names a column the file does not have: "${header}"`);
    if (field !== '' && !known.has(field)) {
      throw new BadRequestError(`The mapping sends "${header}" to "${field}", which is not a field you can import`, {
        fields: [...known].sort(),
      });
    }
    assigned[index] = field === '' ? null : field;
  }

  headers.forEach((header, index) => {
    if (assigned[index] !== undefined) return;
    const key = normaliseHeader(header);
    const field = known.has(key) ? key : options.aliases[key];
    assigned[index] = field && known.has(field) ? field : null;
  });

  const sources = new Map<string, number[]>();
  // Explicitly mapped columns come first, then the file's order.
  const order = [
    ...headers.flatMap((header, index) => (options.mapping && header in options.mapping ? [index] : [])),
    ...headers.map((_, index) => index),
  ];
  for (const index of new Set(order)) {
    const field = assigned[index];
    if (!field) continue;
    sources.set(field, [...(sources.get(field) ?? []), index]);
  }

  const nameParts: number[] = [];
  if (options.nameField && !sources.has(options.nameField)) {
    const first = headers.findIndex((h, i) => assigned[i] === null && FIRST_NAME.has(normaliseHeader(h)));
    const last = headers.findIndex((h, i) => assigned[i] === null && LAST_NAME.has(normaliseHeader(h)));
    for (const index of [first, last]) {
      if (index >= 0) {
        nameParts.push(index);
        assigned[index] = options.nameField;
      }
    }
  }

  const columns = headers.map((header, index) => ({ header, field: assigned[index] ?? null }));
  if (sources.size === 0 && nameParts.length === 0) {
    throw new BadRequestError('No column of the file matches a field you can import; map them with "mapping"', {
      headers,
      fields: [...known].sort(),
    });
  }
  return { columns, sources, nameParts, ignored: columns.filter((c) => c.field === null).map((c) => c.header) };
}

export interface CellError {
  field: string;
  message: string;
}

/** The values one CSV record gives, by field; cells that cannot be read become errors. */
export function readRecord(
  record: string[],
  plan: ColumnPlan,
  fields: Record<string, FieldKind>,
  nameField?: string,
): { values: Record<string, unknown>; errors: CellError[] } {
  const values: Record<string, unknown> = {};
  const errors: CellError[] = [];
  for (const [field, indexes] of plan.sources) {
    const kind: FieldKind = fields[field] ?? { type: 'text' };
    for (const index of indexes) {
      const cell = parseCell(record[index] ?? '', kind);
      if (!cell) continue;
      if ('error' in cell) errors.push({ field, message: cell.error });
      else values[field] = cell.value;
      break;
    }
  }
  if (nameField && plan.nameParts.length) {
    const name = plan.nameParts
      .map((index) => (record[index] ?? '').trim())
      .filter(Boolean)
      .join(' ');
    if (name) values[nameField] = name;
  }
  return { values, errors };
}
