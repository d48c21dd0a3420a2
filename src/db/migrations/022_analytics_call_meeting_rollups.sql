-- Daily roll-ups of the calls and meetings for the dashboard (src/crm/analytics, docs/analytics.md),
-- the design of 017's lead roll-ups.
--
-- The call figures of a range (calls, durations, sentiment; in total and per call owner) and the
-- meetings per owner read every call and meeting started in it, and for an agent each row went
-- through its read policy (a call is visible through its owner or its lead, a sub-select per
-- row): a year is 150k calls, 150-230 ms per request at 100k leads. Here each live call's and
-- meeting's contribution is kept once (analytics_call_facts, analytics_meeting_facts) and summed
-- per UTC day x owner x the owner of its lead (analytics_call_days, analytics_meeting_days).
--
-- The source tables' read rule needs only those keys: a call (a meeting) is visible to whoever
-- sees its owner's records, or sees its lead, and whether one sees a lead depends on the lead's
-- owner alone (002's leads policy: the caller's owners, unassigned leads, the pool). So the
-- roll-up rows carry the owner, whether there is a lead, and the lead's owner, and are read
-- under that same rule: an agent sums exactly the calls and meetings they may open.
--
-- Kept exact, always, by statement triggers on calls, meetings (insert, update of a counted
-- column, soft delete and restore, delete) and leads (a new owner moves its calls and meetings
-- to another key), in the same transaction as the change. A hard-deleted lead needs nothing of
-- its own: its calls' lead_id is set to NULL and its meetings are deleted by the foreign keys,
-- statements that fire the triggers of calls and meetings.

-- A live call's contribution: when it started, its owner, its lead (lead_id: to find a lead's
-- calls when the lead changes owner) and that lead's owner, its duration and sentiment.
CREATE TABLE analytics_call_facts (
  call_id          uuid PRIMARY KEY,
  started_at       timestamptz(3) NOT NULL,
  user_id          uuid,
  lead_id          uuid,
  has_lead         boolean NOT NULL,
  lead_owner       uuid,
  duration_seconds integer,
  sentiment_score  numeric(4, 3)
);
-- The partial UTC days at a range's ends are read call by call from here.
CREATE INDEX analytics_call_facts_started_idx ON analytics_call_facts (started_at)
  INCLUDE (user_id, has_lead, lead_owner, duration_seconds, sentiment_score);
CREATE INDEX analytics_call_facts_lead_idx ON analytics_call_facts (lead_id);

-- Those summed per UTC day of the start, owner and lead owner key. The sums are exact (numeric
-- for the sentiment), so an average derived at read time (sum / count, rounded) is the one
-- avg() gives over the calls. Changes append signed delta rows (merged = false), as 017's
-- analytics_lead_days; the worker merges them (app.analytics_merge_call_days).
CREATE TABLE analytics_call_days (
  day           date NOT NULL,
  user_id       uuid,
  has_lead      boolean NOT NULL,
  lead_owner    uuid,
  calls         integer NOT NULL,
  timed         integer NOT NULL,
  duration_sum  bigint NOT NULL,
  scored        integer NOT NULL,
  positive      integer NOT NULL,
  neutral       integer NOT NULL,
  negative      integer NOT NULL,
  sentiment_sum numeric NOT NULL,
  merged        boolean NOT NULL DEFAULT false
);
CREATE INDEX analytics_call_days_day_idx ON analytics_call_days (day)
  INCLUDE (user_id, has_lead, lead_owner, calls, timed, duration_sum, scored, positive, neutral, negative, sentiment_sum);
CREATE INDEX analytics_call_days_unmerged_idx ON analytics_call_days (day) WHERE NOT merged;

-- A live meeting that was not cancelled: when it starts, its owner, its lead and that lead's owner.
CREATE TABLE analytics_meeting_facts (
  meeting_id uuid PRIMARY KEY,
  starts_at  timestamptz(3) NOT NULL,
  agent_id   uuid,
  lead_id    uuid,
  has_lead   boolean NOT NULL,
  lead_owner uuid
);
CREATE INDEX analytics_meeting_facts_starts_idx ON analytics_meeting_facts (starts_at) INCLUDE (agent_id, has_lead, lead_owner);
CREATE INDEX analytics_meeting_facts_lead_idx ON analytics_meeting_facts (lead_id);

CREATE TABLE analytics_meeting_days (
  day        date NOT NULL,
  agent_id   uuid,
  has_lead   boolean NOT NULL,
  lead_owner uuid,
  meetings   integer NOT NULL,
  merged     boolean NOT NULL DEFAULT false
);
CREATE INDEX analytics_meeting_days_day_idx ON analytics_meeting_days (day) INCLUDE (agent_id, has_lead, lead_owner, meetings);
CREATE INDEX analytics_meeting_days_unmerged_idx ON analytics_meeting_days (day) WHERE NOT merged;

-- Requests only read, and see a row exactly when they may see a call (meeting) with those keys:
-- 002's rule for calls and meetings (the owner among the caller's visible owners, or a lead
-- the caller sees) with the leads' own rule written on the lead's owner, and 014's active_role.
-- A call without a lead is visible through its owner only.
DO $$
DECLARE
  t text;
  owner_col text;
BEGIN
  FOR t, owner_col IN VALUES ('analytics_call_facts', 'user_id'), ('analytics_call_days', 'user_id'),
                             ('analytics_meeting_facts', 'agent_id'), ('analytics_meeting_days', 'agent_id') LOOP
    EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);
    EXECUTE format('GRANT SELECT ON %I TO clara_app', t);
    EXECUTE format(
      'CREATE POLICY read ON %I FOR SELECT TO clara_app USING ((SELECT app.sees_all())
         OR %I = ANY ((SELECT app.visible_owner_ids())::uuid[])
         OR (has_lead AND (lead_owner IS NULL OR lead_owner = ANY ((SELECT app.visible_owner_ids())::uuid[])
                           OR lead_owner = ANY ((SELECT app.pool_owner_ids())::uuid[]))))', t, owner_col);
    EXECUTE format(
      'CREATE POLICY active_role ON %I AS RESTRICTIVE FOR ALL TO clara_app USING ((SELECT app.current_user_role()) IS NOT NULL)', t);
  END LOOP;
END
$$;

-- The contributions of the live calls among `ids`, as of now. Like 021's lead facts, no
-- search_path of its own, so it is inlined into its callers' plans (they all set one).
CREATE FUNCTION app.analytics_call_facts_of(ids uuid[]) RETURNS SETOF analytics_call_facts
  LANGUAGE sql STABLE
  AS $$
    SELECT c.id, c.call_start_time, c.user_id, c.lead_id, c.lead_id IS NOT NULL, l.agent_id, c.duration_seconds, c.sentiment_score
      FROM (SELECT DISTINCT unnest(ids) AS id) i
      JOIN calls c ON c.id = i.id
      LEFT JOIN leads l ON l.id = c.lead_id
     WHERE c.deleted_at IS NULL
  $$;

-- Live meetings among `ids` that were not cancelled.
CREATE FUNCTION app.analytics_meeting_facts_of(ids uuid[]) RETURNS SETOF analytics_meeting_facts
  LANGUAGE sql STABLE
  AS $$
    SELECT m.id, m.start_time, m.agent_id, m.lead_id, m.lead_id IS NOT NULL, l.agent_id
      FROM (SELECT DISTINCT unnest(ids) AS id) i
      JOIN meetings m ON m.id = i.id
      LEFT JOIN leads l ON l.id = m.lead_id
     WHERE m.deleted_at IS NULL AND m.status <> 'Cancelled'
  $$;

-- Brings the facts of the calls `ids` up to date and appends the day deltas of what changed.
-- First it locks the calls' leads, before and after the change (in id order, as 017's refresh,
-- so two refreshes cannot deadlock here): a lead's change of owner holds that lock too, so the
-- two wait for each other and the later one, reading after the lock, counts the other's change.
-- Changes to one call without a lead wait for each other on the call's own row.
-- Generic plans: with a custom plan per call (PostgreSQL keeps them when the generic plan's
-- estimate for an array of unknown length looks worse) planning the statements below cost a
-- call insert 8-11 ms more on PostgreSQL 15 under load, against 1-3 ms with plans made once
-- per session (docs/benchmarks.md, "Call and meeting roll-ups").
CREATE FUNCTION app.analytics_refresh_calls(ids uuid[]) RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan
  AS $$
DECLARE
  gone analytics_call_facts[];
  came analytics_call_facts[];
BEGIN
  IF coalesce(cardinality(ids), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM leads
    WHERE id IN (SELECT lead_id FROM calls WHERE id IN (SELECT unnest(ids))
                 UNION SELECT lead_id FROM analytics_call_facts WHERE call_id IN (SELECT unnest(ids)))
    ORDER BY id FOR NO KEY UPDATE;
  SELECT coalesce(array_agg(o) FILTER (WHERE (o).call_id IS NOT NULL), '{}'),
         coalesce(array_agg(n) FILTER (WHERE (n).call_id IS NOT NULL), '{}')
    INTO gone, came
    FROM (SELECT f FROM analytics_call_facts f WHERE f.call_id IN (SELECT unnest(ids))) old(o)
    FULL JOIN (SELECT f FROM app.analytics_call_facts_of(ids) f) fresh(n) ON (n).call_id = (o).call_id
   WHERE o IS DISTINCT FROM n;
  IF cardinality(gone) + cardinality(came) = 0 THEN
    RETURN;
  END IF;

  -- The sentiment band is SENTIMENT_BAND of src/crm/analytics/queries.ts (0.15).
  INSERT INTO analytics_call_days (day, user_id, has_lead, lead_owner, calls, timed, duration_sum, scored, positive, neutral, negative, sentiment_sum)
  SELECT *
    FROM (
      SELECT (d.started_at AT TIME ZONE 'UTC')::date AS day, d.user_id, d.has_lead, d.lead_owner,
             sum(d.sign)::int AS calls,
             sum(d.sign * (d.duration_seconds IS NOT NULL)::int)::int AS timed,
             coalesce(sum(d.sign * d.duration_seconds), 0)::bigint AS duration_sum,
             sum(d.sign * (d.sentiment_score IS NOT NULL)::int)::int AS scored,
             -- A call without a score adds NULL to these sums, which sum() leaves out.
             coalesce(sum(d.sign * (d.sentiment_score >= 0.15)::int), 0)::int AS positive,
             coalesce(sum(d.sign * (d.sentiment_score > -0.15 AND d.sentiment_score < 0.15)::int), 0)::int AS neutral,
             coalesce(sum(d.sign * (d.sentiment_score <= -0.15)::int), 0)::int AS negative,
             coalesce(sum(d.sign * d.sentiment_score), 0) AS sentiment_sum
        FROM (SELECT -1 AS sign, g.* FROM unnest(gone) g UNION ALL SELECT 1, c.* FROM unnest(came) c) d
       GROUP BY 1, 2, 3, 4
    ) delta
   WHERE (calls, timed, duration_sum, scored, positive, neutral, negative, sentiment_sum) <> (0, 0, 0, 0, 0, 0, 0, 0);

  DELETE FROM analytics_call_facts WHERE call_id IN (SELECT g.call_id FROM unnest(gone) g);
  INSERT INTO analytics_call_facts SELECT c.* FROM unnest(came) c;
END
$$;

-- The same for meetings, under the same locks and with generic plans.
CREATE FUNCTION app.analytics_refresh_meetings(ids uuid[]) RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan
  AS $$
DECLARE
  gone analytics_meeting_facts[];
  came analytics_meeting_facts[];
BEGIN
  IF coalesce(cardinality(ids), 0) = 0 THEN
    RETURN;
  END IF;
  PERFORM 1 FROM leads
    WHERE id IN (SELECT lead_id FROM meetings WHERE id IN (SELECT unnest(ids))
                 UNION SELECT lead_id FROM analytics_meeting_facts WHERE meeting_id IN (SELECT unnest(ids)))
    ORDER BY id FOR NO KEY UPDATE;
  SELECT coalesce(array_agg(o) FILTER (WHERE (o).meeting_id IS NOT NULL), '{}'),
         coalesce(array_agg(n) FILTER (WHERE (n).meeting_id IS NOT NULL), '{}')
    INTO gone, came
    FROM (SELECT f FROM analytics_meeting_facts f WHERE f.meeting_id IN (SELECT unnest(ids))) old(o)
    FULL JOIN (SELECT f FROM app.analytics_meeting_facts_of(ids) f) fresh(n) ON (n).meeting_id = (o).meeting_id
   WHERE o IS DISTINCT FROM n;
  IF cardinality(gone) + cardinality(came) = 0 THEN
    RETURN;
  END IF;

  INSERT INTO analytics_meeting_days (day, agent_id, has_lead, lead_owner, meetings)
  SELECT (d.starts_at AT TIME ZONE 'UTC')::date, d.agent_id, d.has_lead, d.lead_owner, sum(d.sign)::int
    FROM (SELECT -1 AS sign, g.* FROM unnest(gone) g UNION ALL SELECT 1, c.* FROM unnest(came) c) d
   GROUP BY 1, 2, 3, 4
  HAVING sum(d.sign) <> 0;

  DELETE FROM analytics_meeting_facts WHERE meeting_id IN (SELECT g.meeting_id FROM unnest(gone) g);
  INSERT INTO analytics_meeting_facts SELECT c.* FROM unnest(came) c;
END
$$;

-- Triggers. They run as the owner (SECURITY DEFINER): a request that hands a call or a lead to
-- someone else no longer sees it.
CREATE FUNCTION app.analytics_call_days_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM app.analytics_refresh_calls(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM app.analytics_refresh_calls(ARRAY(SELECT id FROM old_rows));
  ELSE
    -- Most updates (transcript, summary, notes, analysis, the end of a call) change nothing
    -- counted: skip them, at the cost of comparing the statement's rows.
    PERFORM app.analytics_refresh_calls(ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.call_start_time, n.user_id, n.lead_id, n.duration_seconds, n.sentiment_score, n.deleted_at)
             IS DISTINCT FROM
             (o.call_start_time, o.user_id, o.lead_id, o.duration_seconds, o.sentiment_score, o.deleted_at)));
  END IF;
  RETURN NULL;
END
$$;

CREATE FUNCTION app.analytics_meeting_days_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM app.analytics_refresh_meetings(ARRAY(SELECT id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM app.analytics_refresh_meetings(ARRAY(SELECT id FROM old_rows));
  ELSE
    -- A new title, notes, end time or a status other than to or from Cancelled counts nothing.
    PERFORM app.analytics_refresh_meetings(ARRAY(
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
       WHERE (n.start_time, n.agent_id, n.lead_id, n.status = 'Cancelled', n.deleted_at)
             IS DISTINCT FROM
             (o.start_time, o.agent_id, o.lead_id, o.status = 'Cancelled', o.deleted_at)));
  END IF;
  RETURN NULL;
END
$$;

-- A lead's new owner is the new lead owner key of its calls and meetings.
CREATE FUNCTION app.analytics_lead_owner_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
DECLARE
  moved uuid[] := ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id WHERE n.agent_id IS DISTINCT FROM o.agent_id);
BEGIN
  IF cardinality(moved) = 0 THEN
    RETURN NULL;
  END IF;
  PERFORM app.analytics_refresh_calls(ARRAY(
    SELECT call_id FROM analytics_call_facts WHERE lead_id IN (SELECT unnest(moved))));
  PERFORM app.analytics_refresh_meetings(ARRAY(
    SELECT meeting_id FROM analytics_meeting_facts WHERE lead_id IN (SELECT unnest(moved))));
  RETURN NULL;
END
$$;

DO $$
DECLARE
  t text;
  fn text;
BEGIN
  FOR t, fn IN VALUES ('calls', 'app.analytics_call_days_changed'), ('meetings', 'app.analytics_meeting_days_changed') LOOP
    EXECUTE format('CREATE TRIGGER analytics_days_insert AFTER INSERT ON %I REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()', t, fn);
    EXECUTE format('CREATE TRIGGER analytics_days_update AFTER UPDATE ON %I REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()', t, fn);
    EXECUTE format('CREATE TRIGGER analytics_days_delete AFTER DELETE ON %I REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION %s()', t, fn);
  END LOOP;
END
$$;
CREATE TRIGGER analytics_owner_update AFTER UPDATE ON leads REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION app.analytics_lead_owner_changed();

-- Merge the delta rows of every day that has some into one row per key, dropping keys that
-- sum to nothing; safe beside writers and another merge (017's app.analytics_merge_lead_days).
CREATE FUNCTION app.analytics_merge_call_days() RETURNS integer
  LANGUAGE sql SET search_path = public, pg_temp
  AS $$
    WITH days AS (SELECT DISTINCT day FROM analytics_call_days WHERE NOT merged),
    moved AS (
      DELETE FROM analytics_call_days d USING days WHERE d.day = days.day
      RETURNING d.*
    ),
    merged AS (
      INSERT INTO analytics_call_days (day, user_id, has_lead, lead_owner, calls, timed, duration_sum, scored, positive, neutral,
                                       negative, sentiment_sum, merged)
      SELECT day, user_id, has_lead, lead_owner, sum(calls), sum(timed), sum(duration_sum), sum(scored), sum(positive), sum(neutral),
             sum(negative), sum(sentiment_sum), true
        FROM moved
       GROUP BY day, user_id, has_lead, lead_owner
      HAVING sum(calls) <> 0
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved)::int - (SELECT count(*) FROM merged)::int
  $$;

CREATE FUNCTION app.analytics_merge_meeting_days() RETURNS integer
  LANGUAGE sql SET search_path = public, pg_temp
  AS $$
    WITH days AS (SELECT DISTINCT day FROM analytics_meeting_days WHERE NOT merged),
    moved AS (
      DELETE FROM analytics_meeting_days d USING days WHERE d.day = days.day
      RETURNING d.*
    ),
    merged AS (
      INSERT INTO analytics_meeting_days (day, agent_id, has_lead, lead_owner, meetings, merged)
      SELECT day, agent_id, has_lead, lead_owner, sum(meetings), true
        FROM moved
       GROUP BY day, agent_id, has_lead, lead_owner
      HAVING sum(meetings) <> 0
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved)::int - (SELECT count(*) FROM merged)::int
  $$;

-- Recompute everything from the calls (meetings): for data written with triggers off (bulk
-- loads with session_replication_role = replica, as the benchmark does). Locks the roll-ups for
-- their duration, as 017's app.analytics_rebuild_lead_days.
CREATE FUNCTION app.analytics_rebuild_call_days() RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
BEGIN
  LOCK TABLE analytics_call_facts, analytics_call_days IN ACCESS EXCLUSIVE MODE;
  -- Freshly loaded tables have no statistics yet (017 met joins planned as if they were empty).
  ANALYZE calls, leads;
  DELETE FROM analytics_call_facts;
  DELETE FROM analytics_call_days;
  INSERT INTO analytics_call_facts SELECT * FROM app.analytics_call_facts_of(ARRAY(SELECT id FROM calls WHERE deleted_at IS NULL));
  INSERT INTO analytics_call_days (day, user_id, has_lead, lead_owner, calls, timed, duration_sum, scored, positive, neutral, negative,
                                   sentiment_sum, merged)
  SELECT (started_at AT TIME ZONE 'UTC')::date, user_id, has_lead, lead_owner, count(*), count(duration_seconds),
         coalesce(sum(duration_seconds), 0), count(sentiment_score), count(*) FILTER (WHERE sentiment_score >= 0.15),
         count(*) FILTER (WHERE sentiment_score > -0.15 AND sentiment_score < 0.15), count(*) FILTER (WHERE sentiment_score <= -0.15),
         coalesce(sum(sentiment_score), 0), true
    FROM analytics_call_facts
   GROUP BY 1, 2, 3, 4;
  -- Without statistics the planner takes the freshly filled tables for small and scans them:
  -- a lead's reassignment then read all 150k facts to find its calls (15 ms instead of 0.1).
  ANALYZE analytics_call_facts, analytics_call_days;
END
$$;

CREATE FUNCTION app.analytics_rebuild_meeting_days() RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
BEGIN
  LOCK TABLE analytics_meeting_facts, analytics_meeting_days IN ACCESS EXCLUSIVE MODE;
  ANALYZE meetings, leads;
  DELETE FROM analytics_meeting_facts;
  DELETE FROM analytics_meeting_days;
  INSERT INTO analytics_meeting_facts SELECT * FROM app.analytics_meeting_facts_of(ARRAY(SELECT id FROM meetings WHERE deleted_at IS NULL));
  INSERT INTO analytics_meeting_days (day, agent_id, has_lead, lead_owner, meetings, merged)
  SELECT (starts_at AT TIME ZONE 'UTC')::date, agent_id, has_lead, lead_owner, count(*), true
    FROM analytics_meeting_facts
   GROUP BY 1, 2, 3, 4;
  ANALYZE analytics_meeting_facts, analytics_meeting_days;
END
$$;

REVOKE EXECUTE ON FUNCTION app.analytics_call_facts_of(uuid[]), app.analytics_meeting_facts_of(uuid[]),
  app.analytics_refresh_calls(uuid[]), app.analytics_refresh_meetings(uuid[]),
  app.analytics_call_days_changed(), app.analytics_meeting_days_changed(), app.analytics_lead_owner_changed(),
  app.analytics_merge_call_days(), app.analytics_merge_meeting_days(),
  app.analytics_rebuild_call_days(), app.analytics_rebuild_meeting_days() FROM PUBLIC;

SELECT app.analytics_rebuild_call_days();
SELECT app.analytics_rebuild_meeting_days();
