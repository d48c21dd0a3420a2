-- Two follow-ups of issue 2 (docs/benchmarks.md "Transcript search", docs/security.md).

-- ---------------------------------------------------------------------------
-- 1. Search candidates: "too many" answered from the planner's estimate
-- ---------------------------------------------------------------------------
-- app.search_lead_ids (014) and app.search_call_ids (019) collect up to max_rows candidate ids
-- through the GIN index; the list engine (src/crm/records/queries.ts searchCondition) searched
-- the plain way when it got more than it asked for. For a common word both steps ran: the
-- bitmap of every match (40 % of 100k transcripts for "pricing") was built only to be thrown
-- away (admin "pricing" 1.5 -> 23.5 ms of PostgreSQL CPU). Now each function first asks the
-- planner how many rows of the whole table match, and for a common word answers "too many"
-- without reading the index.
--
-- The contract, for both functions: the ids of at most max_rows matches the caller may see, in
-- no order; or a single NULL, meaning "more than max_rows: search the plain way"; or nothing for
-- a caller without an active role. The estimate only chooses the path: both paths return the
-- same rows, so a wrong estimate costs time, never a wrong answer.

-- The planner's estimate of the rows of `tbl` whose `search` column matches q, from the
-- owner's statistics (as the owner, the statistics of every row are used; under row-level
-- security PostgreSQL would not consult them for a non-leakproof operator). EXPLAIN is a
-- utility statement, which a STABLE function may not run: this one and its callers are VOLATILE.
-- Not callable by requests; the search functions call it as their owner. Planning costs a few
-- tenths of a millisecond. Searches are prefixes (pricing:*), which PostgreSQL estimates from the
-- column's most common words only when it keeps 100 or more of them (a real table of leads or
-- transcripts does); on a small or uniform table it says 2 % of the rows, and the count decides.
CREATE FUNCTION app.estimated_search_matches(tbl regclass, q tsquery) RETURNS bigint
  LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
DECLARE
  plan json;
BEGIN
  -- The query as a literal, so the estimate is for this query (not a generic plan's guess).
  EXECUTE format('EXPLAIN (FORMAT JSON) SELECT 1 FROM %s WHERE search @@ %L::tsquery', tbl, q::text) INTO plan;
  RETURN (plan -> 0 -> 'Plan' ->> 'Plan Rows')::numeric::bigint;
END
$$;
REVOKE EXECUTE ON FUNCTION app.estimated_search_matches(regclass, tsquery) FROM PUBLIC;

-- Whether a search is too common to collect candidates for: more estimated matches in the whole
-- table than the caller could see without going over max_rows. A caller who sees every row
-- (admin, viewer) sees every match; others are given 4 x max_rows, as an agent sees about a
-- quarter of a team's records (bench/lib/seed.ts, docs/benchmarks.md). Between the two, the
-- function collects candidates and may still find more than max_rows (the count below decides).
CREATE FUNCTION app.search_too_common(tbl regclass, q tsquery, max_rows integer, sees_all boolean) RETURNS boolean
  LANGUAGE sql VOLATILE SET search_path = public, pg_temp AS $$
  SELECT app.estimated_search_matches(tbl, q) > max_rows::bigint * CASE WHEN sees_all THEN 1 ELSE 4 END
$$;
REVOKE EXECUTE ON FUNCTION app.search_too_common(regclass, tsquery, integer, boolean) FROM PUBLIC;

-- Leads: 014's function with the estimate first and the new contract (max_rows + 1 read, a NULL
-- for more than max_rows). CREATE OR REPLACE keeps the owner and the grants; VOLATILE because of
-- the EXPLAIN.
CREATE OR REPLACE FUNCTION app.search_lead_ids(q tsquery, max_rows integer) RETURNS SETOF uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
DECLARE
  sees_all boolean;
  owners uuid[];
  pool uuid[];
  found uuid[];
  seqscan text := current_setting('enable_seqscan');
BEGIN
  -- Signed-out or deactivated: nothing, not even "too many".
  IF app.current_user_role() IS NULL THEN
    RETURN;
  END IF;
  sees_all := app.sees_all();
  IF app.search_too_common('leads', q, max_rows, sees_all) THEN
    RETURN NEXT NULL;
    RETURN;
  END IF;
  owners := app.visible_owner_ids();
  pool := app.pool_owner_ids();
  -- As in 014: the visibility as values, through the GIN index (sequential scans off for this
  -- one statement, put back right after it).
  PERFORM set_config('enable_seqscan', 'off', true);
  EXECUTE
    'SELECT array_agg(id) FROM (
       SELECT id FROM leads
        WHERE search @@ $1 AND ($3 OR agent_id = ANY ($4) OR agent_id IS NULL OR agent_id = ANY ($5))
        LIMIT $2 + 1) matches' INTO found USING q, max_rows, sees_all, owners, pool;
  PERFORM set_config('enable_seqscan', seqscan, true);
  IF cardinality(found) > max_rows THEN
    RETURN NEXT NULL;
  ELSIF found IS NOT NULL THEN
    RETURN QUERY SELECT unnest(found);
  END IF;
END
$$;

-- Calls: 019's function, changed the same way.
CREATE OR REPLACE FUNCTION app.search_call_ids(q tsquery, max_rows integer) RETURNS SETOF uuid
  LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp ROWS 100 AS $$
DECLARE
  sees_all boolean;
  owners uuid[];
  pool uuid[];
  found uuid[];
  seqscan text := current_setting('enable_seqscan');
  indexscan text := current_setting('enable_indexscan');
BEGIN
  IF app.current_user_role() IS NULL THEN
    RETURN;
  END IF;
  sees_all := app.sees_all();
  IF app.search_too_common('calls', q, max_rows, sees_all) THEN
    RETURN NEXT NULL;
    RETURN;
  END IF;
  owners := app.visible_owner_ids();
  pool := app.pool_owner_ids();
  -- As in 019 (why each setting, why a LEFT JOIN): through the GIN index, the calls "read"
  -- policy of 002 as values.
  PERFORM set_config('enable_seqscan', 'off', true);
  PERFORM set_config('enable_indexscan', 'off', true);
  EXECUTE
    'SELECT array_agg(id) FROM (
       SELECT c.id FROM calls c LEFT JOIN leads l ON l.id = c.lead_id
        WHERE c.search @@ $1
          AND ($3 OR c.user_id = ANY ($4)
               OR l.agent_id = ANY ($4) OR (l.id IS NOT NULL AND l.agent_id IS NULL) OR l.agent_id = ANY ($5))
        LIMIT $2 + 1) matches' INTO found USING q, max_rows, sees_all, owners, pool;
  PERFORM set_config('enable_seqscan', seqscan, true);
  PERFORM set_config('enable_indexscan', indexscan, true);
  IF cardinality(found) > max_rows THEN
    RETURN NEXT NULL;
  ELSIF found IS NOT NULL THEN
    RETURN QUERY SELECT unnest(found);
  END IF;
END
$$;

-- ---------------------------------------------------------------------------
-- 2. A call on its lead's timeline: not every turn of the conversation
-- ---------------------------------------------------------------------------
-- Clara writes the call's transcript at every turn (src/agent/sessions/session-store.ts
-- saveTurn), and 002's app.lead_timeline turned each into a "Call Updated" entry: a five-turn
-- chat put five of them on the lead (test/integration/call-timeline.test.ts). As 019 did for
-- conversations, the call's own trigger keeps its life events and people's edits:
--   - created with a lead, or first attached to one (Clara files the lead at the second turn):
--     call_created, so the call is on the lead's timeline from its start;
--   - ended (call_end_time set, the outcome given), deleted, restored, and any change a person
--     or a provider makes (notes, outcome, recording, the transcript corrected after the call):
--     call_updated / call_deleted / call_restored, as in 002;
--   - while Clara holds the call (outcome 'in_progress', no end time), its conversation growing
--     (transcript, summary, analysis, sentiment) is not an event; the end says it all.
-- Moved to another lead with nothing else changed: a merge, which logs itself (002).
CREATE FUNCTION app.call_timeline() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  changed text[];
  kind text;
  meta jsonb := '{}';
BEGIN
  IF NEW.lead_id IS NULL THEN
    RETURN NULL;
  END IF;
  IF TG_OP = 'INSERT' OR OLD.lead_id IS NULL THEN
    kind := 'call_created';
  ELSE
    changed := app.changed_columns(to_jsonb(OLD), to_jsonb(NEW));
    IF OLD.outcome = 'in_progress' AND NEW.outcome = 'in_progress' AND NEW.call_end_time IS NULL THEN
      changed := ARRAY(SELECT c FROM unnest(changed) c
                        WHERE c <> ALL (ARRAY['transcript', 'summary', 'analysis', 'sentiment_score']) ORDER BY c);
    END IF;
    IF cardinality(changed) = 0 OR changed = ARRAY['lead_id'] THEN
      RETURN NULL;
    END IF;
    kind := CASE
      WHEN OLD.deleted_at IS NULL AND NEW.deleted_at IS NOT NULL THEN 'call_deleted'
      WHEN OLD.deleted_at IS NOT NULL AND NEW.deleted_at IS NULL THEN 'call_restored'
      ELSE 'call_updated' END;
    meta := jsonb_build_object('changed', changed);
  END IF;
  INSERT INTO activities (activity_type, subject, lead_id, created_by, metadata)
  VALUES (kind, initcap(replace(kind, '_', ' ')), NEW.lead_id, app.current_user_id(),
          meta || jsonb_build_object('entity', 'call', 'entity_id', NEW.id));
  RETURN NULL;
END
$$;
DROP TRIGGER lead_timeline ON calls;
CREATE TRIGGER lead_timeline AFTER INSERT OR UPDATE ON calls
  FOR EACH ROW EXECUTE FUNCTION app.call_timeline();
