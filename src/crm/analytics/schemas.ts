import { z } from 'zod';
import { FUNNEL_STEPS } from './queries.js';

/**
 * Query and response schemas of the analytics endpoints: validation, types and the OpenAPI
 * document at once. Rates are fractions (0.25 = 25 %), null when there is nothing to divide by.
 */

const calendarDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date written YYYY-MM-DD');

export const rangeQuery = z
  .object({
    from: calendarDate.optional().describe('First day, included (default: 29 days before `to`)'),
    to: calendarDate.optional().describe('Last day, included (default: today, or 29 days after `from`)'),
    tz: z.string().min(1).max(64).optional().describe('IANA time zone the days are in (default: CLARA_TIMEZONE)'),
  })
  .strict();

const intervalField = z
  .enum(['day', 'week', 'month'])
  .optional()
  .describe('Bucket size (default: day up to 62 days, week up to 366, else month); weeks start on Monday');

export const leadsOverTimeQuery = rangeQuery.extend({ interval: intervalField }).strict();
export const sourcesQuery = rangeQuery
  .extend({ limit: z.coerce.number().int().min(1).max(100).default(20).describe('Sources listed; the rest are summed in `other`') })
  .strict();
export const dashboardQuery = leadsOverTimeQuery;

const count = z.number().int().min(0);
const rate = z.number().min(0).max(1).nullable();

export const rangeSchema = z
  .object({
    from: z.string().describe('First day, YYYY-MM-DD'),
    to: z.string().describe('Last day (included), YYYY-MM-DD'),
    time_zone: z.string(),
    start: z.string().describe('The instant the range starts'),
    end: z.string().describe('The instant the range ends (excluded)'),
    days: z.number().int(),
  })
  .meta({ id: 'AnalyticsRange' });

export const summaryBody = z.object({
  leads: z.object({
    new: count.describe('Leads created in the range (not in the trash)'),
    qualified: count.describe('Of them, sales qualified or further'),
    p1: count.describe('Of them, in bucket P1'),
    won: count.describe('Of them, closed won'),
    conversion_rate: rate.describe('won / new'),
  }),
  calls: z.object({
    total: count.describe('Calls started in the range'),
    average_duration_seconds: z.number().nullable().describe('Over the calls with a duration'),
    scored: count.describe('Calls with a sentiment score'),
    positive_sentiment_share: rate.describe('Positive (score >= 0.15) / scored'),
  }),
  email: z.object({
    sent: count.describe('Emails sent in the range (email and email_sent activities of a lead)'),
    opened: count.describe('Of those, opened at any time since'),
    clicked: count.describe('Of those, with a link clicked at any time since'),
    bounced: count.describe('Of those, bounced'),
    open_rate: rate.describe('opened / sent'),
    click_rate: rate.describe('clicked / sent'),
    bounce_rate: rate.describe('bounced / sent'),
  }),
});

export const funnelBody = z.object({
  steps: z.array(
    z.object({
      step: z.enum(FUNNEL_STEPS),
      label: z.string(),
      count: count.describe('Leads created in the range that reached this step or a later one'),
      rate_from_previous: rate,
      rate_from_first: rate,
    }),
  ),
  lost: count.describe('Leads created in the range now in a lost stage'),
});

export const leadPointSchema = z.object({
  bucket: z.string().describe('First day of the bucket, YYYY-MM-DD (may precede `from` for weeks and months)'),
  leads: count,
  qualified: count,
  p1: count,
  won: count,
});

export const sourcesBody = z.object({
  total_leads: count,
  sources: z.array(
    z.object({
      source: z.string().nullable().describe('lead_source; null when none was recorded'),
      leads: count,
      share: rate.describe('leads / total_leads'),
      qualified: count,
      won: count,
      conversion_rate: rate,
    }),
  ),
  other: z.object({ sources: count, leads: count }).describe('The sources beyond `limit`, summed'),
});

export const sentimentBody = z.object({
  calls: count.describe('Calls started in the range'),
  scored: count,
  average_score: z.number().nullable().describe('-1 (negative) to 1 (positive)'),
  breakdown: z.array(
    z.object({ sentiment: z.enum(['positive', 'neutral', 'negative']), calls: count, share: rate.describe('Of the scored calls') }),
  ),
});

export const agentRowSchema = z.object({
  user_id: z.uuid().nullable().describe('null: leads nobody owns'),
  name: z.string().nullable(),
  role: z.string().nullable(),
  is_ai: z.boolean(),
  is_active: z.boolean().nullable(),
  leads: count.describe('Leads created in the range that the user owns'),
  qualified: count,
  p1: count,
  won: count,
  conversion_rate: rate,
  calls: count,
  talk_time_seconds: count,
  average_call_duration_seconds: z.number().nullable(),
  average_sentiment: z.number().nullable(),
  positive_sentiment_share: rate,
  meetings: count.describe('Meetings in the range on their calendar, not cancelled'),
});

export const summarySchema = summaryBody.extend({ range: rangeSchema }).meta({ id: 'AnalyticsSummary' });
export const funnelSchema = funnelBody.extend({ range: rangeSchema }).meta({ id: 'AnalyticsFunnel' });
export const leadsOverTimeSchema = z
  .object({ range: rangeSchema, interval: z.enum(['day', 'week', 'month']), points: z.array(leadPointSchema) })
  .meta({ id: 'AnalyticsLeadsOverTime' });
export const sourcesSchema = sourcesBody.extend({ range: rangeSchema }).meta({ id: 'AnalyticsSources' });
export const sentimentSchema = sentimentBody.extend({ range: rangeSchema }).meta({ id: 'AnalyticsSentiment' });
export const agentsSchema = z.object({ range: rangeSchema, agents: z.array(agentRowSchema) }).meta({ id: 'AnalyticsAgents' });
export const dashboardSchema = z
  .object({
    range: rangeSchema,
    interval: z.enum(['day', 'week', 'month']),
    summary: summaryBody,
    leads_over_time: z.array(leadPointSchema),
    funnel: funnelBody,
    sources: sourcesBody,
    sentiment: sentimentBody,
    agents: z.array(agentRowSchema),
  })
  .meta({ id: 'AnalyticsDashboard' });

export type SummaryBody = z.infer<typeof summaryBody>;
export type FunnelBody = z.infer<typeof funnelBody>;
export type LeadPoint = z.infer<typeof leadPointSchema>;
export type SourcesBody = z.infer<typeof sourcesBody>;
export type SentimentBody = z.infer<typeof sentimentBody>;
export type AgentRow = z.infer<typeof agentRowSchema>;

/** num / den to 4 decimals, or null when den is 0. */
export function ratio(num: number, den: number): number | null {
  return den === 0 ? null : Math.round((num / den) * 10_000) / 10_000;
}
