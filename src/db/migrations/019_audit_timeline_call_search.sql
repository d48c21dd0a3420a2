-- The last gaps of issue 2's audit trail, lead timeline and transcript search
-- (docs/security.md "Audit", docs/api.md, docs/benchmarks.md "## API").

-- ---------------------------------------------------------------------------
-- 1. app.audit() learns two optional trigger arguments
-- ---------------------------------------------------------------------------
-- The first names the column that identifies a record (default id: notification_preferences
-- is keyed by user_id), the others are columns of that table to leave out of before/after
-- (besides app.quiet_columns()). A trigger without arguments behaves exactly as in 002.
CREATE OR REPLACE FUNCTION app.audit() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  key_column text := coalesce(TG_ARGV[0], 'id');
  quiet text[] := app.quiet_columns() || coalesce(TG_ARGV[1:TG_NARGS - 1], '{}');
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - quiet END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - quiet END;
BEGIN
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL;
  END IF;
  INSERT INTO admin_audit (actor_id, action, table_name, record_id, before, after)
  VALUES (app.current_user_id(),
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          TG_TABLE_NAME, coalesce(new_row, old_row) ->> key_column, old_row, new_row);
  RETURN NULL;
END
$$;

-- ---------------------------------------------------------------------------
-- 2. Audit of notifications, notification preferences and imports
-- ---------------------------------------------------------------------------
-- Notifications: every change, reads included. Who was told what, and when they saw or
-- dismissed it, is what an admin asks after a missed hot lead. The volume is bounded: a
-- notification is created once, read at most once (read_at keeps the first read, and reading
-- again changes only updated_at, which app.audit ignores) and dismissed at most once, so at most
-- three rows each, whatever "mark all read" touches.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON notifications
  FOR EACH ROW EXECUTE FUNCTION app.audit();

-- Preferences: one row per person, changed by hand; the record id is the person's.
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON notification_preferences
  FOR EACH ROW EXECUTE FUNCTION app.audit('user_id');

-- Imports: who started which import (the insert) and how it ended (the update that sets its
-- status). Progress updates after each batch of rows are not audited: a 100k-row file would add
-- 200 rows saying only "500 more rows". The per-row errors (up to 1,000) stay in the import itself
-- (GET /api/v1/imports/{id}); the audit keeps the counts. The records an import writes are
-- audited on their own tables.
CREATE TRIGGER audit AFTER INSERT OR DELETE OR UPDATE OF status ON imports
  FOR EACH ROW EXECUTE FUNCTION app.audit('id', 'errors');

-- ---------------------------------------------------------------------------
-- 3. Conversations on the lead's timeline
-- ---------------------------------------------------------------------------
-- Like app.lead_timeline (002): an activity on the lead, by the current user, with the entity
-- and its id in metadata. But a conversation changes at every turn (messages, Clara's state):
-- the generic "Conversation Updated" would add an entry per message. Only its life events go on
-- the timeline: started (created with a lead, or first attached to one, as when Clara creates
-- the lead during a chat), ended, deleted, restored. A conversation moved from one lead to
-- another is a merge, which logs itself.
CREATE FUNCTION app.conversation_timeline() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  what text := CASE NEW.channel WHEN 'web' THEN 'Web chat' WHEN 'sms' THEN 'SMS conversation'
                 WHEN 'voice' THEN 'Voice conversation' ELSE 'Email conversation' END;
  events text[] := '{}';
BEGIN
  IF NEW.lead_id IS NULL OR (TG_OP = 'UPDATE' AND OLD.lead_id IS DISTINCT FROM NEW.lead_id AND OLD.lead_id IS NOT NULL) THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' OR OLD.lead_id IS NULL THEN
    events := events || 'created'::text;
  END IF;
  IF TG_OP = 'UPDATE' THEN
    IF OLD.status = 'active' AND NEW.status = 'ended' THEN
      events := events || 'ended'::text;
    END IF;
    IF OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN
      events := events || 'deleted'::text;
    ELSIF OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN
      events := events || 'restored'::text;
    END IF;
  END IF;
  IF cardinality(events) = 0 THEN
    RETURN NULL;
  END IF;

  INSERT INTO activities (activity_type, subject, lead_id, created_by, metadata)
  SELECT 'conversation_' || event,
         what || ' ' || CASE event WHEN 'created' THEN 'started' ELSE event END,
         NEW.lead_id, app.current_user_id(),
         jsonb_build_object('entity', 'conversation', 'entity_id', NEW.id, 'channel', NEW.channel,
                            'messages', CASE jsonb_typeof(NEW.messages) WHEN 'array' THEN jsonb_array_length(NEW.messages) END)
    FROM unnest(events) WITH ORDINALITY AS e(event, position)
   ORDER BY position;
  RETURN NULL;
END
$$;
CREATE TRIGGER lead_timeline AFTER INSERT OR UPDATE ON conversations
  FOR EACH ROW EXECUTE FUNCTION app.conversation_timeline();

-- ---------------------------------------------------------------------------
-- 4. Transcript search through the GIN index
-- ---------------------------------------------------------------------------
-- The same problem as lead search (007, 014): `tsvector @@ tsquery` is not LEAKPROOF, so under
-- row-level security PostgreSQL evaluates the calls policy first and cannot use calls_search_idx:
-- GET /api/v1/calls?q= read (and de-TOASTed) every transcript's tsvector. This finds the
-- candidate ids as the owner through the index, applying the calls "read" policy of 002 itself:
-- admins and viewers see every call, others the calls their team owns and the calls of leads
-- they see (the leads policy: their team's, unassigned, or owned by an AI user). The caller's
-- visibility is computed first and passed as values, as in 014. At most max_rows ids, in no
-- order, nothing for a caller without an active role. The request then reads those ids from
-- calls as clara_app, so the policy still decides what is returned.
CREATE FUNCTION app.search_call_ids(q tsquery, max_rows integer) RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
DECLARE
  sees_all boolean;
  owners uuid[];
  pool uuid[];
  seqscan text := current_setting('enable_seqscan');
  indexscan text := current_setting('enable_indexscan');
BEGIN
  IF app.current_user_role() IS NULL THEN
    RETURN;
  END IF;
  sees_all := app.sees_all();
  owners := app.visible_owner_ids();
  pool := app.pool_owner_ids();
  -- Through the GIN index, always, for this one statement (local to the transaction, put back
  -- right after it, as in 014). Sequential scans off: for a common word the planner would read
  -- every transcript hoping to meet max_rows matches early. Plain index scans off too: the GIN
  -- index's pending list (new and updated calls, until the next vacuum; a call's transcript
  -- changes at every turn) makes the planner overestimate it, and PostgreSQL 15 then read the
  -- whole calls_lead_id_idx instead, row by row (test/integration/call-search.test.ts). Bitmap
  -- scans remain: the GIN index for calls, the primary key for the leads of the matches.
  PERFORM set_config('enable_seqscan', 'off', true);
  PERFORM set_config('enable_indexscan', 'off', true);
  -- The lead as a LEFT JOIN, not EXISTS: under the OR an EXISTS stays a sub-plan, which PostgreSQL
  -- hashes by reading every lead the caller sees (a quarter of the table for an agent) before the
  -- first call; a join may look up only the matching calls' leads. For admins and viewers ($3)
  -- the join is unused and PostgreSQL removes it.
  RETURN QUERY EXECUTE
    'SELECT c.id FROM calls c LEFT JOIN leads l ON l.id = c.lead_id
      WHERE c.search @@ $1
        AND ($3 OR c.user_id = ANY ($4)
             OR l.agent_id = ANY ($4) OR (l.id IS NOT NULL AND l.agent_id IS NULL) OR l.agent_id = ANY ($5))
      LIMIT $2' USING q, max_rows, sees_all, owners, pool;
  PERFORM set_config('enable_seqscan', seqscan, true);
  PERFORM set_config('enable_indexscan', indexscan, true);
END
$$;
REVOKE EXECUTE ON FUNCTION app.search_call_ids(tsquery, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.search_call_ids(tsquery, integer) TO clara_app;
