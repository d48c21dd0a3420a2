import { z } from 'zod';
import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { requireActor, requireRole } from '../../server/require-actor.js';
import { registerRecordRoutes } from '../records/routes.js';
import { bulkUpdateLeads, bulkUpdateLeadsInput, bulkUpdateResultSchema } from './bulk-update-leads.js';
import { claimLead } from './claim-lead.js';
import { convertLead, convertLeadInput, leadConversionSchema } from './convert-lead.js';
import { duplicateGroupsSchema, findDuplicateLeads, findDuplicateLeadsQuery } from './find-duplicate-leads.js';
import { leadResource, leadSchema } from './lead-resource.js';
import { mergeLeads, mergeLeadsInput, mergeReportSchema } from './merge-leads.js';

const idParams = z.object({ id: z.uuid() }).strict();

export function leadRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  registerRecordRoutes(app, context, leadResource({ defaultCountry: context.config.defaultCountry }));
  const tags = ['leads'];
  // Viewers read everything and change nothing: say so before row-level security would refuse.
  const requireWriter = (request: Parameters<typeof requireRole>[0]) => requireRole(request, 'admin', 'manager', 'agent');

  app.get('/api/v1/leads/duplicates', {
    schema: {
      tags,
      summary: 'Groups of leads that share an email or a phone',
      querystring: findDuplicateLeadsQuery,
      response: { 200: duplicateGroupsSchema },
    },
    handler: async (request) => {
      const actor = requireActor(request);
      return withActor(db, actor, (tx) => findDuplicateLeads(tx, request.query));
    },
  });

  app.post('/api/v1/leads/merge', {
    schema: {
      tags,
      summary: 'Merge duplicate leads into a primary one (dry_run reports without changing anything)',
      body: mergeLeadsInput,
      response: { 200: mergeReportSchema },
    },
    handler: async (request) => {
      const actor = requireWriter(request);
      return withActor(db, actor, (tx) => mergeLeads(tx, actor, request.body));
    },
  });

  app.post('/api/v1/leads/bulk', {
    schema: {
      tags,
      summary: 'Assign, move, trash, restore or tag many leads at once, all or nothing',
      body: bulkUpdateLeadsInput,
      response: { 200: bulkUpdateResultSchema },
    },
    handler: async (request) => {
      const actor = requireWriter(request);
      return withActor(db, actor, (tx) => bulkUpdateLeads(tx, request.body));
    },
  });

  app.post('/api/v1/leads/:id/convert', {
    schema: {
      tags,
      summary: 'Convert a lead into an opportunity, with its client and contact',
      params: idParams,
      body: convertLeadInput,
      response: { 201: leadConversionSchema },
    },
    handler: async (request, reply) => {
      const actor = requireWriter(request);
      const conversion = await withActor(db, actor, (tx) => convertLead(tx, actor, request.params.id, request.body));
      return reply.status(201).send(conversion);
    },
  });

  app.post('/api/v1/leads/:id/claim', {
    schema: {
      tags,
      summary: 'Take a lead from the shared pool (unassigned or owned by the AI agent)',
      params: idParams,
      response: { 200: leadSchema },
    },
    handler: async (request) => {
      const actor = requireWriter(request);
      return withActor(db, actor, (tx) => claimLead(tx, actor, request.params.id));
    },
  });
}
