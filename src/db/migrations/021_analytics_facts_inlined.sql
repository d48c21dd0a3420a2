-- app.analytics_lead_facts_of (017) carried its own SET search_path, which keeps PostgreSQL from
-- inlining a SQL function and, before PostgreSQL 18, makes it plan its query again on every
-- call: every create or change of a lead paid that planning in its triggers. Its callers all run
-- with search_path = public, pg_temp, so the function now takes theirs and is planned with them.
ALTER FUNCTION app.analytics_lead_facts_of(uuid[]) RESET search_path;
