import type { z } from 'zod';

/** How a CSV cell becomes a value the resource's zod schema accepts, read off that schema. */
export type FieldKind =
  | { type: 'text'; format?: string }
  | { type: 'enum'; options: readonly string[] }
  | { type: 'number' }
  | { type: 'boolean' }
  | { type: 'list' }
  | { type: 'json' };

interface Introspectable {
  def: { type: string; innerType?: Introspectable; in?: Introspectable; format?: string; entries?: Record<string, string> };
}

/** The kind of each field of a (partial, strict) object schema, seen through optional/nullable/default. */
export function fieldKinds(schema: z.ZodObject): Record<string, FieldKind> {
  const kinds: Record<string, FieldKind> = {};
  for (const [field, type] of Object.entries(schema.shape)) {
    let inner = type as unknown as Introspectable;
    while (inner.def.innerType || (inner.def.type === 'pipe' && inner.def.in)) {
      inner = (inner.def.innerType ?? inner.def.in) as Introspectable;
    }
    const { def } = inner;
    kinds[field] =
      def.type === 'number' || def.type === 'int' || def.type === 'bigint'
        ? { type: 'number' }
        : def.type === 'boolean'
          ? { type: 'boolean' }
          : def.type === 'array' || def.type === 'set'
            ? { type: 'list' }
            : def.type === 'record' || def.type === 'object'
              ? { type: 'json' }
              : def.type === 'enum'
                ? { type: 'enum', options: Object.values(def.entries ?? {}) }
                : { type: 'text', ...(def.format ? { format: def.format } : {}) };
  }
  return kinds;
}

// OWASP "CSV injection": a cell starting with one of these is run as a formula by spreadsheets.
const FORMULA_START = /^[=+\-@\t\r]/;
// A cell made only of digits and phone punctuation cannot call anything: "+1 415 555 0123" and
// "-12.5" stay readable instead of turning into "'+1 415 555 0123".
const PLAIN_NUMBER = /^[+-]?[\d\s().-]*\d[\d\s().-]*$/;

/** Prefixes a quote to text a spreadsheet would otherwise evaluate. */
export function escapeFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** Undoes escapeFormula so that an exported file imports back to the same values. */
export function unescapeFormula(text: string): string {
  return text.startsWith("'") && FORMULA_START.test(text.slice(1)) ? text.slice(1) : text;
}

/** One exported cell: lists as "a; b", objects as JSON, nothing as an empty cell. */
export function toCsvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return '';
    const text = value.every((item) => typeof item === 'string') ? value.join('; ') : JSON.stringify(value);
    return escapeFormula(text);
  }
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') return escapeFormula(JSON.stringify(value));
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return escapeFormula(String(value));
}

const TRUE = new Set(['true', 'yes', 'y', '1', 'x', 'on', 'checked']);
const FALSE = new Set(['false', 'no', 'n', '0', 'off', 'unchecked']);
const GROUPED = /^\d{1,3}(,\d{3})+(\.\d+)?$/;
const PLAIN = /^(\d+\.?\d*|\.\d+)$/;

/** "1,200.50", "$1,200", "€ 300", "12.5%" -> a number; anything else is not one. */
export function parseNumber(text: string): number | undefined {
  let body = text.replace(/[\s\u00a0]/g, '').replace(/^[$€£¥₹]|[$€£¥₹%]$/g, '');
  let sign = 1;
  if (/^-/.test(body) || /^\(.*\)$/.test(body)) {
    sign = -1;
    body = body.replace(/^-|^\(|\)$/g, '');
  }
  body = body.replace(/^[$€£¥₹]/, '');
  if (GROUPED.test(body)) body = body.replace(/,/g, '');
  if (!PLAIN.test(body)) return undefined;
  return sign * Number(body);
}

export type Cell = { value: unknown } | { error: string };

/**
 * One CSV cell as a value for its field. An empty cell is undefined: "not provided", so that an
 * import never blanks a field it has no value for.
 */
export function parseCell(raw: string, kind: FieldKind): Cell | undefined {
  const text = unescapeFormula(raw.trim());
  if (text === '') return undefined;
  switch (kind.type) {
    case 'number': {
      const value = parseNumber(text);
      return value === undefined ? { error: `"${text}" is not a number` } : { value };
    }
    case 'boolean': {
      const lower = text.toLowerCase();
      if (TRUE.has(lower)) return { value: true };
      if (FALSE.has(lower)) return { value: false };
      return { error: `"${text}" is not yes or no` };
    }
    case 'list':
      // "a;b" is the export's form; "a, b" is what people type.
      return { value: [...new Set(text.split(text.includes(';') ? ';' : ',').map((item) => item.trim()).filter(Boolean))] };
    case 'json':
      try {
        const value: unknown = JSON.parse(text);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) return { error: 'must be a JSON object' };
        return { value };
      } catch {
        return { error: 'is not valid JSON' };
      }
    case 'enum': {
      // "Decision Maker" or "decision-maker" means decision_maker.
      const wanted = text.toLowerCase().replace(/[\s-]+/g, '_');
      return { value: kind.options.find((option) => option.toLowerCase() === wanted) ?? text };
    }
    case 'text':
      return { value: kind.format === 'datetime' ? toInstant(text) : kind.format === 'date' ? toDate(text) : text };
  }
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})$/;

/** Timestamps without an offset ("2026-03-01", "2026-03-01 14:00") are read as UTC. */
function toInstant(text: string): string {
  if (ISO_INSTANT.test(text)) return text;
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?$/.exec(text);
  if (!match) return text;
  const instant = new Date(`${match[1]}T${match[2] ?? '00:00'}Z`);
  return Number.isNaN(instant.getTime()) ? text : instant.toISOString();
}

function toDate(text: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$/.exec(text);
  return match?.[1] ?? text;
}
