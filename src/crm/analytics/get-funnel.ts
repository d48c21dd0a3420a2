import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';
import { FUNNEL_STEPS, selectLeadGroups, tuneAnalyticsTransaction, type LeadFigures } from './queries.js';
import { ratio, type FunnelBody } from './schemas.js';

const LABELS: Record<(typeof FUNNEL_STEPS)[number], string> = {
  lead: 'Lead',
  contacted: 'Contacted',
  qualified: 'Qualified',
  opportunity: 'Opportunity',
  closed_won: 'Closed Won',
};

export function funnelOf(figures: LeadFigures): FunnelBody {
  const counts = [figures.leads, figures.contacted, figures.qualified, figures.opportunities, figures.won];
  return {
    steps: FUNNEL_STEPS.map((step, i) => ({
      step,
      label: LABELS[step],
      count: counts[i] as number,
      rate_from_previous: i === 0 ? null : ratio(counts[i] as number, counts[i - 1] as number),
      rate_from_first: i === 0 ? null : ratio(counts[i] as number, counts[0] as number),
    })),
    lost: figures.lost,
  };
}

/** Lead -> Contacted -> Qualified -> Opportunity -> Closed Won for the leads created in the range. */
export async function getFunnel(tx: Db, range: DateRange): Promise<FunnelBody & { range: DateRange }> {
  await tuneAnalyticsTransaction(tx);
  const leads = await selectLeadGroups(tx, range, { total: true });
  return { range, ...funnelOf(leads.total as LeadFigures) };
}
