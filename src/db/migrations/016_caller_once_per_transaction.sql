-- The caller is looked up once per transaction, not once per policy check.
--
-- Until now every policy helper (app.current_user_role, app.sees_all, app.visible_owner_ids,
-- app.pool_owner_ids, ...) was an owner-run SQL function that read `users` again: a read of one
-- lead as an agent ran five of them (each an InitPlan: a function call, its own plan on
-- PostgreSQL 15, a lookup in `users`), and the manager's team was walked again in every statement.
-- Owner-run functions cannot be inlined, so the planner saw them as black boxes.
--
-- Now the request transaction starts, as the owner and before SET LOCAL ROLE clara_app, with one
-- of the functions below. It checks the credential, reads the caller's role, team and the AI
-- users once, and keeps them in transaction-local settings (set_config(..., true)): they vanish at
-- COMMIT or ROLLBACK, so a pooled connection never carries a caller into the next transaction.
-- The helpers keep their names and meanings and become plain SQL reading those settings, which
-- PostgreSQL inlines into every policy.
--
-- Trust: the settings are as trustworthy as app.user_id always was. clara_app can call
-- set_config, so SQL injected into a request could claim any caller before and can now; the
-- server never runs SQL it did not write, and nothing here widens what a caller who does not
-- inject SQL can do. A transaction that runs as clara_app without passing through these functions
-- has no role setting, so the restrictive active_role policy (014) gives it no rows.
--
-- The functions that take a credential re-check it in every transaction, in the same round
-- trip as BEGIN: the server may remember who a cookie or key belongs to (src/auth/actor-cache.ts),
-- but a session that was ended or a user deactivated in another process is refused here, with
-- SQLSTATE 28000 (invalid_authorization_specification), which the server answers with a 401.

CREATE FUNCTION app.act_as(caller uuid) RETURNS text
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
DECLARE
  caller_role text;
  owners uuid[] := '{}';
  pool uuid[] := '{}';
BEGIN
  SELECT role INTO caller_role FROM users WHERE id = caller AND is_active;
  IF caller_role IS NOT NULL THEN
    -- The owners whose records the caller works on: themself and, for a manager, everyone who
    -- reports to them (transitively).
    WITH RECURSIVE team(id) AS (
      SELECT caller
      UNION
      SELECT u.id FROM users u JOIN team t ON u.manager_id = t.id WHERE caller_role = 'manager'
    )
    SELECT array_agg(id) INTO owners FROM team;
    -- The AI users: their leads form the shared inbound pool that every agent may work and claim.
    SELECT coalesce(array_agg(id), '{}') INTO pool FROM users WHERE is_ai;
  END IF;
  PERFORM set_config('app.user_id', caller::text, true);
  PERFORM set_config('app.user_role', coalesce(caller_role, ''), true);
  PERFORM set_config('app.owner_ids', owners::text, true);
  PERFORM set_config('app.pool_ids', pool::text, true);
  RETURN caller_role;
END
$$;

-- A signed-in person: the session must exist, be unexpired and belong to an active user.
CREATE FUNCTION app.act_as_session(session_token_hash text) RETURNS text
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
DECLARE
  caller uuid;
BEGIN
  SELECT s.user_id INTO caller
    FROM sessions s JOIN users u ON u.id = s.user_id
   WHERE s.token_hash = session_token_hash AND s.expires_at > now() AND u.is_active;
  IF caller IS NULL THEN
    RAISE EXCEPTION 'session ended or user deactivated' USING ERRCODE = 'invalid_authorization_specification';
  END IF;
  RETURN app.act_as(caller);
END
$$;

-- A machine with an API key: the key must be unrevoked, unexpired and its user active. Its use
-- is recorded at most once a minute (the key list shows "last used").
CREATE FUNCTION app.act_as_api_key(api_key_hash text) RETURNS text
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
DECLARE
  key_id uuid;
  caller uuid;
BEGIN
  SELECT k.id, k.user_id INTO key_id, caller
    FROM api_keys k JOIN users u ON u.id = k.user_id
   WHERE k.key_hash = api_key_hash AND k.revoked_at IS NULL
     AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active;
  IF caller IS NULL THEN
    RAISE EXCEPTION 'API key revoked or expired, or user deactivated' USING ERRCODE = 'invalid_authorization_specification';
  END IF;
  UPDATE api_keys SET last_used_at = now()
   WHERE id = key_id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
  RETURN app.act_as(caller);
END
$$;

-- Only the server, as the owner, starts a request's transaction.
REVOKE EXECUTE ON FUNCTION app.act_as(uuid), app.act_as_session(text), app.act_as_api_key(text) FROM PUBLIC, clara_app;

-- The helpers: same names and meanings, now plain reads of the settings, which the planner inlines.
-- No role (no act_as in this transaction, or an inactive user) means NULL, false and empty lists.
CREATE OR REPLACE FUNCTION app.current_user_role() RETURNS text
  LANGUAGE sql STABLE SECURITY INVOKER
  AS $$ SELECT nullif(current_setting('app.user_role', true), '') $$;

CREATE OR REPLACE FUNCTION app.sees_all() RETURNS boolean
  LANGUAGE sql STABLE SECURITY INVOKER
  AS $$ SELECT coalesce(nullif(current_setting('app.user_role', true), '') IN ('admin', 'viewer'), false) $$;

CREATE OR REPLACE FUNCTION app.is_admin() RETURNS boolean
  LANGUAGE sql STABLE SECURITY INVOKER
  AS $$ SELECT coalesce(nullif(current_setting('app.user_role', true), '') = 'admin', false) $$;

CREATE OR REPLACE FUNCTION app.can_write() RETURNS boolean
  LANGUAGE sql STABLE SECURITY INVOKER
  AS $$ SELECT coalesce(nullif(current_setting('app.user_role', true), '') IN ('admin', 'manager', 'agent'), false) $$;

CREATE OR REPLACE FUNCTION app.visible_owner_ids() RETURNS uuid[]
  LANGUAGE sql STABLE SECURITY INVOKER
  AS $$ SELECT coalesce(nullif(current_setting('app.owner_ids', true), '')::uuid[], '{}') $$;

CREATE OR REPLACE FUNCTION app.pool_owner_ids() RETURNS uuid[]
  LANGUAGE sql STABLE SECURITY INVOKER
  AS $$ SELECT coalesce(nullif(current_setting('app.pool_ids', true), '')::uuid[], '{}') $$;

-- Servers remember who a credential stands for (src/auth/actor-cache.ts); a change to a user's
-- role or active flag tells every server process to forget that user at once.
CREATE FUNCTION app.notify_auth_change() RETURNS trigger
  LANGUAGE plpgsql
  AS $$
BEGIN
  PERFORM pg_notify('clara_auth', NEW.id::text);
  RETURN NULL;
END
$$;
CREATE TRIGGER notify_auth_change AFTER UPDATE OF role, is_active ON users
  FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role OR OLD.is_active IS DISTINCT FROM NEW.is_active)
  EXECUTE FUNCTION app.notify_auth_change();
