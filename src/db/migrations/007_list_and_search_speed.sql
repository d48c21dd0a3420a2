-- Lead lists and lead search at 100k leads (measured by `npm run bench:api`, see
-- docs/benchmarks.md "## API").
--
-- 1. Lists filtered by stage, bucket or owner read newest first. With a single-column index
--    PostgreSQL fetched every matching row (24k for "P1") and sorted them to keep 50; with
--    (column, created_at, id) it walks the index backwards and stops after a page. The
--    single-column indexes they replace served only equality, which the new ones serve too.
DROP INDEX leads_pipeline_stage_id_idx;
DROP INDEX leads_status_bucket_idx;
DROP INDEX leads_agent_id_idx;
CREATE INDEX leads_pipeline_stage_id_idx ON leads (pipeline_stage_id, created_at, id);
CREATE INDEX leads_status_bucket_idx ON leads (status_bucket, created_at, id);
CREATE INDEX leads_agent_id_idx ON leads (agent_id, created_at, id);

-- 2. Full-text search under row-level security. A policy's condition must run before any
--    condition of the query that is not LEAKPROOF, and `tsvector @@ tsquery` is not (only a
--    superuser could change that), so the GIN index on leads.search is never used by a request
--    and every search read the whole table (55 ms at 100k leads).
--
--    This function runs as the owner, so it may use the index. It applies the same visibility
--    rule as the leads "read" policy, so it reveals nothing the caller could not list, and it
--    returns at most max_rows ids, in no order. The request's own query then reads those ids
--    from leads as clara_app: the policy still decides what is returned; this only finds the
--    candidates. When a search matches more than max_rows leads, the server searches the plain
--    way instead, where a common word matches many rows early in the requested order.
CREATE FUNCTION app.search_lead_ids(q tsquery, max_rows integer) RETURNS SETOF uuid
  LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
BEGIN
  -- Signed-out or deactivated: nothing, whatever the policy would let through.
  IF app.current_user_role() IS NULL THEN
    RETURN;
  END IF;
  -- EXECUTE plans with the actual query, whose selectivity decides between the GIN index and a scan.
  RETURN QUERY EXECUTE
    'SELECT id FROM leads
      WHERE search @@ $1
        AND ((SELECT app.sees_all()) OR agent_id = ANY ((SELECT app.visible_owner_ids())::uuid[])
             OR agent_id IS NULL OR agent_id = ANY ((SELECT app.pool_owner_ids())::uuid[]))
      LIMIT $2' USING q, max_rows;
END
$$;
REVOKE EXECUTE ON FUNCTION app.search_lead_ids(tsquery, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.search_lead_ids(tsquery, integer) TO clara_app;
