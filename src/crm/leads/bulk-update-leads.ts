import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { UnprocessableError } from '../../server/errors.js';
import { applyBulkChange, findStage, findUser, lockLeadIds, type BulkChange } from './queries.js';

const ids = z.array(z.uuid()).min(1).max(500);

export const bulkUpdateLeadsInput = z
  .discriminatedUnion('action', [
    z
      .object({
        ids,
        action: z.literal('assign'),
        agent_id: z.uuid().nullable().describe('The new owner; null returns the leads to the pool'),
      })
      .strict(),
    z.object({ ids, action: z.literal('move_stage'), pipeline_stage_id: z.uuid() }).strict(),
    z.object({ ids, action: z.literal('delete') }).strict(),
    z.object({ ids, action: z.literal('restore') }).strict(),
    z
      .object({ ids, action: z.literal('add_tags'), tags: z.array(z.string().trim().min(1).max(50)).min(1).max(50) })
      .strict(),
  ])
  .meta({ id: 'LeadBulkAction' });
export type BulkUpdateLeadsInput = z.infer<typeof bulkUpdateLeadsInput>;

export const bulkUpdateResultSchema = z
  .object({
    updated: z.number().int().describe('Leads the action applied to (those already in the wanted state included)'),
    not_found: z.array(z.uuid()).describe('Ids that do not exist, are not yours to change, or are not in a state the action applies to'),
  })
  .meta({ id: 'LeadBulkResult' });
export type BulkUpdateResult = z.infer<typeof bulkUpdateResultSchema>;

/**
 * One action on many leads, all or nothing. Row-level security limits it to the leads the caller
 * may change; the others come back in not_found, like a single-lead request would answer 404.
 * Leads in the trash can only be restored; the other actions apply to live leads.
 */
export async function bulkUpdateLeads(tx: Db, input: BulkUpdateLeadsInput): Promise<BulkUpdateResult> {
  const wanted = [...new Set(input.ids)];
  const change = await toChange(tx, input);
  const found = await lockLeadIds(tx, wanted, input.action === 'restore' ? 'trashed' : 'live');
  await applyBulkChange(tx, found, change);
  const foundSet = new Set(found);
  return { updated: found.length, not_found: wanted.filter((id) => !foundSet.has(id)) };
}

async function toChange(tx: Db, input: BulkUpdateLeadsInput): Promise<BulkChange> {
  switch (input.action) {
    case 'assign': {
      if (input.agent_id !== null) {
        const user = await findUser(tx, input.agent_id);
        if (!user || !user.is_active || user.is_service || user.role === 'viewer') {
          throw new UnprocessableError('invalid_agent', 'Leads can only be assigned to an active admin, manager or agent');
        }
      }
      return { action: 'assign', agentId: input.agent_id };
    }
    case 'move_stage':
      if (!(await findStage(tx, input.pipeline_stage_id))) {
        throw new UnprocessableError('invalid_reference', 'The pipeline stage does not exist');
      }
      return { action: 'move_stage', stageId: input.pipeline_stage_id };
    case 'add_tags':
      return { action: 'add_tags', tags: [...new Set(input.tags)] };
    case 'delete':
    case 'restore':
      return { action: input.action };
  }
}
