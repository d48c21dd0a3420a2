/**
 * Functions that run as the owner (SECURITY DEFINER) bypass row-level security: the request role
 * may call only those meant for it, each of which checks its caller or reveals nothing beyond
 * what the caller may see. A new one callable by requests must be added here with its reason.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { sql } from 'kysely';
import { withActor } from '../../src/db/with-actor.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const CALLABLE_BY_REQUESTS: Record<string, string> = {
  'app.search_lead_ids(tsquery,integer)': "applies the leads' visibility rule itself (migrations 007, 014); ids or a NULL for too many (020)",
  'app.search_call_ids(tsquery,integer)': "applies the calls' visibility rule itself (migration 019); ids or a NULL for too many (020)",
  'app.set_password(uuid,text)': 'refuses anyone but the user themself or an admin',
  'app.enqueue_job(text,jsonb,timestamp with time zone,integer)': 'jobs are enqueued in the request transaction (src/jobs)',
  'app.email_tracking_secret()': 'signs tracking links in the request that sends the email (src/channels/email)',
};

let t: TestApp;
before(async () => {
  t = await createTestApp();
});
after(async () => {
  await t.close();
});

test('requests may call only the owner-run functions meant for them', async () => {
  const { rows } = await sql<{ name: string }>`
    SELECT p.oid::regprocedure::text AS name
      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
     WHERE n.nspname = 'app' AND p.prosecdef AND p.prorettype <> 'trigger'::regtype
       AND has_function_privilege('clara_app', p.oid, 'EXECUTE')
     ORDER BY 1`.execute(t.database.db);
  assert.deepEqual(rows.map((row) => row.name).sort(), Object.keys(CALLABLE_BY_REQUESTS).sort());
});

test('a request cannot forge a webhook event', async () => {
  const admin = { userId: t.admin.id, role: 'admin' as const, email: t.admin.email, fullName: 'Admin', via: 'session' as const };
  const attempt = withActor(t.database.db, admin, (tx) =>
    sql`SELECT app.emit_webhook_event('lead.created', 'lead', gen_random_uuid(), '{}'::jsonb, NULL)`.execute(tx),
  );
  await assert.rejects(attempt, (error: { code?: string }) => error.code === '42501');
});
