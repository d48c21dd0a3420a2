import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';
import { selectLeadGroups, tuneAnalyticsTransaction, type LeadGroups } from './queries.js';
import { ratio, type SourcesBody } from './schemas.js';

export function sourcesOf(rows: LeadGroups['sources'], limit: number): SourcesBody {
  const total = rows.reduce((sum, row) => sum + row.figures.leads, 0);
  const rest = rows.slice(limit);
  return {
    total_leads: total,
    sources: rows.slice(0, limit).map(({ source, figures }) => ({
      source,
      leads: figures.leads,
      share: ratio(figures.leads, total),
      qualified: figures.qualified,
      won: figures.won,
      conversion_rate: ratio(figures.won, figures.leads),
    })),
    other: { sources: rest.length, leads: rest.reduce((sum, row) => sum + row.figures.leads, 0) },
  };
}

/** Leads created in the range per lead_source, largest first, with how many qualified and were won. */
export async function getLeadSources(tx: Db, range: DateRange, limit: number): Promise<SourcesBody & { range: DateRange }> {
  await tuneAnalyticsTransaction(tx);
  const leads = await selectLeadGroups(tx, range, { bySource: true });
  return { range, ...sourcesOf(leads.sources, limit) };
}
