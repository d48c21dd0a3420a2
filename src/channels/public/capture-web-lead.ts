import type { Db } from '../../db/database.js';
import type { AgentIdentity } from '../../agent/sessions/agent-transaction.js';
import type { PublicSite } from './resolve-site.js';
import { recordWebActivity, upsertWebLead, type WebVisitor } from './upsert-web-lead.js';

/** Web-to-lead: a contact form on the landing page becomes (or updates) a lead in the pool. */
export async function captureWebLead(
  tx: Db,
  agent: AgentIdentity,
  site: PublicSite,
  input: WebVisitor & { message?: string },
  defaultCountry: string,
): Promise<{ leadId: string; created: boolean }> {
  const result = await upsertWebLead(tx, agent, site, input, { defaultCountry, source: 'web_form', need: input.message?.slice(0, 500) });
  await recordWebActivity(tx, agent, {
    leadId: result.leadId,
    site,
    type: 'web_form',
    subject: `Web form on ${site.name}`,
    description: input.message,
    metadata: { utm_source: input.utm_source, utm_campaign: input.utm_campaign, referrer_url: input.referrer_url },
  });
  return result;
}
