-- Two fixes to the request role's view of the data (docs/security.md, docs/benchmarks.md "## API").
-- Migrations 002 and 007 are applied on existing databases and stay as they are; this one
-- replaces a function and adds policies.

-- 1. Lead search candidates without a sequential scan.
--
--    In 007's version the visibility rule is a set of sub-selects whose selectivity the planner
--    cannot know; with LIMIT and a common word it may choose a sequential scan, hoping to meet
--    max_rows matches early, and for an agent who sees a quarter of the leads it then evaluates
--    the match on a third of the table. Here the caller's owners and pool are computed first and
--    passed as values: the planner knows how few leads the caller sees and combines the GIN index
--    on leads.search with the agent_id index (BitmapAnd), reading only the heap pages of visible
--    matches. Sequential scans are turned off for that one statement only: attached to the whole
--    function (SET enable_seqscan = off) the setting also reaches the policy helpers it calls,
--    which then plan badly.
--
--    Same signature, same result as 007's version (the same visibility rule as the leads "read"
--    policy, nothing for a caller without an active role, at most max_rows ids in no order), so
--    src/crm/records/queries.ts is unchanged. CREATE OR REPLACE keeps the owner and the grants.
CREATE OR REPLACE FUNCTION app.search_lead_ids(q tsquery, max_rows integer) RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
DECLARE
  sees_all boolean;
  owners uuid[];
  pool uuid[];
  seqscan text := current_setting('enable_seqscan');
BEGIN
  -- Signed-out or deactivated: nothing, whatever the policy would let through.
  IF app.current_user_role() IS NULL THEN
    RETURN;
  END IF;
  -- Computed first and passed as values: the planner then knows how many leads the caller sees.
  sees_all := app.sees_all();
  owners := app.visible_owner_ids();
  pool := app.pool_owner_ids();
  -- Always through the GIN index: for a common word the planner would pick a sequential scan,
  -- hoping to meet max_rows matches early, and evaluate the match on a third of the table.
  -- Local to the transaction and put back right after the statement (an error ends the
  -- transaction or rolls back to a savepoint, which restores the setting as well).
  PERFORM set_config('enable_seqscan', 'off', true);
  RETURN QUERY EXECUTE
    'SELECT id FROM leads
      WHERE search @@ $1 AND ($3 OR agent_id = ANY ($4) OR agent_id IS NULL OR agent_id = ANY ($5))
      LIMIT $2' USING q, max_rows, sees_all, owners, pool;
  PERFORM set_config('enable_seqscan', seqscan, true);
END
$$;
REVOKE EXECUTE ON FUNCTION app.search_lead_ids(tsquery, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.search_lead_ids(tsquery, integer) TO clara_app;

-- 2. No active role, no rows.
--
--    002's policies give the shared pool to everyone: `agent_id IS NULL` in the leads, clients and
--    contacts policies holds whoever the caller is, so a deactivated user (or an id with no user
--    behind it: app.current_user_role() IS NULL) still read the unassigned leads, the unowned
--    clients and contacts, and every call, note, activity... attached to them. A few other
--    branches also need no role: todos a user created, their unattached activities, anonymous
--    ROI calculations, their notifications, preferences and imports. Writes were already closed
--    (can_write() and is_admin() need a role).
--
--    Redefining a helper cannot close this: app.pool_owner_ids() already returns '{}' without a
--    role, and `agent_id IS NULL` calls no helper. Rewriting the permissive policies would mean
--    re-creating 80 policies on 31 tables. The smallest change that makes every policy
--    require an active role is one RESTRICTIVE policy per table the request role has policies on:
--    PostgreSQL ANDs restrictive policies with the permissive ones, for every command (reads,
--    the rows an UPDATE or DELETE may touch, and the rows an INSERT or UPDATE may write), so
--    nothing of the existing rules changes for a user with a role, and a user without one gets
--    nothing. Like the other helpers it is wrapped in (SELECT ...), so app.current_user_role()
--    runs once per statement and table (an InitPlan); per row only that value's NULL test is
--    left, and index choices do not change (it is an ordinary security qual: see the plans in
--    docs/benchmarks.md "## API").
--
--    A table created by a later migration and given policies for clara_app needs the same line:
--      CREATE POLICY active_role ON <table> AS RESTRICTIVE FOR ALL TO clara_app
--        USING ((SELECT app.current_user_role()) IS NOT NULL);
--    test/integration/rls-inactive-user.test.ts fails for any table clara_app can read without it.
DO $$
DECLARE
  t regclass;
BEGIN
  FOR t IN
    SELECT DISTINCT format('%I.%I', p.schemaname, p.tablename)::regclass
      FROM pg_policies p
     WHERE 'clara_app' = ANY (p.roles)
     ORDER BY 1
  LOOP
    EXECUTE format(
      'CREATE POLICY active_role ON %s AS RESTRICTIVE FOR ALL TO clara_app USING ((SELECT app.current_user_role()) IS NOT NULL)',
      t);
  END LOOP;
END
$$;
