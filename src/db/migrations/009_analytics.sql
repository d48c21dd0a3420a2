-- The dashboard's analytics (src/crm/analytics), measured by `npm run bench:analytics` at 100k
-- leads and 1M activities (docs/benchmarks.md, "## Analytics").
--
-- Email rates read the email events of a date range. Among a million timeline rows they are a
-- fifth, and the range another tenth of those: (activity_type) and (created_at) alone each
-- matched ten times the rows needed and PostgreSQL ANDed two bitmaps. This partial index holds
-- only live email events, by time, with every column the query and the activities read policy
-- look at, so a range is one index-only scan.
CREATE INDEX activities_email_events_idx ON activities (created_at)
  INCLUDE (lead_id, activity_type, client_id, contact_id, opportunity_id, created_by)
  WHERE activity_type IN ('email', 'email_sent', 'email_opened', 'email_clicked', 'email_bounced') AND deleted_at IS NULL;

-- The range's leads and calls, read through indexes that hold every column the queries and
-- the read policies use: index-only scans instead of visiting a 100 MB heap (leads carry
-- their full text) page by page. Trashed rows are never counted, so they are left out.
CREATE INDEX leads_analytics_idx ON leads (created_at)
  INCLUDE (id, agent_id, pipeline_stage_id, status_bucket, qualification_status, converted_at, lead_source)
  WHERE deleted_at IS NULL;
CREATE INDEX calls_analytics_idx ON calls (call_start_time)
  INCLUDE (lead_id, user_id, duration_seconds, sentiment_score)
  WHERE deleted_at IS NULL;
