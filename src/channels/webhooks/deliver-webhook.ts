import { z } from 'zod';
import { PermanentJobError, RetryLaterError, type CleanupTask, type JobDefinition } from '../../jobs/job-registry.js';
import { version } from '../../server/version.js';
import type { WebhooksConfig } from './config.js';
import { DeliveryError, postWebhook } from './post-webhook.js';
import { deleteOldWebhookEvents, disableSubscription, findDeliveryTarget, recordAttempt, recordDeliveryFailure } from './queries.js';
import { signWebhook } from './standard-webhooks.js';

export const WEBHOOK_DELIVERY_JOB = 'webhook.deliver';

const payload = z.object({ delivery_id: z.uuid() });

/**
 * The job that sends one delivery: the event as a Standard Webhooks message, signed with the
 * subscription's secret. A 2xx answer delivers it; anything else is retried with backoff by the
 * queue until the attempts run out; 410 Gone switches the subscription off.
 */
export function webhookDeliveryJob(settings: Pick<WebhooksConfig, 'maxAttempts' | 'timeoutMs' | 'allowPrivate'>): JobDefinition<z.infer<typeof payload>> {
  return {
    type: WEBHOOK_DELIVERY_JOB,
    payload,
    maxAttempts: settings.maxAttempts,
    timeoutMs: settings.timeoutMs + 5000,
    async run(job, { db, signal }) {
      const target = await findDeliveryTarget(db, job.payload.delivery_id);
      // Gone with its subscription, or already delivered by an attempt whose bookkeeping was lost.
      if (!target || target.status !== 'pending') return;
      if (!target.is_active) throw new PermanentJobError('The subscription is switched off');

      const body = JSON.stringify({ type: target.event_type, timestamp: target.event_created_at, data: target.data });
      const timestamp = Math.floor(Date.now() / 1000);
      const headers = {
        'content-type': 'application/json',
        'user-agent': `Clara-Webhooks/${version}`,
        'webhook-id': target.event_id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signWebhook(target.secret, target.event_id, timestamp, body),
      };
      let answer: Awaited<ReturnType<typeof postWebhook>>;
      try {
        answer = await postWebhook(target.url, body, headers, { ...settings, signal });
      } catch (error) {
        // Interrupted by shutdown: not an attempt; the queue gives the job back.
        if (signal.aborted) throw error;
        const failure = error instanceof DeliveryError ? error : new DeliveryError(String(error), 0, false);
        await recordAttempt(db, target.id, { durationMs: failure.durationMs, error: failure.message });
        throw failure.refused ? new PermanentJobError(`Refused: ${failure.message}`) : failure;
      }
      const ok = answer.status >= 200 && answer.status < 300;
      const error = ok ? undefined : `The receiver answered HTTP ${answer.status}`;
      await recordAttempt(db, target.id, { responseStatus: answer.status, durationMs: answer.durationMs, error });
      if (ok) return;
      if (answer.status === 410) {
        await disableSubscription(db, target.subscription_id, 'The receiver answered 410 Gone');
        throw new PermanentJobError('The receiver answered 410 Gone; the subscription is switched off');
      }
      throw new RetryLaterError(error as string, answer.retryAfterMs);
    },
    async onFailure(job, failure, tx) {
      await recordDeliveryFailure(tx, job.payload.delivery_id, failure);
    },
  };
}

/** Events (with their delivery log) are kept CLARA_WEBHOOKS_RETENTION_DAYS, then removed unless still being delivered. */
export function webhookRetention(settings: Pick<WebhooksConfig, 'retentionDays'>): CleanupTask {
  return { name: 'webhook events', run: (db) => deleteOldWebhookEvents(db, settings.retentionDays) };
}
