import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { withActor } from '../../db/with-actor.js';
import { iterateRecords, type ListQuery } from '../records/queries.js';
import { listQuerySchema, toListQuery } from '../records/routes.js';
import type { Resource } from '../records/resource.js';
import { toCsvCell } from './csv-cells.js';

export type ExportQuery = Omit<ListQuery, 'limit' | 'cursor'>;

/** The list filters of a resource, without paging: an export is every matching record. */
export function exportQuerySchema(resource: Resource) {
  return listQuerySchema(resource).omit({ limit: true, cursor: true });
}

export function toExportQuery(resource: Resource, raw: Record<string, unknown>): ExportQuery {
  const { limit: _limit, cursor: _cursor, ...query } = toListQuery(resource, raw);
  return query;
}

/** Writes, waiting while the reader is behind; fails if the reader went away (a closed download). */
async function write(output: Writable, chunk: string): Promise<void> {
  if (output.destroyed || output.writableEnded) throw new Error('The export was cancelled');
  if (output.write(chunk)) return;
  await new Promise<void>((resolve, reject) => {
    const done = () => {
      cleanup();
      resolve();
    };
    const fail = () => {
      cleanup();
      reject(new Error('The export was cancelled'));
    };
    const cleanup = () => {
      output.off('drain', done);
      output.off('close', fail);
      output.off('error', fail);
    };
    output.once('drain', done);
    output.once('close', fail);
    output.once('error', fail);
  });
}

/**
 * Streams the records the actor can see that match a list query, as CSV: a header row of the
 * entity's columns, then one row per record, read in keyset pages so memory stays flat.
 * Starts with a UTF-8 byte order mark so that Excel shows accented names correctly.
 * Does not end `output`: the caller decides (stdout must stay open).
 */
export async function exportCsv(db: Db, actor: Actor, resource: Resource, query: ExportQuery, output: Writable): Promise<{ rows: number }> {
  const columns = Object.keys(resource.entity.shape);
  await write(output, `\uFEFF${stringify([columns])}`);
  return withActor(db, actor, async (tx) => {
    let rows = 0;
    for await (const batch of iterateRecords(tx, resource, query)) {
      await write(output, stringify(batch.map((record) => columns.map((column) => toCsvCell(record[column])))));
      rows += batch.length;
    }
    return { rows };
  });
}
