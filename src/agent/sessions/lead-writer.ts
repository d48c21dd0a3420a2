import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { Facts } from '../extract/index.js';
import type { Channel, DialogueState } from '../dialogue/state.js';
import type { AgentIdentity } from './agent-transaction.js';

export interface LeadRow {
  id: string;
  agent_id: string | null;
  contact_person: string | null;
  company_name: string | null;
  email: string | null;
  phone: string | null;
  budget_amount: number | null;
  budget_currency: string | null;
  authority: string;
  need: string | null;
  timeline: string;
  industry: string | null;
  status_bucket: string;
  pipeline_stage_id: string | null;
  client_id: string | null;
}

const LEAD_COLUMNS = [
  'id', 'agent_id', 'contact_person', 'company_name', 'email', 'phone', 'budget_amount', 'budget_currency',
  'authority', 'need', 'timeline', 'industry', 'status_bucket', 'pipeline_stage_id', 'client_id',
] as const;

/** Seed 001 scenario 2 and seed 002: the same email or phone is the same person, on any channel. */
export async function findLeadByContact(tx: Db, contact: { email?: string; phone?: string }): Promise<LeadRow | undefined> {
  for (const [column, value] of [['email', contact.email], ['phone', contact.phone]] as const) {
    if (!value) continue;
    const lead = await tx
      .selectFrom('leads')
      .select(LEAD_COLUMNS)
      .where(column, '=', value)
      .where('deleted_at', 'is', null)
      .where('merged_into_id', 'is', null)
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    if (lead) return lead as LeadRow;
  }
  return undefined;
}

export async function getLead(tx: Db, id: string): Promise<LeadRow | undefined> {
  return (await tx.selectFrom('leads').select(LEAD_COLUMNS).where('id', '=', id).executeTakeFirst()) as LeadRow | undefined;
}

/** What the CRM already knows, so Clara never asks again for it. */
export function knownFacts(lead: LeadRow): Facts {
  const facts: Facts = {};
  if (lead.contact_person) facts.contact_person = lead.contact_person;
  if (lead.company_name) facts.company = lead.company_name;
  if (lead.email) facts.email = lead.email;
  if (lead.phone) facts.phone = lead.phone;
  if (lead.budget_amount !== null) facts.budget_amount = lead.budget_amount;
  if (lead.budget_currency) facts.budget_currency = lead.budget_currency;
  if (lead.authority !== 'unknown') facts.authority = lead.authority as Facts['authority'];
  if (lead.need) facts.need = lead.need;
  if (lead.timeline !== 'unknown') facts.timeline = lead.timeline as Facts['timeline'];
  if (lead.industry) facts.industry = lead.industry;
  return facts;
}

const LEAD_SOURCE: Record<Channel, string> = { web: 'ai_chat', sms: 'ai_sms', voice: 'voice_assistant' };

const formatBudget = (amount: number, currency: string) =>
  `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 }).format(amount)} ${currency}`;

/** The lead columns that the session's own facts set (the later value wins over the CRM's). */
function leadValues(state: DialogueState): Record<string, unknown> {
  const f = state.facts;
  const values: Record<string, unknown> = {};
  if (f.contact_person) values.contact_person = f.contact_person;
  if (f.company) values.company_name = f.company;
  if (f.email) values.email = f.email.toLowerCase();
  if (f.phone) values.phone = f.phone;
  if (f.budget_amount !== undefined) {
    const currency = f.budget_currency ?? state.known.budget_currency ?? 'USD';
    values.budget_amount = f.budget_amount;
    values.budget_currency = currency;
    values.budget = formatBudget(f.budget_amount, currency);
  }
  if (f.authority) values.authority = f.authority;
  if (f.need) values.need = f.need;
  if (f.timeline) values.timeline = f.timeline;
  if (f.industry) values.industry = f.industry;
  return values;
}

/** Enough to file a lead: a way to name or reach the person. */
export function identifies(state: DialogueState): boolean {
  const f = state.facts;
  return Boolean(f.contact_person || f.email || f.phone || f.company);
}

/**
 * Creates the session's lead, or updates the one it is linked to, and files the company as a
 * client. Returns the lead id and whether it was created.
 */
export async function saveLead(
  tx: Db,
  agent: AgentIdentity,
  state: DialogueState,
  leadId: string | undefined,
): Promise<{ leadId: string; created: boolean }> {
  const values = leadValues(state);
  const company = state.facts.company ?? state.known.company;
  if (company) values.client_id = await linkClient(tx, agent, company, state.facts);
  const extracted = JSON.stringify({ facts: state.facts, evidence: state.evidence });
  values.last_touch_date = sql`now()`;

  if (leadId) {
    await tx
      .updateTable('leads')
      .set({ ...values, extracted_info: sql`extracted_info || ${extracted}::jsonb` })
      .where('id', '=', leadId)
      .execute();
    return { leadId, created: false };
  }
  const firstStage = await tx.selectFrom('pipeline_stages').select('id').orderBy('order_position').executeTakeFirst();
  const lead = await tx
    .insertInto('leads')
    .values({
      ...values,
      extracted_info: extracted,
      agent_id: agent.userId,
      created_by: agent.userId,
      lead_source: LEAD_SOURCE[state.channel],
      tags: sql`${['ai_qualified', `${state.channel}_lead`]}::text[]`,
      first_touch_date: sql`now()`,
      pipeline_stage_id: firstStage?.id ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { leadId: lead.id, created: true };
}

/** The client for a company name (case-insensitive), created when new; firmographics fill in. */
export async function linkClient(tx: Db, agent: AgentIdentity, company: string, facts: Facts): Promise<string> {
  const existing = await tx
    .selectFrom('clients')
    .select(['id', 'industry', 'company_size'])
    .where(sql`lower(client_name)`, '=', company.toLowerCase())
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  const details = {
    ...(facts.industry ? { industry: facts.industry } : {}),
    ...(facts.company_size !== undefined ? { company_size: facts.company_size } : {}),
  };
  if (existing) {
    // Written only when something changed: every turn of every conversation about one company
    // would otherwise queue on that client's row lock.
    const changed = Object.entries(details).some(([column, value]) => (existing as Record<string, unknown>)[column] !== value);
    if (changed) await tx.updateTable('clients').set(details).where('id', '=', existing.id).execute();
    return existing.id;
  }
  const client = await tx
    .insertInto('clients')
    .values({ client_name: company, ...details, created_by: agent.userId })
    .returning('id')
    .executeTakeFirstOrThrow();
  return client.id;
}

export interface EngagementCounts {
  conversations: number;
  calls: number;
  voice_calls: number;
  average_sentiment: number | null;
  last_touch_at: string | null;
}

/** Seed 002's engagement signals: how often and how warmly the person has talked with us. */
export async function engagementOf(tx: Db, leadId: string): Promise<EngagementCounts> {
  const { rows } = await sql<EngagementCounts>`
    SELECT (SELECT count(*)::int FROM conversations WHERE lead_id = ${leadId}) AS conversations,
           count(*)::int AS calls,
           count(*) FILTER (WHERE call_type = 'ai_voice' OR call_type = 'manual' OR call_type = 'outbound')::int AS voice_calls,
           avg(sentiment_score)::float8 AS average_sentiment,
           (SELECT last_touch_date FROM leads WHERE id = ${leadId}) AS last_touch_at
      FROM calls WHERE lead_id = ${leadId} AND deleted_at IS NULL`.execute(tx);
  return rows[0] ?? { conversations: 0, calls: 0, voice_calls: 0, average_sentiment: null, last_touch_at: null };
}
