import { z } from 'zod';
import { BadRequestError } from '../../server/errors.js';
import type { Resource, Row } from '../records/resource.js';
import { effective, percent, requiredText, timestamp, uuid } from '../shared/fields.js';
import { nextStagePosition } from './queries.js';

export const pipelineStageSchema = z
  .object({
    id: uuid,
    name: z.string(),
    order_position: z.number().int(),
    win_probability: z.number().int(),
    rotten_after_days: z.number().int().nullable(),
    is_won: z.boolean(),
    is_lost: z.boolean(),
    color: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'PipelineStage' });
export type PipelineStage = z.infer<typeof pipelineStageSchema>;

const writable = {
  name: requiredText(100),
  order_position: z.number().int().min(-1_000_000).max(1_000_000),
  win_probability: percent,
  rotten_after_days: z.number().int().positive().max(3650).nullable().describe('A lead idle this long in the stage is rotten'),
  is_won: z.boolean(),
  is_lost: z.boolean(),
  color: z
    .string()
    .regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/, 'A hex colour such as #40c057')
    .nullable(),
};

const notWonAndLost = {
  check: (stage: { is_won?: boolean; is_lost?: boolean }) => !(stage.is_won && stage.is_lost),
  params: { message: 'A stage cannot be both won and lost', path: ['is_lost'] },
};

export const createPipelineStageSchema = z
  .object(writable)
  .partial()
  .extend({ name: writable.name, order_position: writable.order_position.optional().describe('Default: after the last stage') })
  .strict()
  .refine(notWonAndLost.check, notWonAndLost.params)
  .meta({ id: 'PipelineStageCreate' });

export const updatePipelineStageSchema = z
  .object(writable)
  .partial()
  .strict()
  .refine(notWonAndLost.check, notWonAndLost.params)
  .meta({ id: 'PipelineStageUpdate' });

/** The stages of the sales pipeline: read by everyone, changed by admins, really deleted. */
export const pipelineStageResource: Resource = {
  name: 'pipeline_stages',
  label: 'Pipeline stage',
  entity: pipelineStageSchema,
  create: createPipelineStageSchema,
  update: updatePipelineStageSchema,
  filters: { is_won: 'boolean', is_lost: 'boolean' },
  sortable: ['order_position', 'name', 'win_probability', 'created_at'],
  defaultSort: 'order_position',
  dateFilters: [],
  softDelete: false,
  writeRoles: ['admin'],
  prepare: async (values, { tx, existing }) => {
    const prepared: Row = { ...values };
    // A PATCH of one flag must not make a stage both won and lost with the other, stored one.
    if (effective(values, existing, 'is_won') === true && effective(values, existing, 'is_lost') === true) {
      throw new BadRequestError('A stage cannot be both won and lost');
    }
    if (!existing && prepared.order_position === undefined) prepared.order_position = await nextStagePosition(tx);
    return prepared;
  },
};
