import { sql, type RawBuilder } from 'kysely';
import type { z } from 'zod';
import type { Db } from '../../db/database.js';
import { leadSchema } from './lead-resource.js';

/**
 * The lead use cases' data access. Every query runs on the request's transaction as clara_app,
 * so row-level security decides which leads (and which of their children) a caller reaches.
 */

export type Lead = z.infer<typeof leadSchema>;

const LEAD_COLUMNS = Object.keys(leadSchema.shape);
const JSONB_COLUMNS = new Set(['score_breakdown', 'extracted_info']);
const TEXT_ARRAY_COLUMNS = new Set(['tags']);

const leadSelection = (alias?: string) =>
  sql.join(LEAD_COLUMNS.map((column) => sql.ref(alias ? `${alias}.${column}` : column)));

function columnValue(column: string, value: unknown): RawBuilder<unknown> {
  if (value === null) return sql`NULL`;
  if (JSONB_COLUMNS.has(column)) return sql`${JSON.stringify(value)}::jsonb`;
  if (TEXT_ARRAY_COLUMNS.has(column)) return sql`${value}::text[]`;
  return sql`${value}`;
}

/**
 * Locks the live (not deleted) leads among `ids` that the caller may change. FOR UPDATE under
 * RLS only returns rows that pass the UPDATE policy too, and it serialises concurrent use cases
 * on the same leads (a second convert waits, then sees converted_at).
 */
export async function lockLiveLeads(tx: Db, ids: readonly string[]): Promise<Lead[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<Lead>`
    SELECT ${leadSelection()} FROM leads
     WHERE id = ANY (${ids}::uuid[]) AND deleted_at IS NULL
     ORDER BY id
       FOR UPDATE`.execute(tx);
  return rows;
}

export async function selectLeads(tx: Db, ids: readonly string[]): Promise<Lead[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql<Lead>`
    SELECT ${leadSelection()} FROM leads WHERE id = ANY (${ids}::uuid[])`.execute(tx);
  return rows;
}

/** Sets columns of one lead and returns it; `now` columns take the transaction's timestamp. */
export async function updateLead(
  tx: Db,
  id: string,
  changes: Partial<Lead>,
  now: readonly (keyof Lead)[] = [],
): Promise<Lead> {
  const assignments = [
    ...Object.entries(changes).map(([column, value]) => sql`${sql.ref(column)} = ${columnValue(column, value)}`),
    ...now.map((column) => sql`${sql.ref(column)} = now()`),
  ];
  if (assignments.length === 0) {
    const [lead] = await selectLeads(tx, [id]);
    if (!lead) throw new Error(`updateLead: lead ${id} vanished inside its transaction`);
    return lead;
  }
  const { rows } = await sql<Lead>`
    UPDATE leads SET ${sql.join(assignments)} WHERE id = ${id}
    RETURNING ${leadSelection()}`.execute(tx);
  const lead = rows[0];
  if (!lead) throw new Error(`updateLead: lead ${id} vanished inside its transaction`);
  return lead;
}

export interface UserBrief {
  id: string;
  role: string;
  is_active: boolean;
  is_ai: boolean;
  is_service: boolean;
}

export async function findUser(tx: Db, id: string): Promise<UserBrief | undefined> {
  return tx
    .selectFrom('users')
    .select(['id', 'role', 'is_active', 'is_ai', 'is_service'])
    .where('id', '=', id)
    .executeTakeFirst();
}

/** Unassigned leads and leads of an AI user form the shared pool any agent may take. */
export async function isPoolOwner(tx: Db, agentId: string | null): Promise<boolean> {
  if (agentId === null) return true;
  const user = await findUser(tx, agentId);
  return user?.is_ai ?? false;
}

export interface LeadActivity {
  activity_type: string;
  subject: string;
  lead_id: string;
  client_id?: string | null;
  contact_id?: string | null;
  opportunity_id?: string | null;
  created_by: string;
  metadata: Record<string, unknown>;
}

export async function insertActivity(tx: Db, activity: LeadActivity): Promise<void> {
  await tx
    .insertInto('activities')
    .values({ ...activity, metadata: JSON.stringify(activity.metadata) })
    .execute();
}

// ---------------------------------------------------------------------------------------------
// Conversion: clients, contacts, opportunities
// ---------------------------------------------------------------------------------------------

export interface ClientRow {
  id: string;
  client_name: string;
  company_size: number | null;
  industry: string | null;
  website: string | null;
  email: string | null;
  phone: string | null;
  address: string | null;
  city: string | null;
  country: string | null;
  notes: string | null;
  agent_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface ContactRow {
  id: string;
  client_id: string | null;
  full_name: string;
  email: string | null;
  phone: string | null;
  job_title: string | null;
  is_primary: boolean;
  notes: string | null;
  agent_id: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export interface OpportunityRow {
  id: string;
  name: string;
  lead_id: string | null;
  client_id: string | null;
  contact_id: string | null;
  agent_id: string | null;
  pipeline_stage_id: string | null;
  amount: number | null;
  currency: string;
  close_date: string | null;
  probability: number;
  status: string;
  lost_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
  deleted_at: string | null;
}

export async function findLiveClient(tx: Db, id: string): Promise<ClientRow | undefined> {
  return tx.selectFrom('clients').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}

/** A visible client of this name (case-insensitive), preferring one the owner already has. */
export async function findClientByName(tx: Db, name: string, ownerId: string | null): Promise<ClientRow | undefined> {
  const { rows } = await sql<ClientRow>`
    SELECT * FROM clients
     WHERE lower(client_name) = lower(${name}) AND deleted_at IS NULL
     ORDER BY (agent_id IS NOT DISTINCT FROM ${ownerId}::uuid) DESC, created_at, id
     LIMIT 1`.execute(tx);
  return rows[0];
}

export interface NewClient {
  client_name: string;
  industry: string | null;
  city: string | null;
  email: string | null;
  phone: string | null;
  agent_id: string | null;
  created_by: string;
}

export async function insertClient(tx: Db, client: NewClient): Promise<ClientRow> {
  return tx.insertInto('clients').values(client).returningAll().executeTakeFirstOrThrow();
}

/** A live contact of the client with this email (or, without one, this phone). */
export async function findClientContact(
  tx: Db,
  clientId: string,
  by: { email: string | null; phone: string | null },
): Promise<ContactRow | undefined> {
  if (!by.email && !by.phone) return undefined;
  const match = by.email ? sql`lower(email) = lower(${by.email})` : sql`phone = ${by.phone}`;
  const { rows } = await sql<ContactRow>`
    SELECT * FROM contacts
     WHERE client_id = ${clientId} AND deleted_at IS NULL AND ${match}
     ORDER BY created_at, id
     LIMIT 1`.execute(tx);
  return rows[0];
}

export interface NewContact {
  client_id: string;
  full_name: string;
  email: string | null;
  phone: string | null;
  agent_id: string | null;
  created_by: string;
}

/** The client's first live contact becomes its primary one. */
export async function insertContact(tx: Db, contact: NewContact): Promise<ContactRow> {
  const { rows } = await sql<ContactRow>`
    INSERT INTO contacts (client_id, full_name, email, phone, agent_id, created_by, is_primary)
    VALUES (${contact.client_id}, ${contact.full_name}, ${contact.email}, ${contact.phone}, ${contact.agent_id},
            ${contact.created_by},
            NOT EXISTS (SELECT 1 FROM contacts WHERE client_id = ${contact.client_id} AND deleted_at IS NULL))
    RETURNING *`.execute(tx);
  return rows[0] as ContactRow;
}

export interface StageBrief {
  id: string;
  win_probability: number;
  is_won: boolean;
  is_lost: boolean;
}

export async function findStage(tx: Db, id: string): Promise<StageBrief | undefined> {
  return tx
    .selectFrom('pipeline_stages')
    .select(['id', 'win_probability', 'is_won', 'is_lost'])
    .where('id', '=', id)
    .executeTakeFirst();
}

export interface NewOpportunity {
  name: string;
  lead_id: string;
  client_id: string;
  contact_id: string | null;
  agent_id: string | null;
  pipeline_stage_id: string | null;
  amount: number | null;
  currency: string;
  close_date: string | null;
  probability: number;
  status: 'open' | 'won' | 'lost';
  created_by: string;
}

export async function insertOpportunity(tx: Db, opportunity: NewOpportunity): Promise<OpportunityRow> {
  return tx.insertInto('opportunities').values(opportunity).returningAll().executeTakeFirstOrThrow();
}

// ---------------------------------------------------------------------------------------------
// Duplicates and merging
// ---------------------------------------------------------------------------------------------

export type DuplicateKey = 'email' | 'phone';

export interface DuplicateGroupIds {
  key: DuplicateKey;
  value: string;
  count: number;
  ids: string[];
}

/**
 * Live visible leads sharing an email or a phone (both stored normalised, so equality is
 * enough), in (key, value) order for keyset paging. `perGroup` caps the ids listed per group.
 */
export async function findDuplicateGroups(
  tx: Db,
  options: { limit: number; after?: { key: DuplicateKey; value: string }; perGroup: number },
): Promise<DuplicateGroupIds[]> {
  const after = options.after ? sql`WHERE (key, value) > (${options.after.key}, ${options.after.value})` : sql``;
  const { rows } = await sql<DuplicateGroupIds>`
    WITH keyed AS (
      SELECT 'email' AS key, email AS value, id, created_at FROM leads WHERE deleted_at IS NULL AND email IS NOT NULL
      UNION ALL
      SELECT 'phone' AS key, phone AS value, id, created_at FROM leads WHERE deleted_at IS NULL AND phone IS NOT NULL
    )
    SELECT key, value, count(*)::int AS count,
           (array_agg(id ORDER BY created_at, id))[1:${options.perGroup}]::text[] AS ids
      FROM keyed ${after}
     GROUP BY key, value
    HAVING count(*) > 1
     ORDER BY key, value
     LIMIT ${options.limit}`.execute(tx);
  return rows;
}

/** Every table whose rows hang on a lead through lead_id, as the merge report names them. */
export const LEAD_CHILD_TABLES = [
  'calls',
  'activities',
  'notes',
  'follow_ups',
  'meetings',
  'todos',
  'opportunities',
  'conversations',
] as const;
export type LeadChildTable = (typeof LEAD_CHILD_TABLES)[number];

/** Re-points every child row (trashed ones too, so the history stays whole) to `toId`. */
export async function moveLeadChildren(
  tx: Db,
  fromIds: readonly string[],
  toId: string,
): Promise<Record<LeadChildTable, number>> {
  const moved = {} as Record<LeadChildTable, number>;
  for (const table of LEAD_CHILD_TABLES) {
    const result = await sql`
      UPDATE ${sql.table(table)} SET lead_id = ${toId} WHERE lead_id = ANY (${fromIds}::uuid[])`.execute(tx);
    moved[table] = Number(result.numAffectedRows ?? 0n);
  }
  return moved;
}

export async function markLeadsMerged(tx: Db, ids: readonly string[], intoId: string): Promise<void> {
  await sql`
    UPDATE leads SET deleted_at = now(), merged_into_id = ${intoId}
     WHERE id = ANY (${ids}::uuid[])`.execute(tx);
}

// ---------------------------------------------------------------------------------------------
// Bulk changes
// ---------------------------------------------------------------------------------------------

/** Locks the visible leads among `ids` in the given trash state; returns their ids. */
export async function lockLeadIds(tx: Db, ids: readonly string[], state: 'live' | 'trashed'): Promise<string[]> {
  const inState = state === 'live' ? sql`deleted_at IS NULL` : sql`deleted_at IS NOT NULL`;
  const { rows } = await sql<{ id: string }>`
    SELECT id FROM leads WHERE id = ANY (${ids}::uuid[]) AND ${inState} ORDER BY id FOR UPDATE`.execute(tx);
  return rows.map((row) => row.id);
}

export type BulkChange =
  | { action: 'assign'; agentId: string | null }
  | { action: 'move_stage'; stageId: string }
  | { action: 'delete' }
  | { action: 'restore' }
  | { action: 'add_tags'; tags: string[] };

/** Applies one change to the given (already locked) leads, skipping rows it would not change. */
export async function applyBulkChange(tx: Db, ids: readonly string[], change: BulkChange): Promise<void> {
  if (ids.length === 0) return;
  const target = sql`id = ANY (${ids}::uuid[])`;
  switch (change.action) {
    case 'assign':
      await sql`UPDATE leads SET agent_id = ${change.agentId}
                 WHERE ${target} AND agent_id IS DISTINCT FROM ${change.agentId}::uuid`.execute(tx);
      return;
    case 'move_stage':
      await sql`UPDATE leads SET pipeline_stage_id = ${change.stageId}
                 WHERE ${target} AND pipeline_stage_id IS DISTINCT FROM ${change.stageId}::uuid`.execute(tx);
      return;
    case 'delete':
      await sql`UPDATE leads SET deleted_at = now() WHERE ${target} AND deleted_at IS NULL`.execute(tx);
      return;
    case 'restore':
      await sql`UPDATE leads SET deleted_at = NULL WHERE ${target} AND deleted_at IS NOT NULL`.execute(tx);
      return;
    case 'add_tags':
      // Appends the tags a lead lacks, in the order given, so existing tag order is kept.
      await sql`
        UPDATE leads
           SET tags = leads.tags || ARRAY(
                 SELECT tag FROM unnest(${change.tags}::text[]) WITH ORDINALITY AS given(tag, position)
                  WHERE tag <> ALL (leads.tags) ORDER BY position)
         WHERE ${target} AND NOT (leads.tags @> ${change.tags}::text[])`.execute(tx);
      return;
  }
}
