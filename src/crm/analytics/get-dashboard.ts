import type { Db } from '../../db/database.js';
import type { DateRange, Interval } from './date-range.js';
import { agentRowsOf } from './get-agent-performance.js';
import { summaryOf } from './get-analytics-summary.js';
import { sentimentOf } from './get-call-sentiment.js';
import { funnelOf } from './get-funnel.js';
import { sourcesOf } from './get-lead-sources.js';
import { selectAgentRows, selectCallFigures, selectEmailFigures, selectLeadFigures, selectLeadsOverTime, selectSources } from './queries.js';
import type { z } from 'zod';
import type { dashboardSchema } from './schemas.js';

export const DASHBOARD_SOURCES = 20;

/**
 * Everything the dashboard page shows in one request: the lead and call figures are read once
 * and serve the cards, the funnel and the sentiment chart alike.
 */
export async function getDashboard(tx: Db, range: DateRange, interval: Interval): Promise<z.infer<typeof dashboardSchema>> {
  const leads = await selectLeadFigures(tx, range);
  const calls = await selectCallFigures(tx, range);
  const email = await selectEmailFigures(tx, range);
  const points = await selectLeadsOverTime(tx, range, interval);
  const sources = await selectSources(tx, range);
  const agents = await selectAgentRows(tx, range);
  return {
    range,
    interval,
    summary: summaryOf(leads, calls, email),
    leads_over_time: points,
    funnel: funnelOf(leads),
    sources: sourcesOf(sources, DASHBOARD_SOURCES),
    sentiment: sentimentOf(calls),
    agents: agentRowsOf(agents),
  };
}
