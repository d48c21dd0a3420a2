import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { ConflictError, NotFoundError, UnprocessableError } from '../../server/errors.js';
import { leadSchema } from './lead-resource.js';
import {
  findClientByName,
  findClientContact,
  findLiveClient,
  findStage,
  insertActivity,
  insertClient,
  insertContact,
  insertOpportunity,
  isPoolOwner,
  lockLiveLeads,
  updateLead,
  type ClientRow,
  type ContactRow,
  type Lead,
} from './queries.js';

export const convertLeadInput = z
  .object({
    opportunity_name: z.string().trim().min(1).max(300).optional().describe('Default "<company> - <contact>"'),
    amount: z.number().nonnegative().max(999_999_999_999).nullable().optional().describe("Default the lead's deal value, else its budget"),
    currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as USD').optional().describe("Default the lead's budget currency, else USD"),
    close_date: z.iso.date().nullable().optional().describe("Default the lead's expected close date"),
    pipeline_stage_id: z.uuid().nullable().optional().describe("Default the lead's stage"),
    create_contact: z.boolean().default(true),
  })
  .strict()
  .meta({ id: 'LeadConvert' })
  // Every field has a default, so a bare POST (Fastify's body is then null) converts with the lead's own values.
  .nullable()
  .transform((options) => options ?? { create_contact: true });
export type ConvertLeadInput = z.infer<typeof convertLeadInput>;

const uuid = z.uuid();
const timestamp = z.string();

const clientSchema = z.object({
  id: uuid,
  client_name: z.string(),
  company_size: z.number().int().nullable(),
  industry: z.string().nullable(),
  website: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string().nullable(),
  city: z.string().nullable(),
  country: z.string().nullable(),
  notes: z.string().nullable(),
  agent_id: uuid.nullable(),
  created_by: uuid.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
});

const contactSchema = z.object({
  id: uuid,
  client_id: uuid.nullable(),
  full_name: z.string(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  job_title: z.string().nullable(),
  is_primary: z.boolean(),
  notes: z.string().nullable(),
  agent_id: uuid.nullable(),
  created_by: uuid.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
});

const opportunitySchema = z.object({
  id: uuid,
  name: z.string(),
  lead_id: uuid.nullable(),
  client_id: uuid.nullable(),
  contact_id: uuid.nullable(),
  agent_id: uuid.nullable(),
  pipeline_stage_id: uuid.nullable(),
  amount: z.number().nullable(),
  currency: z.string(),
  close_date: z.string().nullable(),
  probability: z.number().int(),
  status: z.string(),
  lost_reason: z.string().nullable(),
  created_by: uuid.nullable(),
  created_at: timestamp,
  updated_at: timestamp,
  deleted_at: timestamp.nullable(),
});

export const leadConversionSchema = z
  .object({
    lead: leadSchema,
    client: clientSchema,
    contact: contactSchema.nullable().describe('None when create_contact is false or the lead names nobody'),
    opportunity: opportunitySchema,
  })
  .meta({ id: 'LeadConversion' });
export type LeadConversion = z.infer<typeof leadConversionSchema>;

/**
 * Turns a lead into a deal: links or creates its client, adds the contact person to the client,
 * opens an opportunity, and marks the lead converted. The lead row is locked first, so a second
 * conversion (even a concurrent one) finds it converted and answers 409.
 *
 * Whoever converts a pool lead (unassigned or the AI's) takes it: a converted deal needs a
 * person who works it, and the client, contact and opportunity are theirs too.
 */
export async function convertLead(tx: Db, actor: Actor, leadId: string, input: ConvertLeadInput): Promise<LeadConversion> {
  const [lead] = await lockLiveLeads(tx, [leadId]);
  if (!lead) throw new NotFoundError('Lead');
  // converted_at, not the status a person may set by hand, records that a conversion happened.
  if (lead.converted_at !== null) {
    throw new ConflictError('This lead has already been converted', { converted_at: lead.converted_at });
  }
  const ownerId = (await isPoolOwner(tx, lead.agent_id)) ? actor.userId : lead.agent_id;

  const { client, created: clientCreated } = await resolveClient(tx, actor, lead, ownerId);
  const contact = input.create_contact ? await resolveContact(tx, actor, lead, client, ownerId) : null;

  const stageId = input.pipeline_stage_id !== undefined ? input.pipeline_stage_id : lead.pipeline_stage_id;
  let probability = lead.win_probability;
  let status: 'open' | 'won' | 'lost' = 'open';
  if (stageId !== null && stageId !== lead.pipeline_stage_id) {
    const stage = await findStage(tx, stageId);
    if (!stage) throw new UnprocessableError('invalid_reference', 'The pipeline stage does not exist');
    probability = stage.win_probability;
    status = stage.is_won ? 'won' : stage.is_lost ? 'lost' : 'open';
  }

  const opportunity = await insertOpportunity(tx, {
    name: input.opportunity_name ?? defaultOpportunityName(lead, client),
    lead_id: lead.id,
    client_id: client.id,
    contact_id: contact?.record.id ?? null,
    agent_id: ownerId,
    pipeline_stage_id: stageId,
    amount: input.amount !== undefined ? input.amount : (lead.deal_value ?? lead.budget_amount),
    currency: input.currency ?? lead.budget_currency ?? 'USD',
    close_date: input.close_date !== undefined ? input.close_date : lead.expected_close_date,
    probability,
    status,
    created_by: actor.userId,
  });

  const converted = await updateLead(
    tx,
    lead.id,
    { qualification_status: 'converted', client_id: client.id, ...(ownerId !== lead.agent_id ? { agent_id: ownerId } : {}) },
    ['converted_at'],
  );

  // The triggers record the new opportunity and a changed lead; this says they are one conversion.
  await insertActivity(tx, {
    activity_type: 'lead_converted',
    subject: `Converted to opportunity "${opportunity.name}"`,
    lead_id: lead.id,
    client_id: client.id,
    contact_id: contact?.record.id ?? null,
    opportunity_id: opportunity.id,
    created_by: actor.userId,
    metadata: {
      opportunity_id: opportunity.id,
      client_id: client.id,
      client_created: clientCreated,
      contact_id: contact?.record.id ?? null,
      contact_created: contact?.created ?? false,
    },
  });

  return { lead: converted, client, contact: contact?.record ?? null, opportunity };
}

/** The lead's own client, else a visible client with the company's name, else a new one. */
async function resolveClient(
  tx: Db,
  actor: Actor,
  lead: Lead,
  ownerId: string | null,
): Promise<{ client: ClientRow; created: boolean }> {
  if (lead.client_id) {
    const own = await findLiveClient(tx, lead.client_id);
    if (own) return { client: own, created: false };
  }
  if (lead.company_name) {
    const named = await findClientByName(tx, lead.company_name, ownerId);
    if (named) return { client: named, created: false };
  }
  // Without a company the client is the person, so their email and phone are the client's.
  const isPerson = !lead.company_name;
  const client = await insertClient(tx, {
    client_name: (lead.company_name ?? lead.contact_person ?? lead.email ?? lead.phone ?? 'Unnamed client').slice(0, 300),
    industry: lead.industry,
    city: lead.city,
    email: isPerson ? lead.email : null,
    phone: isPerson ? lead.phone : null,
    agent_id: ownerId,
    created_by: actor.userId,
  });
  return { client, created: true };
}

/** The client's contact with the lead's email (or phone), else a new one; none if the lead names nobody. */
async function resolveContact(
  tx: Db,
  actor: Actor,
  lead: Lead,
  client: ClientRow,
  ownerId: string | null,
): Promise<{ record: ContactRow; created: boolean } | null> {
  const fullName = lead.contact_person ?? lead.email ?? lead.phone;
  if (!fullName) return null;
  const existing = await findClientContact(tx, client.id, { email: lead.email, phone: lead.phone });
  if (existing) return { record: existing, created: false };
  const record = await insertContact(tx, {
    client_id: client.id,
    full_name: fullName.slice(0, 200),
    email: lead.email,
    phone: lead.phone,
    agent_id: ownerId,
    created_by: actor.userId,
  });
  return { record, created: true };
}

function defaultOpportunityName(lead: Lead, client: ClientRow): string {
  const parts = [lead.company_name, lead.contact_person].filter((part): part is string => Boolean(part));
  return (parts.length ? parts.join(' - ') : client.client_name).slice(0, 300);
}
