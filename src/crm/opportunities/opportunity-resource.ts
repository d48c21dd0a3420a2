import { z } from 'zod';
import type { Resource } from '../records/resource.js';
import { currency, dateOnly, money, percent, requiredText, text, timestamp, uuid } from '../shared/fields.js';

export const OPPORTUNITY_STATUSES = ['open', 'won', 'lost'] as const;

export const opportunitySchema = z
  .object({
    id: uuid,
    name: z.string(),
    lead_id: uuid.nullable(),
    client_id: uuid.nullable(),
    contact_id: uuid.nullable(),
    agent_id: uuid.nullable(),
    pipeline_stage_id: uuid.nullable(),
    amount: z.number().nullable(),
    currency: z.string(),
    close_date: z.string().nullable().describe('YYYY-MM-DD'),
    probability: z.number().int(),
    status: z.enum(OPPORTUNITY_STATUSES),
    lost_reason: z.string().nullable(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Opportunity' });

const writable = {
  name: requiredText(300),
  lead_id: uuid.nullable(),
  client_id: uuid.nullable(),
  contact_id: uuid.nullable(),
  agent_id: uuid.nullable().describe('Owner; defaults to the caller'),
  pipeline_stage_id: uuid.nullable(),
  amount: money.nullable(),
  currency: currency.describe('Default USD'),
  close_date: dateOnly.nullable(),
  probability: percent,
  status: z.enum(OPPORTUNITY_STATUSES),
  lost_reason: text(2000).nullable(),
};

export const createOpportunitySchema = z
  .object(writable)
  .partial()
  .extend({ name: writable.name })
  .strict()
  .meta({ id: 'OpportunityCreate' });

export const updateOpportunitySchema = z.object(writable).partial().strict().meta({ id: 'OpportunityUpdate' });

/** A deal being worked, usually converted from a qualified lead. */
export const opportunityResource: Resource = {
  name: 'opportunities',
  label: 'Opportunity',
  entity: opportunitySchema,
  create: createOpportunitySchema,
  update: updateOpportunitySchema,
  filters: {
    lead_id: 'uuid',
    client_id: 'uuid',
    contact_id: 'uuid',
    agent_id: 'uuid',
    pipeline_stage_id: 'uuid',
    created_by: 'uuid',
    status: OPPORTUNITY_STATUSES,
    currency: 'text',
  },
  sortable: ['created_at', 'updated_at', 'name', 'amount', 'close_date', 'probability'],
  defaultSort: '-created_at',
  dateFilters: ['created_at', 'updated_at', 'close_date'],
  softDelete: true,
  ownerColumn: 'agent_id',
  stampsCreator: true,
};
