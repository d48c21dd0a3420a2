import { z } from 'zod';
import type { Resource } from '../records/resource.js';
import { instant, stampCompletion, text, timestamp, uuid } from '../shared/fields.js';

export const FOLLOW_UP_STATUSES = ['Pending', 'Completed', 'Cancelled', 'Rescheduled'] as const;

export const followUpSchema = z
  .object({
    id: uuid,
    lead_id: uuid.nullable(),
    agent_id: uuid.nullable(),
    due_date: timestamp,
    status: z.enum(FOLLOW_UP_STATUSES),
    notes: z.string().nullable(),
    suggested_by_ai: z.boolean(),
    ai_recommendation: z.string().nullable(),
    completed_at: timestamp.nullable(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'FollowUp' });
export type FollowUp = z.infer<typeof followUpSchema>;

const writable = {
  lead_id: uuid.nullable(),
  agent_id: uuid.nullable().describe('Who follows up; defaults to the caller'),
  due_date: instant,
  status: z.enum(FOLLOW_UP_STATUSES),
  notes: text(20_000).nullable(),
  suggested_by_ai: z.boolean(),
  ai_recommendation: text(5000).nullable(),
  completed_at: instant.nullable().describe('Set on its own when the status becomes Completed'),
};

export const createFollowUpSchema = z
  .object(writable)
  .partial()
  .extend({ due_date: writable.due_date })
  .strict()
  .meta({ id: 'FollowUpCreate' });

export const updateFollowUpSchema = z.object(writable).partial().strict().meta({ id: 'FollowUpUpdate' });

/** A reminder to get back to a lead at a given time, set by a person or suggested by Clara. */
export const followUpResource: Resource = {
  name: 'follow_ups',
  label: 'Follow-up',
  entity: followUpSchema,
  create: createFollowUpSchema,
  update: updateFollowUpSchema,
  filters: { lead_id: 'uuid', agent_id: 'uuid', created_by: 'uuid', status: FOLLOW_UP_STATUSES, suggested_by_ai: 'boolean' },
  sortable: ['due_date', 'created_at', 'updated_at', 'completed_at'],
  defaultSort: 'due_date',
  dateFilters: ['due_date', 'created_at', 'completed_at'],
  softDelete: true,
  ownerColumn: 'agent_id',
  stampsCreator: true,
  prepare: (values, { existing }) => stampCompletion(values, existing, 'Completed'),
};
