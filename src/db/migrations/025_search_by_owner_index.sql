-- An agent's lead search: the visibility rule answered by the index, not by the table (issue 2,
-- search p95 under 20 ms; docs/benchmarks.md, API, session 10).
--
-- app.search_lead_ids (014, 020) finds the candidate ids of a search as the owner, with the
-- caller's visibility as values. Through the GIN index on `search` alone, it had to read every
-- matching lead from the table to learn its agent_id: for an agent, who sees about a quarter of
-- the leads, four rows read for each one kept (a prefix matching 2,840 leads: 2,454 table pages
-- for 700 candidates, 9-10 ms).
--
-- A GIN index on (agent_id, search) answers "this agent's leads whose search matches" inside
-- the index: GIN keeps one entry list per (column, key) and intersects them, so only the
-- caller's matches are read from the table. The shared pool's unassigned leads (agent_id IS
-- NULL, which a GIN index cannot search for) get a partial index of their own. Measured on
-- PostgreSQL 15 at 100k leads, as an agent: "garcia" (349 candidates) 5.5 -> 2.9 ms, "kim"
-- (700) 9.4 -> 4.5 ms. A search without the visibility rule (an admin, the planner's estimate
-- of 020) uses the same index by its second column, as it used the old one: a multicolumn GIN
-- index serves a condition on any of its columns, so the single-column index is dropped.
--
-- btree_gin provides the GIN operator class for uuid. It ships with PostgreSQL (contrib, in the
-- server packages of Debian and the embedded binaries) and is a trusted extension: the
-- database's owner may create it without being a superuser (README, "Configuration").
CREATE EXTENSION IF NOT EXISTS btree_gin;

CREATE INDEX leads_owner_search_idx ON leads USING gin (agent_id, search);
CREATE INDEX leads_pool_search_idx ON leads USING gin (search) WHERE agent_id IS NULL;
DROP INDEX leads_search_idx;

-- 020's function with the visibility written only for a caller who does not see everything, as
-- alternatives the planner can give each to an index (a BitmapOr: the caller's and the AI
-- users' leads through leads_owner_search_idx, the unassigned ones through
-- leads_pool_search_idx). The contract is 020's (at most max_rows visible ids, a single NULL for
-- more, nothing for a caller without an active role), and the ids now come in the leads list's
-- default order, newest first (created_at DESC, id DESC): the function has read each row, so
-- sorting them costs little, and a list in that order then reads its first page from the first
-- candidates only (src/crm/records/queries.ts, candidatesPage).
CREATE OR REPLACE FUNCTION app.search_lead_ids(q tsquery, max_rows integer) RETURNS SETOF uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
DECLARE
  sees_all boolean;
  found uuid[];
  seqscan text := current_setting('enable_seqscan');
BEGIN
  IF app.current_user_role() IS NULL THEN
    RETURN;
  END IF;
  sees_all := app.sees_all();
  IF app.search_too_common('leads', q, max_rows, sees_all) THEN
    RETURN NEXT NULL;
    RETURN;
  END IF;
  -- Sequential scans off for this one statement (why: 014).
  PERFORM set_config('enable_seqscan', 'off', true);
  IF sees_all THEN
    EXECUTE
      'SELECT array_agg(id ORDER BY created_at DESC, id DESC) FROM (
         SELECT id, created_at FROM leads WHERE search @@ $1 LIMIT $2 + 1) matches'
      INTO found USING q, max_rows;
  ELSE
    EXECUTE
      'SELECT array_agg(id ORDER BY created_at DESC, id DESC) FROM (
         SELECT id, created_at FROM leads
          WHERE search @@ $1 AND (agent_id = ANY ($3) OR agent_id IS NULL OR agent_id = ANY ($4))
          LIMIT $2 + 1) matches'
      INTO found USING q, max_rows, app.visible_owner_ids(), app.pool_owner_ids();
  END IF;
  PERFORM set_config('enable_seqscan', seqscan, true);
  IF cardinality(found) > max_rows THEN
    RETURN NEXT NULL;
  ELSIF found IS NOT NULL THEN
    -- In the array's order (unnest keeps it, RETURN QUERY appends in order).
    RETURN QUERY SELECT unnest(found);
  END IF;
END
$$;
