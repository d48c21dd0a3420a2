import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { UnprocessableError } from '../../server/errors.js';
import type { Row } from '../records/resource.js';

/** The record a reference column points at: its table and a human name for messages. */
export interface ReferenceTarget {
  table: string;
  label: string;
}

/**
 * Tells the caller which reference is wrong before the insert does. Records attached to a parent
 * (notes, activities) are only writable when that parent is visible, so PostgreSQL would answer a
 * missing or hidden parent with a row-level security refusal (403) rather than a foreign-key error;
 * the caller deserves the same 422 invalid_reference either way. The lookup runs as the caller, so
 * row-level security still decides what "visible" means, and a hidden record reads as a missing one.
 */
export async function assertVisibleReferences(tx: Db, values: Row, references: Record<string, ReferenceTarget>): Promise<void> {
  for (const [column, target] of Object.entries(references)) {
    const id = values[column];
    if (typeof id !== 'string') continue;
    const { rows } = await sql`SELECT 1 FROM ${sql.table(target.table)} WHERE id = ${id}`.execute(tx);
    if (rows.length === 0) {
      throw new UnprocessableError('invalid_reference', `${column}: there is no ${target.label.toLowerCase()} ${id} that you can see`);
    }
  }
}

/** Shared reference targets, so every resource names them alike. */
export const REFERENCES = {
  lead: { table: 'leads', label: 'Lead' },
  client: { table: 'clients', label: 'Client' },
  contact: { table: 'contacts', label: 'Contact' },
  opportunity: { table: 'opportunities', label: 'Opportunity' },
  todo: { table: 'todos', label: 'Todo' },
} as const satisfies Record<string, ReferenceTarget>;
