-- A durable job queue, outbound webhooks (Standard Webhooks) and the inbound webhook of an
-- external CRM (issue 4, "Webhooks out and in"; seed 004). Code: src/jobs, src/channels/webhooks.

-- ---------------------------------------------------------------------------
-- Jobs
-- ---------------------------------------------------------------------------
-- Jobs live in PostgreSQL so that enqueueing is part of the caller's transaction (a job exists
-- only if the change that asked for it committed) and so that any number of worker processes
-- share one queue: each claims due rows with FOR UPDATE SKIP LOCKED and holds a lease
-- (locked_until) instead of a transaction while the job runs.
CREATE TABLE jobs (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type         text NOT NULL CHECK (type ~ '^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$' AND length(type) <= 100),
  payload      jsonb NOT NULL DEFAULT '{}',
  status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'succeeded', 'failed')),
  run_at       timestamptz(3) NOT NULL DEFAULT now(),
  attempts     integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  -- NULL: the limit registered for the job type, so a configuration change reaches queued jobs.
  max_attempts integer CHECK (max_attempts BETWEEN 1 AND 100),
  locked_by    text,
  locked_until timestamptz(3),
  last_error   text,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  finished_at  timestamptz(3)
);
CREATE INDEX jobs_due_idx ON jobs (run_at) WHERE status = 'pending';
CREATE INDEX jobs_lease_idx ON jobs (locked_until) WHERE status = 'running';
CREATE INDEX jobs_finished_idx ON jobs (finished_at) WHERE status IN ('succeeded', 'failed');
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON jobs FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Requests never touch jobs directly: they enqueue through app.enqueue_job, and admins may read.
ALTER TABLE jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON jobs FOR SELECT TO clara_app USING ((SELECT app.is_admin()));
GRANT SELECT ON jobs TO clara_app;

-- The one way in: the NOTIFY is delivered at commit, so a worker wakes exactly when the job
-- becomes visible, and never for a job whose transaction rolled back.
CREATE FUNCTION app.enqueue_job(job_type text, job_payload jsonb, job_run_at timestamptz DEFAULT NULL,
                                job_max_attempts integer DEFAULT NULL) RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  job_id uuid;
BEGIN
  INSERT INTO jobs (type, payload, run_at, max_attempts)
  VALUES (job_type, coalesce(job_payload, '{}'), coalesce(job_run_at, now()), job_max_attempts)
  RETURNING id INTO job_id;
  PERFORM pg_notify('clara_jobs', job_type);
  RETURN job_id;
END
$$;
REVOKE EXECUTE ON FUNCTION app.enqueue_job(text, jsonb, timestamptz, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.enqueue_job(text, jsonb, timestamptz, integer) TO clara_app;

-- ---------------------------------------------------------------------------
-- Outbound webhooks
-- ---------------------------------------------------------------------------
CREATE TABLE webhook_subscriptions (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  url             text NOT NULL CHECK (url ~ '^https?://' AND length(url) <= 2000),
  description     text CHECK (length(description) <= 500),
  events          text[] NOT NULL CHECK (cardinality(events) BETWEEN 1 AND 50),
  -- Standard Webhooks symmetric secret (whsec_ + base64 of 32 random bytes). It must be kept in
  -- clear to sign; requests may write it but never read it back (column grants below).
  secret          text NOT NULL CHECK (secret LIKE 'whsec\_%'),
  is_active       boolean NOT NULL DEFAULT true,
  -- Why Clara switched the subscription off (the receiver answered 410 Gone), for the admin.
  disabled_reason text,
  created_by      uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX webhook_subscriptions_created_at_idx ON webhook_subscriptions (created_at, id);
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON webhook_subscriptions FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- One row per event, shared by every subscription that receives it; data is the payload's
-- "data" member. Writes of one transaction are merged per (type, record), so a use case that
-- updates a lead three times sends one lead.updated carrying the final state.
CREATE TABLE webhook_events (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  type       text NOT NULL,
  entity     text NOT NULL,
  entity_id  uuid NOT NULL,
  data       jsonb NOT NULL,
  actor_id   uuid,
  tx_id      bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_events_tx_key ON webhook_events (tx_id, type, entity_id);
CREATE INDEX webhook_events_created_at_idx ON webhook_events (created_at);

-- The delivery log: one row per event and subscription (and one per manual redelivery).
CREATE TABLE webhook_deliveries (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  event_id        uuid NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
  subscription_id uuid NOT NULL REFERENCES webhook_subscriptions(id) ON DELETE CASCADE,
  event_type      text NOT NULL,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
  response_status integer,
  last_error      text,
  duration_ms     integer,
  next_attempt_at timestamptz(3) DEFAULT now(),
  last_attempt_at timestamptz(3),
  delivered_at    timestamptz(3),
  redelivery_of   uuid REFERENCES webhook_deliveries(id) ON DELETE SET NULL,
  job_id          uuid REFERENCES jobs(id) ON DELETE SET NULL,
  created_by      uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX webhook_deliveries_once_key ON webhook_deliveries (event_id, subscription_id) WHERE redelivery_of IS NULL;
CREATE INDEX webhook_deliveries_subscription_idx ON webhook_deliveries (subscription_id, created_at, id);
CREATE INDEX webhook_deliveries_created_at_idx ON webhook_deliveries (created_at, id);
CREATE INDEX webhook_deliveries_job_id_idx ON webhook_deliveries (job_id);
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON webhook_deliveries FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Webhooks send CRM data out of Clara: admins only, end to end.
ALTER TABLE webhook_subscriptions ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin ON webhook_subscriptions FOR ALL TO clara_app
  USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT (id, url, description, events, is_active, disabled_reason, created_by, created_at, updated_at),
  INSERT, UPDATE, DELETE ON webhook_subscriptions TO clara_app;

ALTER TABLE webhook_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON webhook_events FOR SELECT TO clara_app USING ((SELECT app.is_admin()));
GRANT SELECT ON webhook_events TO clara_app;

ALTER TABLE webhook_deliveries ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin ON webhook_deliveries FOR ALL TO clara_app
  USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, INSERT ON webhook_deliveries TO clara_app;

-- Who created, changed or removed a subscription matters (it decides where CRM data goes), but
-- the audit trail is readable by admins and must not become a second copy of the secret.
CREATE FUNCTION app.audit_without_secret() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - app.quiet_columns() - 'secret' END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - app.quiet_columns() - 'secret' END;
BEGIN
  IF TG_OP = 'UPDATE' AND old_row = new_row AND OLD.secret = NEW.secret THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'UPDATE' AND OLD.secret <> NEW.secret THEN
    new_row := new_row || '{"secret_rotated": true}';
  END IF;
  INSERT INTO admin_audit (actor_id, action, table_name, record_id, before, after)
  VALUES (app.current_user_id(),
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          TG_TABLE_NAME, coalesce(new_row, old_row) ->> 'id', old_row, new_row);
  RETURN NULL;
END
$$;
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON webhook_subscriptions
  FOR EACH ROW EXECUTE FUNCTION app.audit_without_secret();

-- Changes of a column across several statements of one transaction: the first "from", the last "to".
CREATE FUNCTION app.merge_webhook_changes(earlier jsonb, later jsonb) RETURNS jsonb
  LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(earlier, '{}') || coalesce((
      SELECT jsonb_object_agg(l.key, CASE WHEN earlier ? l.key
        THEN jsonb_build_object('from', earlier -> l.key -> 'from', 'to', l.value -> 'to') ELSE l.value END)
        FROM jsonb_each(later) l), '{}')
  $$;

-- Records one event (merged with the same event of this transaction) and, the first time,
-- queues one delivery job per active subscription that chose its type.
CREATE FUNCTION app.emit_webhook_event(kind text, noun text, record_id uuid, record jsonb, changes jsonb)
  RETURNS void LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  tx bigint := pg_current_xact_id()::text::bigint;
  earlier webhook_events%ROWTYPE;
  new_event_id uuid;
  sub_id uuid;
  new_delivery_id uuid;
BEGIN
  SELECT * INTO earlier FROM webhook_events e WHERE e.tx_id = tx AND e.type = kind AND e.entity_id = record_id;
  IF FOUND THEN
    UPDATE webhook_events e SET data = jsonb_build_object(noun, record) ||
        CASE WHEN changes IS NULL THEN '{}'::jsonb
             ELSE jsonb_build_object('changes', app.merge_webhook_changes(earlier.data -> 'changes', changes)) END
     WHERE e.id = earlier.id;
    RETURN;
  END IF;
  INSERT INTO webhook_events (type, entity, entity_id, data, actor_id, tx_id)
  VALUES (kind, noun, record_id,
          jsonb_build_object(noun, record) ||
            CASE WHEN changes IS NULL THEN '{}'::jsonb ELSE jsonb_build_object('changes', changes) END,
          app.current_user_id(), tx)
  RETURNING id INTO new_event_id;
  FOR sub_id IN
    SELECT s.id FROM webhook_subscriptions s WHERE s.is_active AND kind = ANY (s.events) ORDER BY s.created_at
  LOOP
    new_delivery_id := gen_random_uuid();
    INSERT INTO webhook_deliveries (id, event_id, subscription_id, event_type, job_id)
    VALUES (new_delivery_id, new_event_id, sub_id, kind,
            app.enqueue_job('webhook.deliver', jsonb_build_object('delivery_id', new_delivery_id)));
  END LOOP;
END
$$;

-- The event a new record sends, and the milestones a record in this state has reached.
CREATE FUNCTION app.webhook_created_event(noun text) RETURNS text LANGUAGE sql IMMUTABLE
  AS $$ SELECT CASE noun WHEN 'meeting' THEN 'meeting.scheduled' ELSE noun || '.created' END $$;

CREATE FUNCTION app.webhook_milestones(noun text, old_row jsonb, new_row jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
    SELECT array_remove(ARRAY[
      CASE WHEN noun = 'lead' AND new_row ->> 'qualification_status' IN ('marketing_qualified', 'sales_qualified')
             AND (old_row IS NULL OR old_row ->> 'qualification_status' IS DISTINCT FROM new_row ->> 'qualification_status')
           THEN 'lead.qualified' END,
      CASE WHEN noun = 'lead' AND new_row ->> 'deleted_at' IS NOT NULL AND old_row IS NOT NULL
             AND old_row ->> 'deleted_at' IS NULL
           THEN 'lead.deleted' END,
      CASE WHEN noun = 'call' AND new_row ->> 'call_end_time' IS NOT NULL
             AND (old_row IS NULL OR old_row ->> 'call_end_time' IS NULL)
           THEN 'call.completed' END,
      CASE WHEN noun = 'meeting' AND new_row ->> 'status' = 'Cancelled'
             AND (old_row IS NULL OR old_row ->> 'status' IS DISTINCT FROM 'Cancelled')
           THEN 'meeting.cancelled' END,
      CASE WHEN noun = 'follow_up' AND new_row ->> 'status' = 'Completed'
             AND (old_row IS NULL OR old_row ->> 'status' IS DISTINCT FROM 'Completed')
           THEN 'follow_up.completed' END
    ], NULL)
  $$;

-- Which events a write of leads, calls, meetings or follow-ups produces (docs/webhooks.md).
-- A record created and changed in one transaction sends its creation event with the state it
-- has at commit, plus the milestones it reached, but no ".updated".
CREATE FUNCTION app.webhook_events_of_change() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  noun text := CASE TG_TABLE_NAME WHEN 'leads' THEN 'lead' WHEN 'calls' THEN 'call'
                 WHEN 'meetings' THEN 'meeting' WHEN 'follow_ups' THEN 'follow_up' END;
  new_row jsonb := to_jsonb(NEW) - 'search';
  old_row jsonb;
  changed text[];
  changes jsonb;
  kind text;
  kinds text[];
BEGIN
  -- Nobody listens to this kind of record: one probe of a small table per written row.
  IF NOT EXISTS (SELECT 1 FROM webhook_subscriptions s
                  WHERE s.is_active AND EXISTS (SELECT 1 FROM unnest(s.events) ev WHERE split_part(ev, '.', 1) = noun)) THEN
    RETURN NULL;
  END IF;

  IF TG_OP = 'INSERT' THEN
    -- The creation event is recorded even without subscribers: it tells later writes of this
    -- transaction that the record is new.
    kinds := array_prepend(app.webhook_created_event(noun), app.webhook_milestones(noun, NULL, new_row));
  ELSE
    old_row := to_jsonb(OLD) - 'search';
    changed := app.changed_columns(old_row, new_row);
    IF cardinality(changed) = 0 THEN
      RETURN NULL;
    END IF;
    -- Every event this transaction already recorded for the record carries its latest state.
    UPDATE webhook_events e SET data = jsonb_set(e.data, ARRAY[noun], new_row)
     WHERE e.tx_id = pg_current_xact_id()::text::bigint AND e.entity_id = NEW.id;
    IF EXISTS (SELECT 1 FROM webhook_events e
                WHERE e.tx_id = pg_current_xact_id()::text::bigint AND e.entity_id = NEW.id
                  AND e.type = app.webhook_created_event(noun)) THEN
      kinds := app.webhook_milestones(noun, old_row, new_row);
    ELSE
      SELECT jsonb_object_agg(c, jsonb_build_object('from', old_row -> c, 'to', new_row -> c)) INTO changes
        FROM unnest(changed) c;
      kinds := array_prepend(noun || '.updated', app.webhook_milestones(noun, old_row, new_row));
      IF noun = 'lead' AND 'agent_id' = ANY (changed) THEN
        kinds := array_append(kinds, 'lead.assigned');
      END IF;
      IF noun = 'lead' AND changed && ARRAY['qualification_status', 'status_bucket', 'pipeline_stage_id'] THEN
        kinds := array_append(kinds, 'lead.status_changed');
      END IF;
    END IF;
  END IF;
  FOREACH kind IN ARRAY kinds LOOP
    PERFORM app.emit_webhook_event(kind, noun, NEW.id, new_row, changes);
  END LOOP;
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['leads', 'calls', 'meetings', 'follow_ups'] LOOP
    EXECUTE format('CREATE TRIGGER webhook_events AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION app.webhook_events_of_change()', t);
  END LOOP;
END
$$;

-- ---------------------------------------------------------------------------
-- Inbound webhook of an external CRM
-- ---------------------------------------------------------------------------
-- Every applied event, keyed by the sender's event id: the primary key is what makes a retried
-- or replayed event change nothing the second time, even when both copies arrive at once.
CREATE TABLE inbound_webhook_events (
  source      text NOT NULL CHECK (source ~ '^[a-z_]{1,40}$'),
  event_id    text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
  type        text NOT NULL,
  lead_id     uuid REFERENCES leads(id) ON DELETE SET NULL,
  payload     jsonb NOT NULL,
  received_at timestamptz(3) NOT NULL DEFAULT now(),
  PRIMARY KEY (source, event_id)
);
ALTER TABLE inbound_webhook_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin ON inbound_webhook_events FOR ALL TO clara_app
  USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, INSERT ON inbound_webhook_events TO clara_app;

-- The external CRM acts as this service user, so its changes go through row-level security,
-- the lead rules and the audit trail like anyone's. It has no password and cannot sign in.
INSERT INTO users (email, full_name, role, is_service)
VALUES ('crm.integration@clara.local', 'External CRM', 'admin', true)
ON CONFLICT DO NOTHING;
