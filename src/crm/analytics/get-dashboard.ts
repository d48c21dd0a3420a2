import type { z } from 'zod';
import type { Db } from '../../db/database.js';
import type { DateRange, Interval } from './date-range.js';
import { selectEmailFigures } from './email-figures.js';
import { agentRowsOf, userIdsOf } from './get-agent-performance.js';
import { summaryOf } from './get-analytics-summary.js';
import { sentimentOf } from './get-call-sentiment.js';
import { funnelOf } from './get-funnel.js';
import { sourcesOf } from './get-lead-sources.js';
import { pointsOf } from './get-leads-over-time.js';
import {
  selectCallGroups,
  selectLeadGroups,
  selectMeetingsByOwner,
  selectUsers,
  tuneAnalyticsTransaction,
  type CallFigures,
  type LeadFigures,
} from './queries.js';
import type { dashboardSchema } from './schemas.js';

export const DASHBOARD_SOURCES = 20;

/**
 * Everything the dashboard page shows, in one request: one pass over the range's leads serves
 * the cards, the chart, the funnel, the sources and the owners (GROUPING SETS), one pass over
 * its calls the cards, the sentiment and the owners.
 */
export async function getDashboard(tx: Db, range: DateRange, interval: Interval): Promise<z.infer<typeof dashboardSchema>> {
  await tuneAnalyticsTransaction(tx);
  const leads = await selectLeadGroups(tx, range, { total: true, interval, bySource: true, byOwner: true });
  const calls = await selectCallGroups(tx, range, { total: true, byOwner: true });
  const email = await selectEmailFigures(tx, range);
  const meetings = await selectMeetingsByOwner(tx, range);
  const users = await selectUsers(tx, userIdsOf(leads.owners, calls.owners, meetings));
  const leadTotal = leads.total as LeadFigures;
  const callTotal = calls.total as CallFigures;
  return {
    range,
    interval,
    summary: summaryOf(leadTotal, callTotal, email),
    leads_over_time: pointsOf(range, interval, leads.buckets),
    funnel: funnelOf(leadTotal),
    sources: sourcesOf(leads.sources, DASHBOARD_SOURCES),
    sentiment: sentimentOf(callTotal),
    agents: agentRowsOf(leads.owners, calls.owners, meetings, users),
  };
}
