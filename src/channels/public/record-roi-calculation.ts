import type { Db } from '../../db/database.js';
import type { AgentIdentity } from '../../agent/sessions/agent-transaction.js';
import type { PublicSite } from './resolve-site.js';
import { recordWebActivity, upsertWebLead, type WebVisitor } from './upsert-web-lead.js';

export interface RoiSubmission extends WebVisitor {
  inputs: Record<string, unknown>;
  results: Record<string, unknown>;
  time_on_calculator?: number;
  adjustments_count?: number;
}

/**
 * Keeps an ROI calculator result (seed 003 sections 1.4 and 1.5): anonymous when the visitor gave
 * no email, otherwise linked both ways with their lead (leads.roi_calculation_id).
 */
export async function recordRoiCalculation(
  tx: Db,
  agent: AgentIdentity,
  site: PublicSite,
  input: RoiSubmission,
  defaultCountry: string,
): Promise<{ id: string; leadId: string | undefined }> {
  const lead = input.email || input.phone ? await upsertWebLead(tx, agent, site, input, { defaultCountry, source: 'roi_calculator' }) : undefined;
  const calculation = await tx
    .insertInto('roi_calculations')
    .values({
      site_id: site.id,
      lead_id: lead?.leadId ?? null,
      email: input.email ?? null,
      inputs: JSON.stringify(input.inputs),
      results: JSON.stringify(input.results),
      time_on_calculator: input.time_on_calculator ?? null,
      adjustments_count: input.adjustments_count ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (lead) {
    await tx.updateTable('leads').set({ roi_calculation_id: calculation.id }).where('id', '=', lead.leadId).execute();
    await recordWebActivity(tx, agent, {
      leadId: lead.leadId,
      site,
      type: 'roi_calculation',
      subject: `ROI calculator on ${site.name}`,
      metadata: { roi_calculation_id: calculation.id, results: input.results },
    });
  }
  return { id: calculation.id, leadId: lead?.leadId };
}
