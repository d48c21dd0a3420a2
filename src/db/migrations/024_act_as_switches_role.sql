-- A request's transaction opens with one statement instead of two (issue 2, get by id).
--
-- Until now a request ran app.act_as_session / app.act_as_api_key / app.act_as (016) as the
-- owner and then switched to the request role with SET LOCAL ROLE clara_app, a second statement
-- (in readAsActor's pipeline, a second Bind/Execute with its own portal and snapshot). Each of
-- the three functions also carried `SET search_path = public, pg_temp`, which PostgreSQL applies
-- and undoes around every call, and act_as_session / act_as_api_key called act_as, a second
-- plpgsql frame with its own SET.
--
-- Now act_as ends by switching the transaction to clara_app itself (set_config('role', ..., true)
-- is SET LOCAL ROLE: it ends with the transaction, and a plain (not SECURITY DEFINER) function
-- may change the role), so the opening statement is the only one before the request's own
-- queries. The functions have no SET clause: every table is schema-qualified, and built-in
-- functions and operators resolve in pg_catalog, which PostgreSQL searches first whatever the
-- search_path. That is safe because only the owner can call them (016 revokes EXECUTE from
-- PUBLIC and clara_app; CREATE OR REPLACE keeps the grants), on the server's own connections.
--
-- Measured on PostgreSQL 15 (one connection, a read of one lead by id as an agent, prepared
-- statements, the machine shared with a test run): PostgreSQL CPU per read 298-303 -> 243-263 us,
-- round trip 470-507 -> 424-443 us (docs/benchmarks.md, API, session 10).
--
-- The rules are 016's, unchanged: the same credential checks (SQLSTATE 28000 when a session or
-- key no longer holds), the same settings, the same "last used" stamp on keys. A caller without
-- an active role still becomes clara_app with an empty role, which the restrictive active_role
-- policies (014) answer with no rows.

CREATE OR REPLACE FUNCTION app.act_as(caller uuid) RETURNS text
  LANGUAGE plpgsql
  AS $$
DECLARE
  caller_role text;
  owners uuid[] := '{}';
  pool uuid[] := '{}';
BEGIN
  SELECT u.role INTO caller_role FROM public.users u WHERE u.id = caller AND u.is_active;
  IF caller_role = 'manager' THEN
    -- A manager works on their own records and on everyone's who reports to them (transitively).
    WITH RECURSIVE team(id) AS (
      SELECT caller
      UNION
      SELECT u.id FROM public.users u JOIN team t ON u.manager_id = t.id
    )
    SELECT array_agg(team.id) INTO owners FROM team;
  ELSIF caller_role IS NOT NULL THEN
    owners := ARRAY[caller];
  END IF;
  IF caller_role IS NOT NULL THEN
    -- The AI users: their leads form the shared inbound pool that every agent may work and claim.
    SELECT coalesce(array_agg(u.id), '{}') INTO pool FROM public.users u WHERE u.is_ai;
  END IF;
  PERFORM set_config('app.user_id', caller::text, true),
          set_config('app.user_role', coalesce(caller_role, ''), true),
          set_config('app.owner_ids', owners::text, true),
          set_config('app.pool_ids', pool::text, true),
          set_config('role', 'clara_app', true);
  RETURN caller_role;
END
$$;

CREATE OR REPLACE FUNCTION app.act_as_session(session_token_hash text) RETURNS text
  LANGUAGE plpgsql
  AS $$
DECLARE
  caller uuid;
BEGIN
  SELECT s.user_id INTO caller
    FROM public.sessions s JOIN public.users u ON u.id = s.user_id
   WHERE s.token_hash = session_token_hash AND s.expires_at > now() AND u.is_active;
  IF caller IS NULL THEN
    RAISE EXCEPTION 'session ended or user deactivated' USING ERRCODE = 'invalid_authorization_specification';
  END IF;
  RETURN app.act_as(caller);
END
$$;

CREATE OR REPLACE FUNCTION app.act_as_api_key(api_key_hash text) RETURNS text
  LANGUAGE plpgsql
  AS $$
DECLARE
  key_id uuid;
  caller uuid;
BEGIN
  SELECT k.id, k.user_id INTO key_id, caller
    FROM public.api_keys k JOIN public.users u ON u.id = k.user_id
   WHERE k.key_hash = api_key_hash AND k.revoked_at IS NULL
     AND (k.expires_at IS NULL OR k.expires_at > now()) AND u.is_active;
  IF caller IS NULL THEN
    RAISE EXCEPTION 'API key revoked or expired, or user deactivated' USING ERRCODE = 'invalid_authorization_specification';
  END IF;
  UPDATE public.api_keys SET last_used_at = now()
   WHERE id = key_id AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute');
  RETURN app.act_as(caller);
END
$$;
