import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';
import { selectEmailFigures, type EmailFigures } from './email-figures.js';
import {
  selectCallGroups,
  selectLeadGroups,
  tuneAnalyticsTransaction,
  type CallFigures,
  type LeadFigures,
} from './queries.js';
import { ratio, type SummaryBody } from './schemas.js';

/** The dashboard's cards, from the lead, call and email figures of the range. */
export function summaryOf(leads: LeadFigures, calls: CallFigures, email: EmailFigures): SummaryBody {
  return {
    leads: {
      new: leads.leads,
      qualified: leads.qualified,
      p1: leads.p1,
      won: leads.won,
      conversion_rate: ratio(leads.won, leads.leads),
    },
    calls: {
      total: calls.calls,
      average_duration_seconds: calls.average_duration_seconds,
      scored: calls.scored,
      positive_sentiment_share: ratio(calls.positive, calls.scored),
    },
    email: {
      sent: email.sent,
      opened: email.opened,
      clicked: email.clicked,
      bounced: email.bounced,
      open_rate: ratio(email.opened, email.sent),
      click_rate: ratio(email.clicked, email.sent),
      bounce_rate: ratio(email.bounced, email.sent),
    },
  };
}

/** Cards: new, qualified and P1 leads, conversion, calls, call duration, sentiment, email rates. */
export async function getAnalyticsSummary(tx: Db, range: DateRange): Promise<SummaryBody & { range: DateRange }> {
  await tuneAnalyticsTransaction(tx);
  const leads = await selectLeadGroups(tx, range, { total: true });
  const calls = await selectCallGroups(tx, range, { total: true });
  const email = await selectEmailFigures(tx, range);
  return { range, ...summaryOf(leads.total as LeadFigures, calls.total as CallFigures, email) };
}
