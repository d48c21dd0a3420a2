import { z } from 'zod';
import type { Db } from '../../db/database.js';
import { BadRequestError, UnprocessableError } from '../../server/errors.js';
import { listRecords } from '../records/queries.js';
import type { PageOf } from '../shared/fields.js';
import { pipelineStageResource, type PipelineStage } from './pipeline-stage-resource.js';
import { lockStageIds, setStagePositions } from './queries.js';

export const reorderPipelineStagesInput = z
  .object({
    ids: z
      .array(z.uuid())
      .min(1)
      .max(500)
      .refine((ids) => new Set(ids).size === ids.length, 'Each stage may appear only once')
      .describe('Every stage id, in the new order'),
  })
  .strict()
  .meta({ id: 'PipelineStageReorder' });
export type ReorderPipelineStagesInput = z.infer<typeof reorderPipelineStagesInput>;

/**
 * Rewrites every stage's position at once, as the kanban's drag and drop sends it. The whole
 * order is required: a partial list would leave the other stages' places ambiguous.
 */
export async function reorderPipelineStages(tx: Db, input: ReorderPipelineStagesInput): Promise<PageOf<PipelineStage>> {
  const current = await lockStageIds(tx);
  const known = new Set(current);
  const unknown = input.ids.filter((id) => !known.has(id));
  if (unknown.length) {
    throw new UnprocessableError('invalid_reference', `Unknown pipeline stage: ${unknown.join(', ')}`, { unknown });
  }
  const listed = new Set(input.ids);
  const missing = current.filter((id) => !listed.has(id));
  if (missing.length) {
    throw new BadRequestError('List every pipeline stage in its new order', { missing });
  }
  await setStagePositions(tx, input.ids);
  return (await listRecords(tx, pipelineStageResource, { limit: 500, filters: {}, ranges: {} })) as PageOf<PipelineStage>;
}
