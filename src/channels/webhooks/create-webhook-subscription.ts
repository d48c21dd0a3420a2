import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { insertSubscription } from './queries.js';
import { assertDeliverableUrl, type CreateWebhookSubscriptionInput, createdWebhookSubscriptionSchema } from './resources.js';
import { generateWebhookSecret } from './standard-webhooks.js';

export type CreatedWebhookSubscription = z.infer<typeof createdWebhookSubscriptionSchema>;

/** Subscribes a URL to events. The secret is returned this once; Clara cannot show it again. */
export async function createWebhookSubscription(
  tx: Db,
  actor: Actor,
  input: CreateWebhookSubscriptionInput,
  settings: { allowPrivate: boolean },
): Promise<CreatedWebhookSubscription> {
  assertDeliverableUrl(input.url, settings.allowPrivate);
  const secret = input.secret ?? generateWebhookSecret();
  const subscription = await insertSubscription(tx, {
    url: input.url,
    description: input.description ?? null,
    events: [...new Set(input.events)],
    secret,
    is_active: input.is_active ?? true,
    created_by: actor.userId,
  });
  return { ...subscription, secret };
}
