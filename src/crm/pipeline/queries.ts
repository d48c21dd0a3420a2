import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

export async function nextStagePosition(tx: Db): Promise<number> {
  const { rows } = await sql<{ next: number }>`
    SELECT coalesce(max(order_position), 0) + 1 AS next FROM pipeline_stages`.execute(tx);
  return rows[0]?.next ?? 1;
}

/** Every stage id, locked so that a concurrent reorder or insert waits for this one. */
export async function lockStageIds(tx: Db): Promise<string[]> {
  const { rows } = await sql<{ id: string }>`SELECT id FROM pipeline_stages ORDER BY order_position, id FOR UPDATE`.execute(tx);
  return rows.map((row) => row.id);
}

/** Positions 1..n in the order given, in one statement. */
export async function setStagePositions(tx: Db, ids: string[]): Promise<void> {
  await sql`
    UPDATE pipeline_stages s SET order_position = o.position
      FROM unnest(${ids}::uuid[]) WITH ORDINALITY AS o(id, position)
     WHERE s.id = o.id AND s.order_position IS DISTINCT FROM o.position`.execute(tx);
}
