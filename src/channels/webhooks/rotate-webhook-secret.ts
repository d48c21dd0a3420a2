import type { Db } from '../../db/database.js';
import { NotFoundError } from '../../server/errors.js';
import { updateSecret } from './queries.js';
import { generateWebhookSecret } from './standard-webhooks.js';

/**
 * Replaces a subscription's secret with a new generated one, returned this once. Deliveries
 * from now on, retries included, are signed with the new secret.
 */
export async function rotateWebhookSecret(tx: Db, subscriptionId: string): Promise<{ id: string; secret: string }> {
  const secret = generateWebhookSecret();
  if (!(await updateSecret(tx, subscriptionId, secret))) throw new NotFoundError('Webhook subscription');
  return { id: subscriptionId, secret };
}
