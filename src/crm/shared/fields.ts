import { z } from 'zod';
import { BadRequestError } from '../../server/errors.js';
import type { Row } from '../records/resource.js';

/** Field schemas the CRM resources share, so that the same column validates the same everywhere. */
export const text = (max = 2000) => z.string().trim().max(max);
export const requiredText = (max: number) => z.string().trim().min(1, 'Must not be empty').max(max);
export const dateOnly = z.iso.date();
export const instant = z.iso.datetime({ offset: true });
export const currency = z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as USD');
export const money = z.number().nonnegative().max(999_999_999_999);
export const percent = z.number().int().min(0).max(100);
export const jsonObject = z.record(z.string(), z.unknown());
// Links a person may click: only http(s), never javascript: or data:.
export const webUrl = z.url({ protocol: /^https?$/, message: 'An http(s) URL' }).max(2000);

/** Read-only columns every CRM record returns. */
export const uuid = z.uuid();
export const timestamp = z.string().describe('ISO 8601');

/**
 * The value a column will have after a create or an update: the new one when given, else the
 * stored one. Lets a PATCH of one end of a range be checked against the other end.
 */
export function effective(values: Row, existing: Row | undefined, column: string): unknown {
  return column in values ? values[column] : existing?.[column];
}

/** A 400 with a clear message instead of a 422 from the table's CHECK. */
export function assertOrdered(
  values: Row,
  existing: Row | undefined,
  { start, end, allowEqual }: { start: string; end: string; allowEqual: boolean },
): void {
  const from = effective(values, existing, start);
  const to = effective(values, existing, end);
  if (typeof from !== 'string' || typeof to !== 'string') return;
  const difference = Date.parse(to) - Date.parse(from);
  if (difference < 0 || (!allowEqual && difference === 0)) {
    throw new BadRequestError(`${end} must be ${allowEqual ? 'at or ' : ''}after ${start}`);
  }
}

/** For create schemas: the same rule as assertOrdered, as a zod refinement with a path. */
export function ordered(start: string, end: string, allowEqual: boolean) {
  return {
    check: (value: Record<string, unknown>) => {
      const from = value[start];
      const to = value[end];
      if (typeof from !== 'string' || typeof to !== 'string') return true;
      const difference = Date.parse(to) - Date.parse(from);
      return allowEqual ? difference >= 0 : difference > 0;
    },
    params: { message: `${end} must be ${allowEqual ? 'at or ' : ''}after ${start}`, path: [end] },
  };
}

/**
 * Keeps completed_at true to the status: stamped when a record becomes `done`, cleared when it
 * is reopened, unless the caller gives it. Shared by follow-ups and todos.
 */
export function stampCompletion(values: Row, existing: Row | undefined, doneStatus: string): Row {
  if (!('status' in values) || 'completed_at' in values) return values;
  const wasDone = existing?.status === doneStatus;
  const isDone = values.status === doneStatus;
  if (isDone && !wasDone) return { ...values, completed_at: new Date().toISOString() };
  if (!isDone && wasDone) return { ...values, completed_at: null };
  return values;
}

/** A list page of one resource's records, typed for a route's response schema. */
export interface PageOf<T> {
  data: T[];
  next_cursor: string | null;
}
