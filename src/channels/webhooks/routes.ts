import { Readable } from 'node:stream';
import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import { registerRecordRoutes } from '../../crm/records/routes.js';
import { withActor } from '../../db/with-actor.js';
import type { App, AppContext } from '../../server/context.js';
import { AppError } from '../../server/errors.js';
import { requireRole } from '../../server/require-actor.js';
import { applyCrmWebhook, crmWebhookBody, crmWebhookResult } from './apply-crm-webhook.js';
import { createWebhookSubscription } from './create-webhook-subscription.js';
import { WEBHOOK_EVENT_TYPES } from './event-types.js';
import { findIntegrationUser } from './queries.js';
import { redeliverWebhook } from './redeliver-webhook.js';
import {
  createdWebhookSubscriptionSchema,
  createWebhookSubscriptionInput,
  webhookDeliveryResource,
  webhookDeliverySchema,
  webhookEventResource,
  webhookSubscriptionResource,
} from './resources.js';
import { rotateWebhookSecret } from './rotate-webhook-secret.js';
import { verifyWebhook, WebhookVerificationError } from './standard-webhooks.js';

const idParams = z.object({ id: z.uuid() }).strict();
const MAX_INBOUND_BYTES = 1024 * 1024;

declare module 'fastify' {
  interface FastifyRequest {
    /** The exact bytes of a signed webhook body, kept for its signature check. */
    rawBody?: Buffer;
  }
}

/** Outbound webhooks (admin API) and the external CRM's inbound webhook. */
export function webhookRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const settings = context.config.webhooks;
  const tags = ['webhooks'];

  app.post('/api/v1/webhook_subscriptions', {
    schema: {
      tags: ['webhook_subscriptions'],
      summary: 'Subscribe a URL to events; the response shows the signing secret once',
      body: createWebhookSubscriptionInput,
      response: { 201: createdWebhookSubscriptionSchema },
    },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin');
      const created = await withActor(db, actor, (tx) => createWebhookSubscription(tx, actor, request.body, settings));
      return reply.status(201).send(created);
    },
  });
  registerRecordRoutes(app, context, webhookSubscriptionResource(settings), ['list', 'get', 'update', 'delete']);
  registerRecordRoutes(app, context, webhookDeliveryResource, ['list', 'get']);
  registerRecordRoutes(app, context, webhookEventResource, ['list', 'get']);

  app.post('/api/v1/webhook_subscriptions/:id/rotate_secret', {
    schema: {
      tags: ['webhook_subscriptions'],
      summary: 'Replace the signing secret with a new one, shown once',
      params: idParams,
      response: { 200: z.object({ id: z.uuid(), secret: z.string() }).meta({ id: 'WebhookSecret' }) },
    },
    handler: async (request) => {
      const actor = requireRole(request, 'admin');
      return withActor(db, actor, (tx) => rotateWebhookSecret(tx, request.params.id));
    },
  });

  app.post('/api/v1/webhook_deliveries/:id/redeliver', {
    schema: {
      tags: ['webhook_deliveries'],
      summary: 'Send the event of a delivery again, as a new delivery (same webhook-id)',
      params: idParams,
      response: { 202: webhookDeliverySchema },
    },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin');
      const delivery = await withActor(db, actor, (tx) => redeliverWebhook(tx, actor, request.params.id));
      return reply.status(202).send(delivery);
    },
  });

  app.get('/api/v1/webhook_event_types', {
    schema: {
      tags,
      summary: 'The events a webhook subscription may choose',
      response: { 200: z.object({ data: z.array(z.object({ type: z.string(), description: z.string() })) }) },
    },
    handler: async (request) => {
      requireRole(request, 'admin');
      return { data: Object.entries(WEBHOOK_EVENT_TYPES).map(([type, description]) => ({ type, description })) };
    },
  });

  app.post('/webhooks/crm', {
    config: { public: true },
    schema: {
      tags,
      summary: "The external CRM's events, signed per Standard Webhooks (webhook-id, webhook-timestamp, webhook-signature)",
      description:
        'Signed with CLARA_CRM_WEBHOOK_SECRET. Each webhook-id is applied once; a repeat answers status "duplicate" and changes nothing. ' +
        '401 for a missing or wrong signature or a timestamp outside the tolerance, 404 for an unknown lead.',
      security: [],
      body: crmWebhookBody,
      response: { 200: crmWebhookResult },
    },
    // The signature covers the exact bytes sent: keep them before the JSON parser sees them.
    preParsing: async (request, _reply, payload) => {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of payload) {
        const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
        size += buffer.length;
        if (size > MAX_INBOUND_BYTES) throw new AppError(413, 'payload_too_large', 'The webhook body is larger than 1 MB');
        chunks.push(buffer);
      }
      request.rawBody = Buffer.concat(chunks);
      return Readable.from([request.rawBody]);
    },
    // Before the body is validated: an unsigned request learns nothing about the schema.
    preValidation: async (request) => {
      if (!settings.crmSecret) {
        throw new AppError(404, 'not_configured', 'The CRM webhook is off: set CLARA_CRM_WEBHOOK_SECRET to turn it on');
      }
      try {
        verifyWebhook(settings.crmSecret, request.headers, request.rawBody ?? Buffer.alloc(0), {
          toleranceSeconds: settings.crmToleranceSeconds,
        });
      } catch (error) {
        if (error instanceof WebhookVerificationError) throw new AppError(401, 'invalid_signature', error.message);
        throw error;
      }
    },
    handler: async (request) => {
      const user = await findIntegrationUser(db);
      if (!user) throw new AppError(503, 'integration_user_missing', 'The CRM integration user is missing or deactivated');
      const actor: Actor = { userId: user.id, role: 'admin', email: user.email, fullName: user.full_name, via: 'api_key' };
      const eventId = String(request.headers['webhook-id']);
      return withActor(db, actor, (tx) =>
        applyCrmWebhook(tx, actor, eventId, request.body, { defaultCountry: context.config.defaultCountry }),
      );
    },
  });
}
