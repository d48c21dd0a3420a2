-- Daily roll-ups of the leads for the dashboard (src/crm/analytics, docs/analytics.md).
--
-- The lead figures of a range (new, contacted, qualified, opportunity, won, P1, lost; in total,
-- per chart bucket, per source, per owner) read every lead created in it: a year is 100k leads,
-- each with a funnel rule probing its opportunities and calls, 130-200 ms per request at 100k
-- leads. Here each live lead's contribution is kept once (analytics_lead_facts) and summed per
-- UTC day, owner, source (analytics_lead_days), so a year reads about 365 x owners x sources rows.
--
-- Kept exact, always, by statement triggers on leads, opportunities, calls and pipeline stages
-- (import, reassignment, stage moves, trash and restore, hard deletes included), in the same
-- transaction as the change. Read under the leads' own visibility rule on the owner column, so
-- an agent sums exactly the leads they may open (their own and the shared pool), a manager
-- their team's and the pool, admins and viewers everything.

-- A live lead's contribution. `level` is its furthest funnel step (0 lead .. 4 closed won, the
-- rule of src/crm/analytics/queries.ts), counting a call with the lead only when it started at
-- most 12 hours before the lead was created: such a call is "since the range began" for every
-- range holding the lead (a range's threshold is a day before its start; 12 hours leave room for
-- a day of 23 or 25 hours in any session time zone). A lead at step 0 whose calls are all older
-- keeps the latest in `call_before`; it is contacted in a range iff that call started at most a
-- day before the range's start, which the reader checks.
CREATE TABLE analytics_lead_facts (
  lead_id     uuid PRIMARY KEY,
  created_at  timestamptz(3) NOT NULL,
  agent_id    uuid,
  source      text,
  p1          boolean NOT NULL,
  level       smallint NOT NULL,
  call_before timestamptz(3),
  lost        boolean NOT NULL
);
-- The partial UTC days at a range's ends (and, in a time zone off UTC, at its chart buckets'
-- boundaries) are read lead by lead from here.
CREATE INDEX analytics_lead_facts_created_idx ON analytics_lead_facts (created_at)
  INCLUDE (agent_id, source, p1, level, call_before, lost);

-- Sums of the facts per UTC day of creation, owner, source (and call_before, null but for a
-- few leads). Changes append signed delta rows (merged = false): concurrent transactions never
-- wait for each other here, and nothing is recomputed from a stale snapshot. The worker's
-- cleanup merges them (app.analytics_merge_lead_days) so a day keeps one row per key.
CREATE TABLE analytics_lead_days (
  day           date NOT NULL,
  agent_id      uuid,
  source        text,
  call_before   timestamptz(3),
  leads         integer NOT NULL,
  contacted     integer NOT NULL,
  qualified     integer NOT NULL,
  opportunities integer NOT NULL,
  won           integer NOT NULL,
  p1            integer NOT NULL,
  lost          integer NOT NULL,
  merged        boolean NOT NULL DEFAULT false
);
CREATE INDEX analytics_lead_days_day_idx ON analytics_lead_days (day)
  INCLUDE (agent_id, source, call_before, leads, contacted, qualified, opportunities, won, p1, lost);
CREATE INDEX analytics_lead_days_unmerged_idx ON analytics_lead_days (day) WHERE NOT merged;

-- Requests only read, and see a row exactly when they may see a lead with that owner: the
-- leads' read policy of 002 with agent_id, and 014's active_role.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['analytics_lead_facts', 'analytics_lead_days'] LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT ON %I TO clara_app', t);
    EXECUTE format(
      'CREATE POLICY read ON %I FOR SELECT TO clara_app USING ((SELECT app.sees_all())
         OR agent_id = ANY ((SELECT app.visible_owner_ids())::uuid[])
         OR agent_id IS NULL OR agent_id = ANY ((SELECT app.pool_owner_ids())::uuid[]))', t);
    EXECUTE format(
      'CREATE POLICY active_role ON %I AS RESTRICTIVE FOR ALL TO clara_app USING ((SELECT app.current_user_role()) IS NOT NULL)', t);
  END LOOP;
END
$$;

-- The contributions of the live leads among `ids`, as of now (run as the owner: every call and
-- opportunity of the lead counts, as it does for anyone who may see the lead).
CREATE FUNCTION app.analytics_lead_facts_of(ids uuid[]) RETURNS SETOF analytics_lead_facts
  LANGUAGE sql STABLE SET search_path = public, pg_temp
  AS $$
    SELECT l.id, l.created_at, l.agent_id, nullif(btrim(l.lead_source), ''), l.status_bucket = 'P1',
           x.level::smallint,
           CASE WHEN x.level = 0 THEN
             (SELECT max(c.call_start_time) FROM calls c WHERE c.lead_id = l.id AND c.deleted_at IS NULL) END,
           coalesce(s.is_lost, false) AND x.level < 4
      -- A join, not id = ANY (ids): for a parameter array that is a linear search per row, and
      -- a refresh of every lead (a stage change, a rebuild) passes 100k ids.
      FROM (SELECT DISTINCT unnest(ids) AS id) i
      JOIN leads l ON l.id = i.id
      LEFT JOIN pipeline_stages s ON s.id = l.pipeline_stage_id
      CROSS JOIN (SELECT min(order_position) AS first_position FROM pipeline_stages WHERE NOT is_won AND NOT is_lost) f
      CROSS JOIN LATERAL (
        SELECT CASE
                 WHEN s.is_won OR EXISTS (
                   SELECT 1 FROM opportunities o WHERE o.lead_id = l.id AND o.status = 'won' AND o.deleted_at IS NULL) THEN 4
                 WHEN l.converted_at IS NOT NULL OR l.qualification_status IN ('opportunity', 'converted') THEN 3
                 WHEN l.qualification_status = 'sales_qualified' THEN 2
                 WHEN l.qualification_status <> 'unqualified' OR s.order_position > f.first_position OR EXISTS (
                   SELECT 1 FROM calls c
                    WHERE c.lead_id = l.id AND c.deleted_at IS NULL
                      AND c.call_start_time >= l.created_at - interval '12 hours') THEN 1
                 ELSE 0
               END AS level
        -- A fence: level is read three times, and inlined its probes would run three times.
        OFFSET 0
      ) x
     WHERE l.deleted_at IS NULL
  $$;

-- Brings the facts of `ids` up to date and appends the day deltas of what changed.
CREATE FUNCTION app.analytics_refresh_leads(ids uuid[]) RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
DECLARE
  gone analytics_lead_facts[];
  came analytics_lead_facts[];
BEGIN
  IF coalesce(cardinality(ids), 0) = 0 THEN
    RETURN;
  END IF;
  -- One refresh of a lead at a time: a concurrent change to the same lead (its row, a call, an
  -- opportunity) waits for this transaction, and the statements below, each with a new
  -- snapshot, read after the other one committed. In id order, so two bulk changes cannot
  -- deadlock on each other here.
  PERFORM 1 FROM leads WHERE id IN (SELECT unnest(ids)) ORDER BY id FOR NO KEY UPDATE;
  -- What was counted and what is to be counted, for the leads whose contribution changed.
  SELECT coalesce(array_agg(o) FILTER (WHERE (o).lead_id IS NOT NULL), '{}'),
         coalesce(array_agg(n) FILTER (WHERE (n).lead_id IS NOT NULL), '{}')
    INTO gone, came
    FROM (SELECT f FROM analytics_lead_facts f WHERE f.lead_id IN (SELECT unnest(ids))) old(o)
    FULL JOIN (SELECT f FROM app.analytics_lead_facts_of(ids) f) fresh(n) ON (n).lead_id = (o).lead_id
   WHERE o IS DISTINCT FROM n;
  IF cardinality(gone) + cardinality(came) = 0 THEN
    RETURN;
  END IF;

  INSERT INTO analytics_lead_days (day, agent_id, source, call_before, leads, contacted, qualified, opportunities, won, p1, lost)
  SELECT day, agent_id, source, call_before, leads, contacted, qualified, opportunities, won, p1, lost
    FROM (
      SELECT (d.created_at AT TIME ZONE 'UTC')::date AS day, d.agent_id, d.source, d.call_before,
             sum(d.sign)::int AS leads, sum(d.sign * (d.level >= 1)::int)::int AS contacted,
             sum(d.sign * (d.level >= 2)::int)::int AS qualified, sum(d.sign * (d.level >= 3)::int)::int AS opportunities,
             sum(d.sign * (d.level = 4)::int)::int AS won, sum(d.sign * d.p1::int)::int AS p1, sum(d.sign * d.lost::int)::int AS lost
        FROM (SELECT -1 AS sign, g.* FROM unnest(gone) g UNION ALL SELECT 1, c.* FROM unnest(came) c) d
       GROUP BY 1, 2, 3, 4
    ) delta
   WHERE (leads, contacted, qualified, opportunities, won, p1, lost) <> (0, 0, 0, 0, 0, 0, 0);

  DELETE FROM analytics_lead_facts WHERE lead_id IN (SELECT g.lead_id FROM unnest(gone) g);
  INSERT INTO analytics_lead_facts SELECT c.* FROM unnest(came) c;
END
$$;

-- Triggers: which leads a statement may have changed the figures of. They run as the owner
-- (SECURITY DEFINER): a request that reassigns a lead away no longer sees it, nor its calls.
CREATE FUNCTION app.analytics_leads_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM app.analytics_refresh_leads(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM app.analytics_refresh_leads(ARRAY(SELECT id FROM old_rows));
  ELSE
    -- Most updates (scores, touch dates, notes) change nothing counted: skip them.
    PERFORM app.analytics_refresh_leads(ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.created_at, n.agent_id, n.lead_source, n.status_bucket, n.pipeline_stage_id, n.qualification_status,
              n.converted_at, n.deleted_at)
             IS DISTINCT FROM
             (o.created_at, o.agent_id, o.lead_source, o.status_bucket, o.pipeline_stage_id, o.qualification_status,
              o.converted_at, o.deleted_at)));
  END IF;
  RETURN NULL;
END
$$;

-- A won opportunity makes its lead closed won.
CREATE FUNCTION app.analytics_opportunities_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM app.analytics_refresh_leads(ARRAY(SELECT DISTINCT lead_id FROM new_rows WHERE lead_id IS NOT NULL AND status = 'won'));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM app.analytics_refresh_leads(ARRAY(SELECT DISTINCT lead_id FROM old_rows WHERE lead_id IS NOT NULL AND status = 'won'));
  ELSE
    PERFORM app.analytics_refresh_leads(ARRAY(
      SELECT x.lead_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       CROSS JOIN LATERAL (VALUES (n.lead_id), (o.lead_id)) x(lead_id)
       WHERE x.lead_id IS NOT NULL
         AND (n.lead_id, n.status, n.deleted_at) IS DISTINCT FROM (o.lead_id, o.status, o.deleted_at)
         AND 'won' IN (n.status, o.status)
       GROUP BY x.lead_id));
  END IF;
  RETURN NULL;
END
$$;

-- A call with a lead still at the first step makes it contacted.
CREATE FUNCTION app.analytics_calls_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    -- A new call changes only a lead at the first step (most calls are with leads already
    -- contacted). Read under the lead's lock, so a concurrent change of its step is seen.
    PERFORM 1 FROM leads WHERE id IN (SELECT lead_id FROM new_rows) ORDER BY id FOR NO KEY UPDATE;
    PERFORM app.analytics_refresh_leads(ARRAY(
      SELECT f.lead_id FROM analytics_lead_facts f WHERE f.lead_id IN (SELECT lead_id FROM new_rows) AND f.level = 0));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM app.analytics_refresh_leads(ARRAY(SELECT DISTINCT lead_id FROM old_rows WHERE lead_id IS NOT NULL));
  ELSE
    PERFORM app.analytics_refresh_leads(ARRAY(
      SELECT x.lead_id FROM new_rows n JOIN old_rows o ON o.id = n.id
       CROSS JOIN LATERAL (VALUES (n.lead_id), (o.lead_id)) x(lead_id)
       WHERE x.lead_id IS NOT NULL
         AND (n.lead_id, n.call_start_time, n.deleted_at) IS DISTINCT FROM (o.lead_id, o.call_start_time, o.deleted_at)
       GROUP BY x.lead_id));
  END IF;
  RETURN NULL;
END
$$;

-- A stage's won/lost flags and order (the first open stage) decide the steps of its leads, and
-- a new or removed open stage may move the first one: refresh every live lead. Admins do this
-- rarely; it takes seconds at 100k leads. Renames and colours change nothing.
CREATE FUNCTION app.analytics_stages_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  -- Nested, not one condition: an INSERT or DELETE trigger has only one of the two transition
  -- tables, and an expression naming the other fails to plan.
  IF TG_OP = 'UPDATE' THEN
    IF NOT EXISTS (
      SELECT 1 FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.order_position, n.is_won, n.is_lost) IS DISTINCT FROM (o.order_position, o.is_won, o.is_lost)) THEN
      RETURN NULL;
    END IF;
  END IF;
  PERFORM app.analytics_refresh_leads(ARRAY(SELECT id FROM leads WHERE deleted_at IS NULL));
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
  fn text;
BEGIN
  FOR t, fn IN VALUES ('leads', 'app.analytics_leads_changed'), ('opportunities', 'app.analytics_opportunities_changed'),
                      ('calls', 'app.analytics_calls_changed'), ('pipeline_stages', 'app.analytics_stages_changed') LOOP
    EXECUTE format('CREATE TRIGGER analytics_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()', t, fn);
    EXECUTE format('CREATE TRIGGER analytics_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()', t, fn);
    EXECUTE format('CREATE TRIGGER analytics_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()', t, fn);
  END LOOP;
END
$$;

-- Merges the delta rows of every day that has some into one row per key (and drops keys that
-- sum to nothing). Safe beside writers and another merge: a delta row is moved exactly once
-- (rows appended meanwhile stay for the next merge).
CREATE FUNCTION app.analytics_merge_lead_days() RETURNS integer
  LANGUAGE sql SET search_path = public, pg_temp
  AS $$
    WITH days AS (SELECT DISTINCT day FROM analytics_lead_days WHERE NOT merged),
    moved AS (
      DELETE FROM analytics_lead_days d USING days WHERE d.day = days.day
      RETURNING d.*
    ),
    merged AS (
      INSERT INTO analytics_lead_days (day, agent_id, source, call_before, leads, contacted, qualified, opportunities, won, p1, lost, merged)
      SELECT day, agent_id, source, call_before, sum(leads), sum(contacted), sum(qualified), sum(opportunities), sum(won),
             sum(p1), sum(lost), true
        FROM moved
       GROUP BY day, agent_id, source, call_before
      HAVING sum(leads) <> 0
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved)::int - (SELECT count(*) FROM merged)::int
  $$;

-- Recomputes everything from the leads: for data written with triggers off (bulk loads with
-- session_replication_role = replica, as the benchmark does). Locks the roll-ups for its
-- duration: a refresh that already read them finishes first, later ones and readers wait.
CREATE FUNCTION app.analytics_rebuild_lead_days() RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
BEGIN
  LOCK TABLE analytics_lead_facts, analytics_lead_days IN ACCESS EXCLUSIVE MODE;
  -- Freshly loaded tables have no statistics yet: planned as if nearly empty, the refresh joins
  -- scanned every lead once per lead (43 s at 20k leads instead of 1-2 s).
  ANALYZE leads, calls, opportunities, pipeline_stages;
  DELETE FROM analytics_lead_facts;
  DELETE FROM analytics_lead_days;
  INSERT INTO analytics_lead_facts SELECT * FROM app.analytics_lead_facts_of(ARRAY(SELECT id FROM leads WHERE deleted_at IS NULL));
  INSERT INTO analytics_lead_days (day, agent_id, source, call_before, leads, contacted, qualified, opportunities, won, p1, lost, merged)
  SELECT (created_at AT TIME ZONE 'UTC')::date, agent_id, source, call_before, count(*), count(*) FILTER (WHERE level >= 1),
         count(*) FILTER (WHERE level >= 2), count(*) FILTER (WHERE level >= 3), count(*) FILTER (WHERE level = 4),
         count(*) FILTER (WHERE p1), count(*) FILTER (WHERE lost), true
    FROM analytics_lead_facts
   GROUP BY 1, 2, 3, 4;
END
$$;

REVOKE EXECUTE ON FUNCTION app.analytics_lead_facts_of(uuid[]), app.analytics_refresh_leads(uuid[]),
  app.analytics_merge_lead_days(), app.analytics_rebuild_lead_days(), app.analytics_leads_changed(),
  app.analytics_opportunities_changed(), app.analytics_calls_changed(), app.analytics_stages_changed() FROM PUBLIC;

SELECT app.analytics_rebuild_lead_days();
