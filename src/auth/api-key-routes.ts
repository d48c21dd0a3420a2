import { z } from 'zod';
import { listEnvelope } from '../crm/records/resource.js';
import { listQuerySchema, toListQuery } from '../crm/records/routes.js';
import { withActor } from '../db/with-actor.js';
import type { App, AppContext } from '../server/context.js';
import { requireRole } from '../server/require-actor.js';
import { apiKeyResource, apiKeySchema, createApiKey, createApiKeyInput, listApiKeys, revokeApiKey } from './api-keys.js';

export function apiKeyRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const tags = ['api_keys'];

  app.post('/api/v1/api_keys', {
    schema: {
      tags,
      summary: 'Create an API key (admin); the key is returned once and stored hashed',
      body: createApiKeyInput,
      response: { 201: apiKeySchema.extend({ key: z.string() }) },
    },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin');
      const key = await withActor(db, actor, (tx) => createApiKey(tx, request.body, actor.userId));
      return reply.status(201).send(key);
    },
  });

  app.get('/api/v1/api_keys', {
    schema: {
      tags,
      summary: 'List API keys (admin), newest first',
      querystring: listQuerySchema(apiKeyResource),
      response: { 200: listEnvelope(apiKeySchema) },
    },
    handler: async (request) => {
      const actor = requireRole(request, 'admin');
      const query = toListQuery(apiKeyResource, request.query as Record<string, unknown>);
      return withActor(db, actor, (tx) => listApiKeys(tx, query));
    },
  });

  app.delete('/api/v1/api_keys/:id', {
    schema: { tags, summary: 'Revoke an API key (admin)', params: z.object({ id: z.uuid() }).strict(), response: { 204: z.null() } },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin');
      await withActor(db, actor, (tx) => revokeApiKey(tx, request.params.id));
      return reply.status(204).send(null);
    },
  });
}
