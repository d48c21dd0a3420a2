import { sql } from 'kysely';
import { z } from 'zod';
import type { Resource, Row } from '../records/resource.js';
import { normalizeEmail, normalizePhone } from '../shared/contact-points.js';

export const STATUS_BUCKETS = ['P1', 'P2', 'P3'] as const;
export const QUALIFICATION_STATUSES = [
  'unqualified',
  'marketing_qualified',
  'sales_qualified',
  'opportunity',
  'converted',
  'disqualified',
] as const;
export const AUTHORITIES = ['decision_maker', 'influencer', 'no_authority', 'unknown'] as const;
export const TIMELINES = ['immediate', 'this_week', 'this_month', 'this_quarter', 'future', 'unknown'] as const;

const text = (max = 2000) => z.string().trim().max(max);
const dateOnly = z.iso.date();
const instant = z.iso.datetime({ offset: true });

export const leadSchema = z
  .object({
    id: z.uuid(),
    client_id: z.uuid().nullable(),
    agent_id: z.uuid().nullable(),
    created_by: z.uuid().nullable(),
    status_bucket: z.enum(STATUS_BUCKETS),
    qualification_status: z.enum(QUALIFICATION_STATUSES),
    lead_score: z.number().int(),
    score_breakdown: z.array(z.record(z.string(), z.unknown())),
    contact_person: z.string().nullable(),
    company_name: z.string().nullable(),
    email: z.string().nullable(),
    phone: z.string().nullable().describe('E.164'),
    deal_value: z.number().nullable(),
    industry: z.string().nullable(),
    city: z.string().nullable(),
    pipeline_stage_id: z.uuid().nullable(),
    stage_changed_at: z.string(),
    expected_close_date: z.string().nullable(),
    win_probability: z.number().int(),
    progress_details: z.string().nullable(),
    next_step: z.string().nullable(),
    follow_up_due_date: z.string().nullable(),
    notes: z.string().nullable(),
    lead_source: z.string().nullable(),
    campaign_id: z.string().nullable(),
    utm_source: z.string().nullable(),
    utm_medium: z.string().nullable(),
    utm_campaign: z.string().nullable(),
    utm_term: z.string().nullable(),
    utm_content: z.string().nullable(),
    referrer_url: z.string().nullable(),
    budget: z.string().nullable(),
    budget_amount: z.number().nullable(),
    budget_currency: z.string().nullable(),
    authority: z.enum(AUTHORITIES),
    need: z.string().nullable(),
    timeline: z.enum(TIMELINES),
    conversation_summary: z.string().nullable(),
    extracted_info: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    first_touch_date: z.string().nullable(),
    last_touch_date: z.string().nullable(),
    sync_lock: z.boolean(),
    last_email_opened_at: z.string().nullable(),
    email_click_count: z.number().int(),
    email_status: z.string().nullable(),
    do_not_contact: z.boolean(),
    converted_at: z.string().nullable(),
    merged_into_id: z.uuid().nullable(),
    roi_calculation_id: z.uuid().nullable().describe('The ROI calculator result that brought the lead (landing page)'),
    voice_session_id: z.uuid().nullable().describe("The lead's chat or voice session with Clara on the landing page"),
    created_at: z.string(),
    updated_at: z.string(),
    deleted_at: z.string().nullable(),
  })
  .meta({ id: 'Lead' });

/** What a person or integration may write; score, bucket and engagement come from the system. */
const writable = {
  client_id: z.uuid().nullable(),
  agent_id: z.uuid().nullable(),
  status_bucket: z.enum(STATUS_BUCKETS),
  qualification_status: z.enum(QUALIFICATION_STATUSES),
  contact_person: text(200).nullable(),
  company_name: text(300).nullable(),
  email: z.email().max(320).nullable(),
  phone: text(40).nullable().describe('Any format; stored as E.164 (CLARA_DEFAULT_COUNTRY for national numbers)'),
  deal_value: z.number().nonnegative().max(999_999_999_999).nullable(),
  industry: text(100).nullable(),
  city: text(100).nullable(),
  pipeline_stage_id: z.uuid().nullable(),
  expected_close_date: dateOnly.nullable(),
  win_probability: z.number().int().min(0).max(100),
  progress_details: text(10_000).nullable(),
  next_step: text(500).nullable(),
  follow_up_due_date: instant.nullable(),
  notes: text(50_000).nullable(),
  lead_source: text(100).nullable(),
  campaign_id: text(200).nullable(),
  utm_source: text(200).nullable(),
  utm_medium: text(200).nullable(),
  utm_campaign: text(200).nullable(),
  utm_term: text(200).nullable(),
  utm_content: text(200).nullable(),
  referrer_url: text(2000).nullable(),
  budget: text(200).nullable(),
  budget_amount: z.number().nonnegative().max(999_999_999_999).nullable(),
  budget_currency: z.string().regex(/^[A-Z]{3}$/, 'ISO 4217 code such as USD').nullable(),
  authority: z.enum(AUTHORITIES),
  need: text(2000).nullable(),
  timeline: z.enum(TIMELINES),
  conversation_summary: text(20_000).nullable(),
  extracted_info: z.record(z.string(), z.unknown()),
  tags: z.array(text(50).min(1)).max(50),
  first_touch_date: instant.nullable(),
  last_touch_date: instant.nullable(),
  sync_lock: z.boolean(),
  do_not_contact: z.boolean(),
};

export const createLeadSchema = z
  .object(writable)
  .partial()
  .strict()
  .refine((lead) => lead.contact_person || lead.email || lead.phone || lead.company_name, {
    message: 'A lead needs at least a contact person, company, email or phone',
  })
  .meta({ id: 'LeadCreate' });

export const updateLeadSchema = z.object(writable).partial().strict().meta({ id: 'LeadUpdate' });

export function leadResource(settings: { defaultCountry: string }): Resource {
  return {
    name: 'leads',
    label: 'Lead',
    entity: leadSchema,
    // refine() wraps the object; the generic engine needs the object to read its shape.
    create: createLeadSchema as unknown as z.ZodObject,
    update: updateLeadSchema,
    filters: {
      client_id: 'uuid',
      agent_id: 'uuid',
      created_by: 'uuid',
      pipeline_stage_id: 'uuid',
      merged_into_id: 'uuid',
      roi_calculation_id: 'uuid',
      voice_session_id: 'uuid',
      status_bucket: STATUS_BUCKETS,
      qualification_status: QUALIFICATION_STATUSES,
      authority: AUTHORITIES,
      timeline: TIMELINES,
      lead_source: 'text',
      industry: 'text',
      city: 'text',
      email: 'text',
      phone: 'text',
      email_status: 'text',
      do_not_contact: 'boolean',
    },
    sortable: ['created_at', 'updated_at', 'lead_score', 'deal_value', 'contact_person', 'company_name', 'last_touch_date', 'follow_up_due_date', 'expected_close_date', 'stage_changed_at'],
    defaultSort: '-created_at',
    dateFilters: ['created_at', 'updated_at', 'last_touch_date', 'follow_up_due_date', 'expected_close_date'],
    searchable: true,
    searchFunction: 'app.search_lead_ids',
    searchFunctionOrder: '-created_at',
    softDelete: true,
    ownerColumn: 'agent_id',
    stampsCreator: true,
    prepare: async (values, { tx, existing }) => {
      const prepared: Row = { ...values };
      if ('email' in values) prepared.email = normalizeEmail(values.email as string | null);
      if ('phone' in values) prepared.phone = normalizePhone(values.phone as string | null, settings.defaultCountry);
      if (!existing) {
        prepared.first_touch_date ??= new Date().toISOString();
        prepared.last_touch_date ??= prepared.first_touch_date;
        if (!('pipeline_stage_id' in values)) {
          const { rows } = await sql<{ id: string }>`
            SELECT id FROM pipeline_stages ORDER BY order_position LIMIT 1`.execute(tx);
          prepared.pipeline_stage_id = rows[0]?.id ?? null;
        }
      }
      return prepared;
    },
  };
}
