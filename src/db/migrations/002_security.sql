-- Who may do what, enforced by PostgreSQL itself.
--
-- Every API request runs in one transaction as the non-owner role clara_app with the caller's
-- id in app.user_id (see src/db/with-user.ts). Table owners and superusers bypass RLS, so
-- system work (migrations, login, audit triggers) runs as the owner and request work never does.
--
-- Visibility:
--   admin, viewer : every record (viewer may not write CRM data)
--   manager       : records owned by the manager or anyone reporting to them (transitively)
--   agent         : records they own
--   everyone      : unassigned leads and leads owned by an AI user (the shared inbound pool,
--                   which agents claim by assigning the lead to themselves)
-- Child records (calls, notes, meetings, ...) follow their lead/client/contact/opportunity.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'clara_app') THEN
    CREATE ROLE clara_app NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS;
  END IF;
  -- PostgreSQL 15 needs explicit membership before the login role may SET ROLE clara_app.
  EXECUTE format('GRANT clara_app TO %I', current_user);
END
$$;

GRANT USAGE ON SCHEMA public, app TO clara_app;

-- ---------------------------------------------------------------------------
-- Identity of the caller
-- ---------------------------------------------------------------------------
CREATE FUNCTION app.current_user_id() RETURNS uuid
  LANGUAGE sql STABLE
  AS $$ SELECT nullif(current_setting('app.user_id', true), '')::uuid $$;

CREATE FUNCTION app.current_user_role() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT role FROM users WHERE id = app.current_user_id() AND is_active $$;

-- Admins and viewers read everything.
CREATE FUNCTION app.sees_all() RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT coalesce(app.current_user_role() IN ('admin', 'viewer'), false) $$;

CREATE FUNCTION app.is_admin() RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT coalesce(app.current_user_role() = 'admin', false) $$;

CREATE FUNCTION app.can_write() RETURNS boolean
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT coalesce(app.current_user_role() IN ('admin', 'manager', 'agent'), false) $$;

-- The owners whose records the caller works on: themself and, for a manager, everyone who
-- reports to them (transitively).
CREATE FUNCTION app.visible_owner_ids() RETURNS uuid[]
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
    WITH RECURSIVE team(id) AS (
      SELECT id FROM users WHERE id = app.current_user_id() AND is_active
      UNION
      SELECT u.id FROM users u JOIN team t ON u.manager_id = t.id
       WHERE app.current_user_role() = 'manager'
    )
    SELECT coalesce(array_agg(id), '{}') FROM team
  $$;

-- The AI users. Their leads form the shared inbound pool that every agent may work and claim.
CREATE FUNCTION app.pool_owner_ids() RETURNS uuid[]
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT coalesce(array_agg(id), '{}') FROM users WHERE is_ai AND app.current_user_role() IS NOT NULL $$;

-- ---------------------------------------------------------------------------
-- Generic policy builders, so that every table states its rule in one line
-- ---------------------------------------------------------------------------

-- Records with an owner column: visible to sees_all, to their owner's team, or when
-- parent_clause holds (a parent record is visible, or the record is in a shared pool).
CREATE FUNCTION app.apply_owned_policies(tbl regclass, owner_col text, parent_clause text)
  RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  visible text := format(
    '(SELECT app.sees_all()) OR %1$I = ANY ((SELECT app.visible_owner_ids())::uuid[]) OR (%2$s)',
    owner_col, parent_clause);
  writable text := format(
    '(SELECT app.is_admin()) OR ((SELECT app.can_write()) AND (%1$I = ANY ((SELECT app.visible_owner_ids())::uuid[]) OR (%2$s)))',
    owner_col, parent_clause);
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY read ON %s FOR SELECT TO clara_app USING (%s)', tbl, visible);
  EXECUTE format('CREATE POLICY insert ON %s FOR INSERT TO clara_app WITH CHECK (%s)', tbl, writable);
  EXECUTE format('CREATE POLICY update ON %s FOR UPDATE TO clara_app USING (%s) WITH CHECK (%s)', tbl, writable, writable);
  EXECUTE format('CREATE POLICY delete ON %s FOR DELETE TO clara_app USING ((SELECT app.is_admin()))', tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO clara_app', tbl);
END
$$;

-- Records with no owner of their own (they belong to a parent record): visible when a parent is.
CREATE FUNCTION app.apply_child_policies(tbl regclass, parent_clause text)
  RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY', tbl);
  EXECUTE format('CREATE POLICY read ON %s FOR SELECT TO clara_app USING ((SELECT app.sees_all()) OR %s)', tbl, parent_clause);
  EXECUTE format('CREATE POLICY insert ON %s FOR INSERT TO clara_app WITH CHECK ((SELECT app.can_write()) AND (%s))', tbl, parent_clause);
  EXECUTE format('CREATE POLICY update ON %s FOR UPDATE TO clara_app USING ((SELECT app.can_write()) AND (%2$s)) WITH CHECK ((SELECT app.can_write()) AND (%2$s))', tbl, parent_clause);
  EXECUTE format('CREATE POLICY delete ON %s FOR DELETE TO clara_app USING ((SELECT app.is_admin()))', tbl);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %s TO clara_app', tbl);
END
$$;

-- The parent subqueries run as clara_app, so the parent's own policy decides: an agent sees a
-- call because they see its lead, and nothing more.
-- Unassigned and AI-owned leads are the shared pool; unowned clients and contacts are a shared
-- directory. Elsewhere an owner of NULL grants nothing: a call or meeting is visible through its lead.
SELECT app.apply_owned_policies('leads', 'agent_id',
  'agent_id IS NULL OR agent_id = ANY ((SELECT app.pool_owner_ids())::uuid[])');
SELECT app.apply_owned_policies('clients', 'agent_id',
  'agent_id IS NULL OR EXISTS (SELECT 1 FROM leads l WHERE l.client_id = clients.id)');
SELECT app.apply_owned_policies('contacts', 'agent_id',
  'agent_id IS NULL OR EXISTS (SELECT 1 FROM clients c WHERE c.id = contacts.client_id)');
SELECT app.apply_owned_policies('opportunities', 'agent_id',
  'EXISTS (SELECT 1 FROM leads l WHERE l.id = opportunities.lead_id)');
SELECT app.apply_owned_policies('follow_ups', 'agent_id',
  'EXISTS (SELECT 1 FROM leads l WHERE l.id = follow_ups.lead_id)');
SELECT app.apply_owned_policies('meetings', 'agent_id',
  'EXISTS (SELECT 1 FROM leads l WHERE l.id = meetings.lead_id)');
SELECT app.apply_owned_policies('todos', 'assigned_to',
  'created_by = (SELECT app.current_user_id()) OR EXISTS (SELECT 1 FROM leads l WHERE l.id = todos.lead_id)');
SELECT app.apply_owned_policies('calls', 'user_id',
  'EXISTS (SELECT 1 FROM leads l WHERE l.id = calls.lead_id)');
SELECT app.apply_owned_policies('conversations', 'user_id',
  'EXISTS (SELECT 1 FROM leads l WHERE l.id = conversations.lead_id)');

-- Timeline records: visible with any record they are attached to; an unattached one only to its author.
SELECT app.apply_child_policies('activities',
  '(created_by = (SELECT app.current_user_id()) AND num_nonnulls(lead_id, client_id, contact_id, opportunity_id) = 0)
    OR EXISTS (SELECT 1 FROM leads l WHERE l.id = activities.lead_id)
    OR EXISTS (SELECT 1 FROM clients c WHERE c.id = activities.client_id)
    OR EXISTS (SELECT 1 FROM contacts c WHERE c.id = activities.contact_id)
    OR EXISTS (SELECT 1 FROM opportunities o WHERE o.id = activities.opportunity_id)');
SELECT app.apply_child_policies('notes',
  'EXISTS (SELECT 1 FROM leads l WHERE l.id = notes.lead_id)
    OR EXISTS (SELECT 1 FROM clients c WHERE c.id = notes.client_id)
    OR EXISTS (SELECT 1 FROM contacts c WHERE c.id = notes.contact_id)
    OR EXISTS (SELECT 1 FROM opportunities o WHERE o.id = notes.opportunity_id)');
SELECT app.apply_child_policies('todo_comments',
  'EXISTS (SELECT 1 FROM todos t WHERE t.id = todo_comments.todo_id)');
SELECT app.apply_child_policies('todo_attachments',
  'EXISTS (SELECT 1 FROM todos t WHERE t.id = todo_attachments.todo_id)');

-- Directory tables: everyone signed in reads them, only admins change them.
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON users FOR SELECT TO clara_app USING ((SELECT app.current_user_role()) IS NOT NULL);
CREATE POLICY write ON users FOR ALL TO clara_app USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, INSERT, UPDATE, DELETE ON users TO clara_app;

ALTER TABLE pipeline_stages ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON pipeline_stages FOR SELECT TO clara_app USING ((SELECT app.current_user_role()) IS NOT NULL);
CREATE POLICY write ON pipeline_stages FOR ALL TO clara_app USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, INSERT, UPDATE, DELETE ON pipeline_stages TO clara_app;

-- Personal tables: each user their own.
ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON notifications FOR ALL TO clara_app
  USING (user_id = (SELECT app.current_user_id())) WITH CHECK (user_id = (SELECT app.current_user_id()));
GRANT SELECT, UPDATE, DELETE ON notifications TO clara_app;

ALTER TABLE notification_preferences ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON notification_preferences FOR ALL TO clara_app
  USING (user_id = (SELECT app.current_user_id())) WITH CHECK (user_id = (SELECT app.current_user_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON notification_preferences TO clara_app;

ALTER TABLE imports ENABLE ROW LEVEL SECURITY;
CREATE POLICY own ON imports FOR ALL TO clara_app
  USING (created_by = (SELECT app.current_user_id()) OR (SELECT app.is_admin()))
  WITH CHECK (created_by = (SELECT app.current_user_id()));
GRANT SELECT, INSERT, UPDATE ON imports TO clara_app;

-- Admin-only tables. admin_audit is written by a SECURITY DEFINER trigger, never by requests.
ALTER TABLE admin_audit ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON admin_audit FOR SELECT TO clara_app USING ((SELECT app.is_admin()));
GRANT SELECT ON admin_audit TO clara_app;

ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin ON api_keys FOR ALL TO clara_app USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys TO clara_app;

-- sessions and user_credentials: no grant at all; only the server's system connection reads them.
ALTER TABLE sessions ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_credentials ENABLE ROW LEVEL SECURITY;

GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO clara_app;
REVOKE EXECUTE ON FUNCTION app.apply_owned_policies(regclass, text, text), app.apply_child_policies(regclass, text) FROM PUBLIC, clara_app;

-- ---------------------------------------------------------------------------
-- Triggers: updated_at, audit, lead timeline, change events
-- ---------------------------------------------------------------------------
CREATE FUNCTION app.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;

-- Columns that change on their own and say nothing to a person reading a history.
CREATE FUNCTION app.quiet_columns() RETURNS text[] LANGUAGE sql IMMUTABLE
  AS $$ SELECT ARRAY['updated_at', 'search', 'content', 'key_hash', 'last_touch_date', 'stage_changed_at'] $$;

CREATE FUNCTION app.changed_columns(old_row jsonb, new_row jsonb) RETURNS text[]
  LANGUAGE sql IMMUTABLE AS $$
    SELECT coalesce(array_agg(key ORDER BY key), '{}')
      FROM jsonb_each(new_row) n
     WHERE n.value IS DISTINCT FROM old_row -> n.key
       AND n.key <> ALL (app.quiet_columns())
  $$;

CREATE FUNCTION app.audit() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  old_row jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) - app.quiet_columns() END;
  new_row jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) - app.quiet_columns() END;
BEGIN
  IF TG_OP = 'UPDATE' AND old_row = new_row THEN
    RETURN NULL;
  END IF;
  INSERT INTO admin_audit (actor_id, action, table_name, record_id, before, after)
  VALUES (app.current_user_id(),
          CASE TG_OP WHEN 'INSERT' THEN 'create' WHEN 'UPDATE' THEN 'update' ELSE 'delete' END,
          TG_TABLE_NAME, coalesce(new_row, old_row) ->> 'id', old_row, new_row);
  RETURN NULL;
END
$$;

-- What a person sees on a lead's timeline when the lead or something attached to it changes.
-- Rows are read as jsonb because one function serves tables with different columns.
CREATE FUNCTION app.lead_timeline() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  entity text := CASE TG_TABLE_NAME
    WHEN 'leads' THEN 'lead' WHEN 'follow_ups' THEN 'follow_up' WHEN 'opportunities' THEN 'opportunity'
    ELSE rtrim(TG_TABLE_NAME, 's') END;
  new_row jsonb := to_jsonb(NEW);
  old_row jsonb := CASE WHEN TG_OP = 'UPDATE' THEN to_jsonb(OLD) END;
  lead uuid := CASE WHEN TG_TABLE_NAME = 'leads' THEN new_row ->> 'id' ELSE new_row ->> 'lead_id' END;
  changed text[];
  kind text;
  meta jsonb := '{}';
  subject text;
BEGIN
  IF lead IS NULL THEN
    RETURN NULL;
  END IF;

  IF TG_OP = 'INSERT' THEN
    kind := entity || '_created';
  ELSE
    changed := app.changed_columns(old_row, new_row);
    -- A record moved to another lead (a merge) says nothing new; the merge logs itself.
    IF cardinality(changed) = 0 OR (entity <> 'lead' AND changed = ARRAY['lead_id']) THEN
      RETURN NULL;
    END IF;
    IF old_row ->> 'deleted_at' IS NULL AND new_row ->> 'deleted_at' IS NOT NULL THEN
      kind := entity || '_deleted';
    ELSIF old_row ->> 'deleted_at' IS NOT NULL AND new_row ->> 'deleted_at' IS NULL THEN
      kind := entity || '_restored';
    ELSIF entity = 'lead' AND 'pipeline_stage_id' = ANY (changed) THEN
      kind := 'stage_changed';
      meta := jsonb_build_object(
        'from_stage_id', old_row -> 'pipeline_stage_id', 'to_stage_id', new_row -> 'pipeline_stage_id',
        'from_stage', (SELECT name FROM pipeline_stages WHERE id = (old_row ->> 'pipeline_stage_id')::uuid),
        'to_stage', (SELECT name FROM pipeline_stages WHERE id = (new_row ->> 'pipeline_stage_id')::uuid));
    ELSIF entity = 'lead' AND 'agent_id' = ANY (changed) THEN
      kind := 'lead_assigned';
      meta := jsonb_build_object('from_agent_id', old_row -> 'agent_id', 'to_agent_id', new_row -> 'agent_id',
        'to_agent', (SELECT full_name FROM users WHERE id = (new_row ->> 'agent_id')::uuid));
    ELSE
      kind := entity || '_updated';
    END IF;
    meta := meta || jsonb_build_object('changed', changed);
  END IF;

  subject := CASE kind
    WHEN 'stage_changed' THEN 'Stage changed to ' || coalesce(meta ->> 'to_stage', 'none')
    WHEN 'lead_assigned' THEN 'Assigned to ' || coalesce(meta ->> 'to_agent', 'nobody')
    ELSE initcap(replace(kind, '_', ' ')) END;

  INSERT INTO activities (activity_type, subject, lead_id, created_by, metadata)
  VALUES (kind, subject, lead, app.current_user_id(),
          meta || jsonb_build_object('entity', entity, 'entity_id', new_row -> 'id'));
  RETURN NULL;
END
$$;

-- Change events for the server's event stream. Small payloads: listeners re-read the row as the
-- subscriber, so row-level security decides who hears about what.
CREATE FUNCTION app.notify_change() RETURNS trigger
  LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('clara_changes', json_build_object(
    'table', TG_TABLE_NAME, 'op', lower(TG_OP),
    'id', CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END -> 'id')::text);
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['users', 'pipeline_stages', 'clients', 'contacts', 'leads', 'opportunities',
    'activities', 'notes', 'follow_ups', 'meetings', 'todos', 'todo_comments', 'todo_attachments',
    'calls', 'conversations', 'notifications', 'imports'] LOOP
    EXECUTE format('CREATE TRIGGER touch_updated_at BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at()', t);
  END LOOP;

  FOREACH t IN ARRAY ARRAY['users', 'pipeline_stages', 'clients', 'contacts', 'leads', 'opportunities',
    'activities', 'notes', 'follow_ups', 'meetings', 'todos', 'todo_comments', 'todo_attachments',
    'calls', 'conversations', 'api_keys'] LOOP
    EXECUTE format('CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION app.audit()', t);
  END LOOP;

  FOREACH t IN ARRAY ARRAY['leads', 'opportunities', 'notes', 'follow_ups', 'meetings', 'todos', 'calls'] LOOP
    EXECUTE format('CREATE TRIGGER lead_timeline AFTER INSERT OR UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION app.lead_timeline()', t);
  END LOOP;

  FOREACH t IN ARRAY ARRAY['clients', 'contacts', 'leads', 'opportunities', 'activities', 'notes',
    'follow_ups', 'meetings', 'todos', 'calls', 'notifications'] LOOP
    EXECUTE format('CREATE TRIGGER notify_change AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION app.notify_change()', t);
  END LOOP;
END
$$;

-- A stage change restarts the "rotten" clock and, unless the caller set one, takes the stage's
-- win probability.
CREATE FUNCTION app.lead_stage_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.pipeline_stage_id IS DISTINCT FROM OLD.pipeline_stage_id THEN
    NEW.stage_changed_at := now();
    IF NEW.pipeline_stage_id IS NOT NULL AND (TG_OP = 'INSERT' OR NEW.win_probability = OLD.win_probability) THEN
      NEW.win_probability := coalesce(
        (SELECT win_probability FROM pipeline_stages WHERE id = NEW.pipeline_stage_id), NEW.win_probability);
    END IF;
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER lead_stage_changed BEFORE INSERT OR UPDATE OF pipeline_stage_id ON leads
  FOR EACH ROW EXECUTE FUNCTION app.lead_stage_changed();
