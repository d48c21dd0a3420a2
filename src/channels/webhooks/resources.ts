import { z } from 'zod';
import type { Resource, Row } from '../../crm/records/resource.js';
import { jsonObject, text, timestamp, uuid, webUrl } from '../../crm/shared/fields.js';
import { UnprocessableError } from '../../server/errors.js';
import { webhookEventTypes, WEBHOOK_EVENT_TYPES } from './event-types.js';
import { isWellFormedSecret } from './standard-webhooks.js';
import { urlProblem } from './target-guard.js';

// ---------------------------------------------------------------------------------------------
// Subscriptions
// ---------------------------------------------------------------------------------------------

export const webhookSubscriptionSchema = z
  .object({
    id: uuid,
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()),
    is_active: z.boolean(),
    disabled_reason: z.string().nullable().describe('Why Clara switched the subscription off (the receiver answered 410 Gone)'),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'WebhookSubscription' });

export const createdWebhookSubscriptionSchema = webhookSubscriptionSchema
  .extend({
    secret: z.string().describe('The signing secret (whsec_...). Shown only now: store it in the receiver'),
  })
  .meta({ id: 'WebhookSubscriptionCreated' });

const events = z
  .array(z.enum(webhookEventTypes))
  .min(1)
  .max(50)
  .describe(`Events to receive: ${Object.keys(WEBHOOK_EVENT_TYPES).join(', ')}`);

const writable = {
  url: webUrl.describe('Where Clara POSTs the events (https recommended)'),
  description: text(500).nullable(),
  events,
  is_active: z.boolean(),
};

export const createWebhookSubscriptionInput = z
  .object({
    ...writable,
    description: writable.description.optional(),
    is_active: writable.is_active.optional(),
    secret: z
      .string()
      .refine(isWellFormedSecret, 'A Standard Webhooks secret: whsec_ followed by base64 of 24 to 64 bytes')
      .optional()
      .describe('Your own whsec_ secret; by default Clara generates one'),
  })
  .strict()
  .meta({ id: 'WebhookSubscriptionCreate' });
export type CreateWebhookSubscriptionInput = z.infer<typeof createWebhookSubscriptionInput>;

export const updateWebhookSubscriptionInput = z.object(writable).partial().strict().meta({ id: 'WebhookSubscriptionUpdate' });

/** The same check for a create and an update: a URL that can never be delivered to is a 422 now. */
export function assertDeliverableUrl(url: string, allowPrivate: boolean): void {
  const problem = urlProblem(url, allowPrivate);
  if (problem) throw new UnprocessableError('invalid_webhook_url', `The webhook URL ${problem}`);
}

/** Admin-only; list, get, update and delete go through the generic record engine. */
export function webhookSubscriptionResource(settings: { allowPrivate: boolean }): Resource {
  return {
    name: 'webhook_subscriptions',
    label: 'Webhook subscription',
    entity: webhookSubscriptionSchema,
    create: createWebhookSubscriptionInput,
    update: updateWebhookSubscriptionInput,
    filters: { is_active: 'boolean', created_by: 'uuid' },
    sortable: ['created_at', 'updated_at'],
    defaultSort: '-created_at',
    dateFilters: ['created_at'],
    softDelete: false,
    readRoles: ['admin'],
    writeRoles: ['admin'],
    prepare: (values) => {
      const prepared: Row = { ...values };
      if (typeof values.url === 'string') assertDeliverableUrl(values.url, settings.allowPrivate);
      if (Array.isArray(values.events)) prepared.events = [...new Set(values.events as string[])];
      // Switching a subscription back on clears why Clara had switched it off.
      if (values.is_active === true) prepared.disabled_reason = null;
      return prepared;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Events and the delivery log (read-only)
// ---------------------------------------------------------------------------------------------

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;

export const webhookDeliverySchema = z
  .object({
    id: uuid,
    event_id: uuid.describe('Also the webhook-id header: the same for every delivery of the event'),
    subscription_id: uuid,
    event_type: z.string(),
    status: z.enum(DELIVERY_STATUSES),
    attempts: z.number().int(),
    response_status: z.number().int().nullable().describe('HTTP status of the last answer'),
    last_error: z.string().nullable(),
    duration_ms: z.number().int().nullable().describe('Of the last attempt'),
    next_attempt_at: z.string().nullable(),
    last_attempt_at: z.string().nullable(),
    delivered_at: z.string().nullable(),
    redelivery_of: uuid.nullable(),
    created_by: uuid.nullable().describe('Who asked for a redelivery'),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'WebhookDelivery' });
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

const noWrites = z.object({}).strict();

export const webhookDeliveryResource: Resource = {
  name: 'webhook_deliveries',
  label: 'Webhook delivery',
  entity: webhookDeliverySchema,
  create: noWrites,
  update: noWrites,
  filters: { subscription_id: 'uuid', event_id: 'uuid', status: DELIVERY_STATUSES, event_type: 'text', redelivery_of: 'uuid', created_by: 'uuid' },
  sortable: ['created_at', 'updated_at'],
  defaultSort: '-created_at',
  dateFilters: ['created_at'],
  softDelete: false,
  readRoles: ['admin'],
  writeRoles: [],
};

export const webhookEventSchema = z
  .object({
    id: uuid,
    type: z.string(),
    entity: z.string(),
    entity_id: uuid,
    data: jsonObject.describe('The "data" member of the payload'),
    actor_id: uuid.nullable().describe('The user (or API key, or Clara) whose change caused the event'),
    created_at: timestamp,
  })
  .meta({ id: 'WebhookEvent' });

export const webhookEventResource: Resource = {
  name: 'webhook_events',
  label: 'Webhook event',
  entity: webhookEventSchema,
  create: noWrites,
  update: noWrites,
  filters: { type: 'text', entity: ['lead', 'call', 'meeting', 'follow_up'], entity_id: 'uuid', actor_id: 'uuid' },
  sortable: ['created_at'],
  defaultSort: '-created_at',
  dateFilters: ['created_at'],
  softDelete: false,
  readRoles: ['admin'],
  writeRoles: [],
};
