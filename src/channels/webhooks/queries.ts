import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

// ---------------------------------------------------------------------------------------------
// Delivery (the worker, as the owner: it must read the secret, which requests never can)
// ---------------------------------------------------------------------------------------------

export interface DeliveryTarget {
  id: string;
  status: string;
  subscription_id: string;
  url: string;
  secret: string;
  is_active: boolean;
  event_id: string;
  event_type: string;
  event_created_at: string;
  data: unknown;
}

export async function findDeliveryTarget(db: Db, deliveryId: string): Promise<DeliveryTarget | undefined> {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_events as e', 'e.id', 'd.event_id')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .select([
      'd.id',
      'd.status',
      'd.subscription_id',
      's.url',
      's.secret',
      's.is_active',
      'd.event_id',
      'd.event_type',
      'e.created_at as event_created_at',
      'e.data',
    ])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

export interface AttemptOutcome {
  /** The HTTP status, when the receiver answered. */
  responseStatus?: number;
  durationMs: number;
  /** Why the attempt failed; undefined when it succeeded. */
  error?: string;
}

/** Logs one attempt; a 2xx answer marks the delivery delivered. */
export async function recordAttempt(db: Db, deliveryId: string, outcome: AttemptOutcome): Promise<void> {
  const delivered = outcome.error === undefined;
  await sql`
    UPDATE webhook_deliveries
       SET attempts = attempts + 1, last_attempt_at = now(),
           response_status = ${outcome.responseStatus ?? null}, duration_ms = ${outcome.durationMs},
           last_error = ${outcome.error ?? null},
           status = ${delivered ? 'delivered' : sql`status`},
           delivered_at = ${delivered ? sql`now()` : sql`delivered_at`},
           next_attempt_at = ${delivered ? sql`NULL` : sql`next_attempt_at`}
     WHERE id = ${deliveryId} AND status = 'pending'`.execute(db);
}

/** After a failed attempt: when the next one is due, or failed for good. */
export async function recordDeliveryFailure(
  tx: Db,
  deliveryId: string,
  failure: { error: string; final: boolean; nextRunAt: string | null },
): Promise<void> {
  await tx
    .updateTable('webhook_deliveries')
    .set({ status: failure.final ? 'failed' : 'pending', next_attempt_at: failure.nextRunAt, last_error: failure.error })
    .where('id', '=', deliveryId)
    .where('status', '=', 'pending')
    .execute();
}

/** A receiver that answers 410 Gone wants no more webhooks (Standard Webhooks): stop sending. */
export async function disableSubscription(db: Db, subscriptionId: string, reason: string): Promise<void> {
  await db
    .updateTable('webhook_subscriptions')
    .set({ is_active: false, disabled_reason: reason })
    .where('id', '=', subscriptionId)
    .execute();
}

export async function deleteOldWebhookEvents(db: Db, olderThanDays: number): Promise<number> {
  const result = await sql`
    DELETE FROM webhook_events e
     WHERE e.created_at < now() - ${olderThanDays}::float8 * interval '1 day'
       AND NOT EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.event_id = e.id AND d.status = 'pending')`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}

// ---------------------------------------------------------------------------------------------
// Admin requests (clara_app, row-level security: admins only)
// ---------------------------------------------------------------------------------------------

export const subscriptionColumns = [
  'id',
  'url',
  'description',
  'events',
  'is_active',
  'disabled_reason',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export interface SubscriptionRow {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  is_active: boolean;
  disabled_reason: string | null;
  created_by: string | null;
  created_at: string;
  updated_at: string;
}

export async function insertSubscription(
  tx: Db,
  values: { url: string; description: string | null; events: string[]; secret: string; is_active: boolean; created_by: string },
): Promise<SubscriptionRow> {
  // RETURNING names its columns: the request role may write the secret but not read it.
  return tx.insertInto('webhook_subscriptions').values(values).returning(subscriptionColumns).executeTakeFirstOrThrow();
}

export async function updateSecret(tx: Db, subscriptionId: string, secret: string): Promise<boolean> {
  const result = await tx
    .updateTable('webhook_subscriptions')
    .set({ secret })
    .where('id', '=', subscriptionId)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

export async function findDeliveryForRedelivery(
  tx: Db,
  deliveryId: string,
): Promise<{ id: string; event_id: string; event_type: string; subscription_id: string; is_active: boolean } | undefined> {
  return tx
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_subscriptions as s', 's.id', 'd.subscription_id')
    .select(['d.id', 'd.event_id', 'd.event_type', 'd.subscription_id', 's.is_active'])
    .where('d.id', '=', deliveryId)
    .executeTakeFirst();
}

/** A new delivery of the same event (same webhook-id) to the same subscription, queued with its job. */
export async function insertRedelivery(
  tx: Db,
  original: { id: string; event_id: string; event_type: string; subscription_id: string },
  actorId: string,
): Promise<string> {
  const { rows } = await sql<{ id: string }>`
    WITH new_delivery AS (SELECT gen_random_uuid() AS id)
    INSERT INTO webhook_deliveries (id, event_id, subscription_id, event_type, redelivery_of, created_by, job_id)
    SELECT n.id, ${original.event_id}, ${original.subscription_id}, ${original.event_type}, ${original.id}, ${actorId},
           app.enqueue_job('webhook.deliver', jsonb_build_object('delivery_id', n.id))
      FROM new_delivery n
    RETURNING id`.execute(tx);
  const id = rows[0]?.id;
  if (!id) throw new Error('insertRedelivery returned no id');
  return id;
}

// ---------------------------------------------------------------------------------------------
// The external CRM's inbound webhook
// ---------------------------------------------------------------------------------------------

export const CRM_INTEGRATION_EMAIL = 'crm.integration@clara.local';

export async function findIntegrationUser(db: Db): Promise<{ id: string; email: string; full_name: string } | undefined> {
  return db
    .selectFrom('users')
    .select(['id', 'email', 'full_name'])
    .where('email', '=', CRM_INTEGRATION_EMAIL)
    .where('is_active', '=', true)
    .executeTakeFirst();
}

/** Records an inbound event; false when its id was seen before (nothing to do). */
export async function recordInboundEvent(
  tx: Db,
  event: { source: string; eventId: string; type: string; leadId: string; payload: unknown },
): Promise<boolean> {
  const { rows } = await sql<{ event_id: string }>`
    INSERT INTO inbound_webhook_events (source, event_id, type, lead_id, payload)
    VALUES (${event.source}, ${event.eventId}, ${event.type}, ${event.leadId}, ${JSON.stringify(event.payload)}::jsonb)
    ON CONFLICT (source, event_id) DO NOTHING
    RETURNING event_id`.execute(tx);
  return rows.length > 0;
}

export async function findStageByName(tx: Db, name: string): Promise<{ id: string } | undefined> {
  return tx
    .selectFrom('pipeline_stages')
    .select('id')
    .where(sql`lower(name)`, '=', name.trim().toLowerCase())
    .executeTakeFirst();
}

export async function findUserByEmail(tx: Db, email: string): Promise<{ id: string } | undefined> {
  return tx.selectFrom('users').select('id').where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
}

export async function findLiveLead(tx: Db, id: string): Promise<{ id: string } | undefined> {
  return tx.selectFrom('leads').select('id').where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
}
