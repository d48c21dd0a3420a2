import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { getRecord } from '../../crm/records/queries.js';
import { ConflictError, NotFoundError } from '../../server/errors.js';
import { findDeliveryForRedelivery, insertRedelivery } from './queries.js';
import { webhookDeliveryResource, type WebhookDelivery } from './resources.js';

/**
 * Sends an event to a subscription again, as a new delivery with its own attempts (the original
 * stays in the log as it was). The webhook-id is the event's, so a receiver that already
 * processed it can recognise the repeat.
 */
export async function redeliverWebhook(tx: Db, actor: Actor, deliveryId: string): Promise<WebhookDelivery> {
  const original = await findDeliveryForRedelivery(tx, deliveryId);
  if (!original) throw new NotFoundError('Webhook delivery');
  if (!original.is_active) {
    throw new ConflictError('The subscription is switched off; switch it on (is_active) before redelivering');
  }
  const id = await insertRedelivery(tx, original, actor.userId);
  // The generic engine returns the resource's columns, which are exactly this schema's.
  return (await getRecord(tx, webhookDeliveryResource, id)) as WebhookDelivery;
}
