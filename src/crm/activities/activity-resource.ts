import { z } from 'zod';
import type { Resource } from '../records/resource.js';
import { jsonObject, requiredText, text, timestamp, uuid } from '../shared/fields.js';
import { assertVisibleReferences, REFERENCES } from '../shared/visible-references.js';

export const activitySchema = z
  .object({
    id: uuid,
    activity_type: z.string().describe('call, email, meeting, sms, ... or a timeline event such as lead_created'),
    subject: z.string().nullable(),
    description: z.string().nullable(),
    lead_id: uuid.nullable(),
    client_id: uuid.nullable(),
    contact_id: uuid.nullable(),
    opportunity_id: uuid.nullable(),
    metadata: jsonObject,
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Activity' });

const writable = {
  activity_type: requiredText(100).describe('What happened: call, email, meeting, sms, visit, ...'),
  subject: text(500).nullable(),
  description: text(50_000).nullable(),
  lead_id: uuid.nullable(),
  client_id: uuid.nullable(),
  contact_id: uuid.nullable(),
  opportunity_id: uuid.nullable(),
  metadata: jsonObject,
};

export const createActivitySchema = z
  .object(writable)
  .partial()
  .extend({ activity_type: writable.activity_type })
  .strict()
  .meta({ id: 'ActivityCreate' });

export const updateActivitySchema = z.object(writable).partial().strict().meta({ id: 'ActivityUpdate' });

const parents = {
  lead_id: REFERENCES.lead,
  client_id: REFERENCES.client,
  contact_id: REFERENCES.contact,
  opportunity_id: REFERENCES.opportunity,
};

/**
 * The timeline: what people log by hand (a call made from a desk phone, an email, a visit) and,
 * written by database triggers, what changed on a lead and what is attached to it.
 */
export const activityResource: Resource = {
  name: 'activities',
  label: 'Activity',
  entity: activitySchema,
  create: createActivitySchema,
  update: updateActivitySchema,
  filters: {
    lead_id: 'uuid',
    client_id: 'uuid',
    contact_id: 'uuid',
    opportunity_id: 'uuid',
    created_by: 'uuid',
    activity_type: 'text',
  },
  sortable: ['created_at', 'updated_at', 'activity_type'],
  defaultSort: '-created_at',
  dateFilters: ['created_at'],
  softDelete: true,
  stampsCreator: true,
  prepare: async (values, { tx }) => {
    await assertVisibleReferences(tx, values, parents);
    return values;
  },
};
