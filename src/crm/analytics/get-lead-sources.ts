import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';
import { selectSources, type SourceRow } from './queries.js';
import { ratio, type SourcesBody } from './schemas.js';

export function sourcesOf(rows: SourceRow[], limit: number): SourcesBody {
  const total = rows.reduce((sum, row) => sum + row.leads, 0);
  const rest = rows.slice(limit);
  return {
    total_leads: total,
    sources: rows.slice(0, limit).map((row) => ({
      source: row.source,
      leads: row.leads,
      share: ratio(row.leads, total),
      qualified: row.qualified,
      won: row.won,
      conversion_rate: ratio(row.won, row.leads),
    })),
    other: { sources: rest.length, leads: rest.reduce((sum, row) => sum + row.leads, 0) },
  };
}

/** Leads created in the range per lead_source, largest first, with how many qualified and were won. */
export async function getLeadSources(tx: Db, range: DateRange, limit: number): Promise<SourcesBody & { range: DateRange }> {
  return { range, ...sourcesOf(await selectSources(tx, range), limit) };
}
