import { sql } from 'kysely';
import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { BadRequestError, NotFoundError } from '../../server/errors.js';
import { leadSchema } from './lead-resource.js';
import { planLeadMerge } from './plan-lead-merge.js';
import {
  LEAD_CHILD_TABLES,
  insertActivity,
  lockLiveLeads,
  markLeadsMerged,
  moveLeadChildren,
  updateLead,
  type LeadChildTable,
} from './queries.js';

export const mergeLeadsInput = z
  .object({
    primary_id: z.uuid(),
    duplicate_ids: z.array(z.uuid()).min(1).max(20),
    dry_run: z.boolean().default(false).describe('Report what the merge would do, and change nothing'),
  })
  .strict()
  .meta({ id: 'LeadMerge' });
export type MergeLeadsInput = z.infer<typeof mergeLeadsInput>;

const count = z.number().int().nonnegative();

export const mergeReportSchema = z
  .object({
    dry_run: z.boolean(),
    primary: leadSchema.describe('The primary lead after the merge (as it would be, on a dry run)'),
    merged_ids: z.array(z.uuid()),
    moved: z
      .object(Object.fromEntries(LEAD_CHILD_TABLES.map((table) => [table, count])) as Record<LeadChildTable, typeof count>)
      .describe('Child records moved from the duplicates to the primary, trashed ones included'),
    filled_fields: z.array(z.string()).describe("The primary's columns the merge changed"),
  })
  .meta({ id: 'LeadMergeReport' });
export type MergeReport = z.infer<typeof mergeReportSchema>;

/**
 * Folds duplicate leads into a primary one: the primary takes what it lacks (see planLeadMerge),
 * every child record moves to it, and the duplicates go to the trash with merged_into_id set.
 *
 * A dry run executes exactly the same statements inside a savepoint and rolls back to it, so its
 * report is the real merge's report by construction and nothing it did survives (triggers,
 * audit rows and change notifications included).
 */
export async function mergeLeads(tx: Db, actor: Actor, input: MergeLeadsInput): Promise<MergeReport> {
  const duplicateIds = [...new Set(input.duplicate_ids)];
  if (duplicateIds.includes(input.primary_id)) {
    throw new BadRequestError('The primary lead cannot also be one of its duplicates');
  }
  const ids = [input.primary_id, ...duplicateIds];
  const leads = await lockLiveLeads(tx, ids);
  const missing = ids.filter((id) => !leads.some((lead) => lead.id === id));
  if (missing.length) {
    throw new NotFoundError(missing.length === 1 ? 'Lead' : 'Leads');
  }
  const primary = leads.find((lead) => lead.id === input.primary_id)!;
  const duplicates = leads.filter((lead) => lead.id !== input.primary_id);

  if (!input.dry_run) return applyMerge(tx, actor, primary.id, duplicateIds, planLeadMerge(primary, duplicates), false);
  await sql`SAVEPOINT merge_dry_run`.execute(tx);
  try {
    return await applyMerge(tx, actor, primary.id, duplicateIds, planLeadMerge(primary, duplicates), true);
  } finally {
    await sql`ROLLBACK TO SAVEPOINT merge_dry_run`.execute(tx);
    await sql`RELEASE SAVEPOINT merge_dry_run`.execute(tx);
  }
}

async function applyMerge(
  tx: Db,
  actor: Actor,
  primaryId: string,
  duplicateIds: string[],
  plan: ReturnType<typeof planLeadMerge>,
  dryRun: boolean,
): Promise<MergeReport> {
  const moved = await moveLeadChildren(tx, duplicateIds, primaryId);
  await markLeadsMerged(tx, duplicateIds, primaryId);
  const merged = await updateLead(tx, primaryId, plan.changes);
  await insertActivity(tx, {
    activity_type: 'leads_merged',
    subject: `Merged ${duplicateIds.length} duplicate lead${duplicateIds.length === 1 ? '' : 's'}`,
    lead_id: primaryId,
    created_by: actor.userId,
    metadata: { merged_ids: duplicateIds, moved, filled_fields: plan.filledFields },
  });
  return { dry_run: dryRun, primary: merged, merged_ids: duplicateIds, moved, filled_fields: plan.filledFields };
}
