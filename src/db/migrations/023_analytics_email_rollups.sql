-- Daily roll-ups of the emails sent, for the dashboard's email card (src/crm/analytics,
-- docs/analytics.md "Email roll-up").
--
-- The card counts, of the emails sent in a range (`email` and `email_sent` activities attached
-- to a lead), how many were opened, clicked, bounced at any time since. Each send is one fact,
-- so the figures add up by day: a year reads about 365 x owners rows instead of a year of email
-- events (250k of 1M activities) grouped under the activities' read policy.
--
-- An open, click or bounce (`email_opened`, `email_clicked`, `email_bounced` activity) counts for
-- the send its metadata.email_message_id names (the send activity carrying the same id) when that
-- send exists, otherwise for the same lead's latest send at or before it (an event logged through
-- the API without an id); an event with neither counts for nothing. A send counts once per kind.
--
-- Kept exact, always, by statement triggers on activities and leads, in the same transaction as
-- the change. Read under the leads' visibility rule on the lead's owner, like migration 017.

CREATE TABLE analytics_email_facts (
  send_id  uuid PRIMARY KEY,            -- the email / email_sent activity
  lead_id  uuid NOT NULL,
  agent_id uuid,                        -- the lead's owner, which decides who counts the send
  sent_at  timestamptz(3) NOT NULL,     -- the send activity's created_at
  opened   boolean NOT NULL,
  clicked  boolean NOT NULL,
  bounced  boolean NOT NULL
);
-- The partial UTC days at a range's ends are read send by send from here.
CREATE INDEX analytics_email_facts_sent_idx ON analytics_email_facts (sent_at) INCLUDE (agent_id, opened, clicked, bounced);
-- A refresh replaces the facts of a few leads.
CREATE INDEX analytics_email_facts_lead_idx ON analytics_email_facts (lead_id);

-- Sums of the facts per UTC day of sending and owner. Changes append signed delta rows
-- (merged = false), as analytics_lead_days does; the worker's cleanup merges them.
CREATE TABLE analytics_email_days (
  day      date NOT NULL,
  agent_id uuid,
  sent     integer NOT NULL,
  opened   integer NOT NULL,
  clicked  integer NOT NULL,
  bounced  integer NOT NULL,
  merged   boolean NOT NULL DEFAULT false
);
CREATE INDEX analytics_email_days_day_idx ON analytics_email_days (day) INCLUDE (agent_id, sent, opened, clicked, bounced);
CREATE INDEX analytics_email_days_unmerged_idx ON analytics_email_days (day) WHERE NOT merged;

-- The send an event names (the latest, if several carry the id), and the events naming a send,
-- found by the message id. Ordered by time too: with the id alone PostgreSQL walked the
-- activities backwards by created_at looking for the latest match (80 ms per event at 100k
-- activities). Only the email rows are indexed, so other activities pay nothing for it.
CREATE INDEX activities_email_message_idx ON activities ((metadata ->> 'email_message_id'), created_at, id)
  WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced') AND deleted_at IS NULL;

-- Requests only read, and see a row exactly when they may see a lead with that owner: the
-- leads' read policy of 002 with agent_id, and 014's active_role. An email is counted through its
-- lead only: the activities' own policy also shows one through its client, contact or
-- opportunity, so this never counts more than the caller may open.
DO $$
DECLARE
  t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['analytics_email_facts', 'analytics_email_days'] LOOP
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

-- The facts of every live send of the leads `ids`, as of now (run as the owner: every event
-- counts, as it does for anyone who may see the lead). A lead's trash does not matter: the
-- dashboard always counted the live email activities of trashed leads, and still does.
CREATE FUNCTION app.analytics_email_facts_of(ids uuid[]) RETURNS SETOF analytics_email_facts
  LANGUAGE sql STABLE
  AS $$
    WITH sends AS (
      SELECT a.id, a.lead_id, a.created_at, a.metadata ->> 'email_message_id' AS message_id
        FROM activities a
       WHERE a.lead_id IN (SELECT unnest(ids))
         AND a.activity_type IN ('email', 'email_sent') AND a.deleted_at IS NULL
    ),
    -- The events that may count for these sends: those of the same leads, and those naming one
    -- of them from another lead.
    events AS (
      SELECT e.id, e.lead_id, e.created_at, e.activity_type, e.metadata ->> 'email_message_id' AS message_id
        FROM activities e
       WHERE e.lead_id IN (SELECT unnest(ids))
         AND e.activity_type IN ('email_opened', 'email_clicked', 'email_bounced') AND e.deleted_at IS NULL
      UNION
      SELECT e.*
        FROM (SELECT DISTINCT message_id FROM sends WHERE message_id IS NOT NULL) named
        CROSS JOIN LATERAL (
          SELECT e.id, e.lead_id, e.created_at, e.activity_type, e.metadata ->> 'email_message_id'
            FROM activities e
           WHERE e.metadata ->> 'email_message_id' = named.message_id
             -- The index of the message ids holds the email types: named so it may be used, and
             -- the events kept apart by a test no other index can take (ANDed with the activity
             -- type index, one send's events read every email event's entry).
             AND e.activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced') AND e.deleted_at IS NULL
             AND e.activity_type NOT IN ('email', 'email_sent')
          -- A fence: one index probe per message id. Planned for an unknown number of leads (the
          -- refresh's generic plan) PostgreSQL hashed every email event instead.
          OFFSET 0
        ) e
    ),
    attributed AS (
      SELECT coalesce(named.id, latest.id) AS send_id, e.activity_type
        FROM events e
        LEFT JOIN LATERAL (
          SELECT s.id FROM activities s
           WHERE s.metadata ->> 'email_message_id' = e.message_id AND s.lead_id IS NOT NULL
             AND s.activity_type IN ('email', 'email_sent') AND s.deleted_at IS NULL
           ORDER BY s.created_at DESC, s.id DESC LIMIT 1
        ) named ON true
        LEFT JOIN LATERAL (
          SELECT s.id FROM activities s
           WHERE named.id IS NULL AND s.lead_id = e.lead_id AND s.created_at <= e.created_at
             AND s.activity_type IN ('email', 'email_sent') AND s.deleted_at IS NULL
           ORDER BY s.created_at DESC, s.id DESC LIMIT 1
        ) latest ON true
    )
    SELECT s.id, s.lead_id, l.agent_id, s.created_at,
           coalesce(bool_or(x.activity_type = 'email_opened'), false),
           coalesce(bool_or(x.activity_type = 'email_clicked'), false),
           coalesce(bool_or(x.activity_type = 'email_bounced'), false)
      FROM sends s
      JOIN leads l ON l.id = s.lead_id
      LEFT JOIN attributed x ON x.send_id = s.id
     GROUP BY s.id, s.lead_id, l.agent_id, s.created_at
  $$;

-- Brings the facts of the sends of `lead_ids` up to date, and of every lead whose activities name
-- one of `message_ids`, and appends the day deltas of what changed.
-- A generic plan, kept for the session: planning the statements below anew for each call (the
-- custom plans PL/pgSQL chose) cost 2-3 ms per email event, more than running them. JIT off: the
-- generic plan's cost estimate passes jit_above_cost, and compiling took 70 ms per call.
CREATE FUNCTION app.analytics_refresh_email(lead_ids uuid[], message_ids text[]) RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp SET plan_cache_mode = force_generic_plan SET jit = off
  AS $$
DECLARE
  ids uuid[];
  gone analytics_email_facts[];
  came analytics_email_facts[];
BEGIN
  -- An event and the send it names may lie on two leads, and either may be written while the
  -- other is not yet committed: one refresh per message id at a time (sorted, so two
  -- transactions cannot deadlock here), and the leads it spans are looked up after that lock.
  PERFORM pg_advisory_xact_lock(hashtext('analytics-email:' || m))
     FROM (SELECT DISTINCT m FROM unnest(message_ids) m WHERE m IS NOT NULL ORDER BY m) sorted;
  ids := ARRAY(
    SELECT x FROM unnest(lead_ids) x WHERE x IS NOT NULL
    UNION
    SELECT a.lead_id FROM activities a
     WHERE a.metadata ->> 'email_message_id' = ANY (message_ids) AND a.lead_id IS NOT NULL
       AND a.activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced') AND a.deleted_at IS NULL);
  IF cardinality(ids) = 0 THEN
    RETURN;
  END IF;
  -- One refresh of a lead at a time, as migration 017 does: a concurrent change to the same lead
  -- (its owner, an email activity) waits for this transaction, and the statements below, each
  -- with a new snapshot, read after the other one committed. In id order against deadlocks.
  PERFORM 1 FROM leads WHERE id IN (SELECT unnest(ids)) ORDER BY id FOR NO KEY UPDATE;
  SELECT coalesce(array_agg(o) FILTER (WHERE (o).send_id IS NOT NULL), '{}'),
         coalesce(array_agg(n) FILTER (WHERE (n).send_id IS NOT NULL), '{}')
    INTO gone, came
    FROM (SELECT f FROM analytics_email_facts f WHERE f.lead_id IN (SELECT unnest(ids))) old(o)
    FULL JOIN (SELECT f FROM app.analytics_email_facts_of(ids) f) fresh(n) ON (n).send_id = (o).send_id
   WHERE o IS DISTINCT FROM n;
  IF cardinality(gone) + cardinality(came) = 0 THEN
    RETURN;
  END IF;

  INSERT INTO analytics_email_days (day, agent_id, sent, opened, clicked, bounced)
  SELECT day, agent_id, sent, opened, clicked, bounced
    FROM (
      SELECT (d.sent_at AT TIME ZONE 'UTC')::date AS day, d.agent_id, sum(d.sign)::int AS sent,
             sum(d.sign * d.opened::int)::int AS opened, sum(d.sign * d.clicked::int)::int AS clicked,
             sum(d.sign * d.bounced::int)::int AS bounced
        FROM (SELECT -1 AS sign, g.* FROM unnest(gone) g UNION ALL SELECT 1, c.* FROM unnest(came) c) d
       GROUP BY 1, 2
    ) delta
   WHERE (sent, opened, clicked, bounced) <> (0, 0, 0, 0);

  DELETE FROM analytics_email_facts WHERE send_id IN (SELECT g.send_id FROM unnest(gone) g);
  INSERT INTO analytics_email_facts SELECT c.* FROM unnest(came) c;
END
$$;

-- Which leads and message ids an activity statement may have changed the figures of. Runs as
-- the owner (SECURITY DEFINER): the refresh reads every email activity of the leads involved.
-- Most activities are not email (notes, calls, stage changes): those statements stop at the
-- first test, one scan of the statement's own rows.
CREATE FUNCTION app.analytics_email_activities_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    IF NOT EXISTS (SELECT 1 FROM new_rows WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced')) THEN
      RETURN NULL;
    END IF;
    PERFORM app.analytics_refresh_email(
      ARRAY(SELECT lead_id FROM new_rows WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced')),
      ARRAY(SELECT metadata ->> 'email_message_id' FROM new_rows
             WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced')));
  ELSIF TG_OP = 'DELETE' THEN
    IF NOT EXISTS (SELECT 1 FROM old_rows WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced')) THEN
      RETURN NULL;
    END IF;
    PERFORM app.analytics_refresh_email(
      ARRAY(SELECT lead_id FROM old_rows WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced')),
      ARRAY(SELECT metadata ->> 'email_message_id' FROM old_rows
             WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced')));
  ELSE
    -- An email activity (before or after) whose type, lead, time, trash state or message id
    -- changed; edits of a subject or description change nothing counted.
    PERFORM app.analytics_refresh_email(lead_ids, message_ids)
       FROM (SELECT array_agg(x.lead_id) AS lead_ids, array_agg(x.message_id) AS message_ids
               FROM new_rows n JOIN old_rows o ON o.id = n.id
              CROSS JOIN LATERAL (VALUES (n.lead_id, n.metadata ->> 'email_message_id'), (o.lead_id, o.metadata ->> 'email_message_id')) x(lead_id, message_id)
              WHERE (n.activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced')
                     OR o.activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced'))
                AND (n.activity_type, n.lead_id, n.created_at, n.deleted_at, n.metadata ->> 'email_message_id')
                    IS DISTINCT FROM
                    (o.activity_type, o.lead_id, o.created_at, o.deleted_at, o.metadata ->> 'email_message_id')) changed
      WHERE lead_ids IS NOT NULL;
  END IF;
  RETURN NULL;
END
$$;

-- A reassigned lead takes its sends to the new owner's key. Trash and restore change nothing
-- (see app.analytics_email_facts_of); a hard delete removes the lead's activities by cascade,
-- and their delete trigger removes the sends.
CREATE FUNCTION app.analytics_email_leads_changed() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp
  AS $$
BEGIN
  PERFORM app.analytics_refresh_email(ARRAY(
    SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE n.agent_id IS DISTINCT FROM o.agent_id
       AND EXISTS (SELECT 1 FROM analytics_email_facts f WHERE f.lead_id = n.id)), '{}');
  RETURN NULL;
END
$$;

CREATE TRIGGER analytics_email_insert AFTER INSERT ON activities REFERENCING NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION app.analytics_email_activities_changed();
CREATE TRIGGER analytics_email_update AFTER UPDATE ON activities REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION app.analytics_email_activities_changed();
CREATE TRIGGER analytics_email_delete AFTER DELETE ON activities REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION app.analytics_email_activities_changed();
CREATE TRIGGER analytics_email_update AFTER UPDATE ON leads REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION app.analytics_email_leads_changed();

-- Merges the delta rows of every day that has some into one row per owner (and drops owners
-- that sum to nothing), as app.analytics_merge_lead_days does for the leads.
CREATE FUNCTION app.analytics_merge_email_days() RETURNS integer
  LANGUAGE sql SET search_path = public, pg_temp
  AS $$
    WITH days AS (SELECT DISTINCT day FROM analytics_email_days WHERE NOT merged),
    moved AS (
      DELETE FROM analytics_email_days d USING days WHERE d.day = days.day
      RETURNING d.*
    ),
    merged AS (
      INSERT INTO analytics_email_days (day, agent_id, sent, opened, clicked, bounced, merged)
      SELECT day, agent_id, sum(sent), sum(opened), sum(clicked), sum(bounced), true
        FROM moved
       GROUP BY day, agent_id
      HAVING sum(sent) <> 0
      RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved)::int - (SELECT count(*) FROM merged)::int
  $$;

-- Recomputes both tables from the activities: for data written with triggers off (bulk loads
-- with session_replication_role = replica, as the benchmark does).
CREATE FUNCTION app.analytics_rebuild_email_days() RETURNS void
  LANGUAGE plpgsql SET search_path = public, pg_temp
  AS $$
BEGIN
  LOCK TABLE analytics_email_facts, analytics_email_days IN ACCESS EXCLUSIVE MODE;
  -- Freshly loaded tables have no statistics yet (see app.analytics_rebuild_lead_days).
  ANALYZE activities, leads;
  DELETE FROM analytics_email_facts;
  DELETE FROM analytics_email_days;
  INSERT INTO analytics_email_facts
  SELECT * FROM app.analytics_email_facts_of(ARRAY(
    SELECT DISTINCT lead_id FROM activities
     WHERE activity_type IN ('email', 'email_sent') AND deleted_at IS NULL AND lead_id IS NOT NULL));
  INSERT INTO analytics_email_days (day, agent_id, sent, opened, clicked, bounced, merged)
  SELECT (sent_at AT TIME ZONE 'UTC')::date, agent_id, count(*), count(*) FILTER (WHERE opened),
         count(*) FILTER (WHERE clicked), count(*) FILTER (WHERE bounced), true
    FROM analytics_email_facts
   GROUP BY 1, 2;
  ANALYZE analytics_email_facts, analytics_email_days;
END
$$;

REVOKE EXECUTE ON FUNCTION app.analytics_email_facts_of(uuid[]), app.analytics_refresh_email(uuid[], text[]),
  app.analytics_merge_email_days(), app.analytics_rebuild_email_days(), app.analytics_email_activities_changed(),
  app.analytics_email_leads_changed() FROM PUBLIC;

SELECT app.analytics_rebuild_email_days();
