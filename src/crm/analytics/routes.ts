import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { requireActor } from '../../server/require-actor.js';
import { resolveDateRange, resolveInterval } from './date-range.js';
import { getAgentPerformance } from './get-agent-performance.js';
import { getAnalyticsSummary } from './get-analytics-summary.js';
import { getCallSentiment } from './get-call-sentiment.js';
import { getDashboard } from './get-dashboard.js';
import { getFunnel } from './get-funnel.js';
import { getLeadSources } from './get-lead-sources.js';
import { getLeadsOverTime } from './get-leads-over-time.js';
import {
  agentsSchema,
  dashboardQuery,
  dashboardSchema,
  funnelSchema,
  leadsOverTimeQuery,
  leadsOverTimeSchema,
  rangeQuery,
  sentimentSchema,
  sourcesQuery,
  sourcesSchema,
  summarySchema,
} from './schemas.js';

/**
 * The dashboard's figures. Every endpoint reads inside withActor, so row-level security decides
 * what is counted: admins and viewers see the whole team's numbers, a manager their team's, an
 * agent their own and the shared pool's.
 */
export function analyticsRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const tags = ['analytics'];
  const rangeOf = (query: { from?: string; to?: string; tz?: string }) => resolveDateRange(query, context.config.timeZone);

  app.get('/api/v1/analytics/dashboard', {
    schema: { tags, summary: 'Everything the dashboard shows, in one answer', querystring: dashboardQuery, response: { 200: dashboardSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      const range = rangeOf(request.query);
      const interval = resolveInterval(range, request.query.interval);
      return withActor(db, actor, (tx) => getDashboard(tx, range, interval));
    },
  });

  app.get('/api/v1/analytics/summary', {
    schema: { tags, summary: 'The cards: leads, conversion, calls, sentiment, email rates', querystring: rangeQuery, response: { 200: summarySchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      const range = rangeOf(request.query);
      return withActor(db, actor, (tx) => getAnalyticsSummary(tx, range));
    },
  });

  app.get('/api/v1/analytics/leads-over-time', {
    schema: { tags, summary: 'New leads per day, week or month', querystring: leadsOverTimeQuery, response: { 200: leadsOverTimeSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      const range = rangeOf(request.query);
      const interval = resolveInterval(range, request.query.interval);
      return withActor(db, actor, (tx) => getLeadsOverTime(tx, range, interval));
    },
  });

  app.get('/api/v1/analytics/funnel', {
    schema: { tags, summary: 'Lead -> Contacted -> Qualified -> Opportunity -> Closed Won', querystring: rangeQuery, response: { 200: funnelSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      const range = rangeOf(request.query);
      return withActor(db, actor, (tx) => getFunnel(tx, range));
    },
  });

  app.get('/api/v1/analytics/sources', {
    schema: { tags, summary: 'New leads per source, with qualification and wins', querystring: sourcesQuery, response: { 200: sourcesSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      const range = rangeOf(request.query);
      return withActor(db, actor, (tx) => getLeadSources(tx, range, request.query.limit));
    },
  });

  app.get('/api/v1/analytics/sentiment', {
    schema: { tags, summary: 'Call sentiment: positive, neutral, negative', querystring: rangeQuery, response: { 200: sentimentSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      const range = rangeOf(request.query);
      return withActor(db, actor, (tx) => getCallSentiment(tx, range));
    },
  });

  app.get('/api/v1/analytics/agents', {
    schema: { tags, summary: 'Performance per owner: leads, conversion, calls, talk time, sentiment, meetings', querystring: rangeQuery, response: { 200: agentsSchema } },
    handler: async (request) => {
      const actor = requireActor(request);
      const range = rangeOf(request.query);
      return withActor(db, actor, (tx) => getAgentPerformance(tx, range));
    },
  });
}
