import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { normalizePhone } from '../../crm/shared/contact-points.js';
import { findLeadByContact, linkClient } from '../../agent/sessions/lead-writer.js';
import type { AgentIdentity } from '../../agent/sessions/agent-transaction.js';
import type { PublicSite } from './resolve-site.js';

export interface WebVisitor {
  name?: string;
  email?: string;
  phone?: string;
  company?: string;
  country?: string;
  utm_source?: string;
  utm_medium?: string;
  utm_campaign?: string;
  utm_term?: string;
  utm_content?: string;
  campaign_id?: string;
  referrer_url?: string;
}

const CAMPAIGN = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_term', 'utm_content', 'campaign_id', 'referrer_url'] as const;

/**
 * The visitor's lead: the existing one with the same email or phone (one person, one lead), or
 * a new one in the shared pool. A form can be filled in by anyone with someone's email, so an
 * existing lead only gets blanks filled, never its values replaced; the submission itself is on
 * the timeline for a person to judge.
 */
export async function upsertWebLead(
  tx: Db,
  agent: AgentIdentity,
  site: PublicSite,
  visitor: WebVisitor,
  options: { defaultCountry: string; source: string; need?: string },
): Promise<{ leadId: string; created: boolean }> {
  const phone = normalizePhone(visitor.phone, visitor.country ?? options.defaultCountry) ?? undefined;
  const email = visitor.email;
  const existing = await findLeadByContact(tx, { email, phone });
  const clientId = visitor.company ? await linkClient(tx, agent, visitor.company, {}) : undefined;
  const given: Record<string, unknown> = {
    contact_person: visitor.name,
    company_name: visitor.company,
    email,
    phone,
    need: options.need,
    client_id: clientId,
    ...Object.fromEntries(CAMPAIGN.map((column) => [column, visitor[column]])),
  };
  const values = Object.fromEntries(Object.entries(given).filter(([, value]) => value !== undefined && value !== ''));

  if (existing) {
    const current = await tx.selectFrom('leads').selectAll().where('id', '=', existing.id).executeTakeFirstOrThrow();
    const blanks = Object.fromEntries(
      Object.entries(values).filter(([column]) => (current as Record<string, unknown>)[column] === null),
    );
    await tx
      .updateTable('leads')
      .set({ ...blanks, last_touch_date: sql`now()` })
      .where('id', '=', existing.id)
      .execute();
    return { leadId: existing.id, created: false };
  }
  const firstStage = await tx.selectFrom('pipeline_stages').select('id').orderBy('order_position').executeTakeFirst();
  const lead = await tx
    .insertInto('leads')
    .values({
      ...values,
      agent_id: agent.userId,
      created_by: agent.userId,
      lead_source: options.source,
      tags: sql`${[options.source, `site:${site.name}`]}::text[]`,
      first_touch_date: sql`now()`,
      last_touch_date: sql`now()`,
      pipeline_stage_id: firstStage?.id ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { leadId: lead.id, created: true };
}

/** One line on the lead's timeline for what the visitor did on the site. */
export async function recordWebActivity(
  tx: Db,
  agent: AgentIdentity,
  input: { leadId: string; site: PublicSite; type: string; subject: string; description?: string; metadata?: Record<string, unknown> },
): Promise<void> {
  await tx
    .insertInto('activities')
    .values({
      activity_type: input.type,
      subject: input.subject,
      description: input.description ?? null,
      lead_id: input.leadId,
      created_by: agent.userId,
      metadata: JSON.stringify({ site_id: input.site.id, site: input.site.name, ...input.metadata }),
    })
    .execute();
}
