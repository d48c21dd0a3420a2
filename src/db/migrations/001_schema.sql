-- Clara's data model. Field names follow TrendtialCRM (seed 001, iteration 1.4).
-- Only SQL that PostgreSQL 15 understands: production may run 15 while the embedded server is 18.

CREATE SCHEMA IF NOT EXISTS app;

-- ---------------------------------------------------------------------------
-- Users, credentials, sessions, API keys
-- ---------------------------------------------------------------------------
CREATE TABLE users (
  id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  email         text NOT NULL CHECK (email = lower(email) AND email LIKE '%_@_%'),
  full_name     text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  role          text NOT NULL CHECK (role IN ('admin', 'manager', 'agent', 'viewer')),
  manager_id    uuid REFERENCES users(id) ON DELETE SET NULL,
  is_active     boolean NOT NULL DEFAULT true,
  -- The AI agent and API keys act as users so that ownership, RLS and audit treat them alike.
  is_ai         boolean NOT NULL DEFAULT false,
  is_service    boolean NOT NULL DEFAULT false,
  phone         text,
  timezone      text,
  last_login_at timestamptz(3),
  created_at    timestamptz(3) NOT NULL DEFAULT now(),
  updated_at    timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (manager_id IS DISTINCT FROM id)
);
CREATE UNIQUE INDEX users_email_key ON users (email);
CREATE INDEX users_manager_id_idx ON users (manager_id);

-- Kept apart from users so that no request role can ever read a password hash.
CREATE TABLE user_credentials (
  user_id       uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  password_hash text NOT NULL,
  updated_at    timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  expires_at   timestamptz(3) NOT NULL,
  last_seen_at timestamptz(3) NOT NULL DEFAULT now(),
  user_agent   text,
  ip           text
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  -- The key's identity: a service user holding the key's role.
  user_id      uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key_prefix   text NOT NULL,
  key_hash     text NOT NULL UNIQUE,
  created_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  last_used_at timestamptz(3),
  expires_at   timestamptz(3),
  revoked_at   timestamptz(3)
);

-- ---------------------------------------------------------------------------
-- Pipeline
-- ---------------------------------------------------------------------------
CREATE TABLE pipeline_stages (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
  order_position    integer NOT NULL,
  win_probability   integer NOT NULL DEFAULT 0 CHECK (win_probability BETWEEN 0 AND 100),
  rotten_after_days integer CHECK (rotten_after_days > 0),
  is_won            boolean NOT NULL DEFAULT false,
  is_lost           boolean NOT NULL DEFAULT false,
  color             text,
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  updated_at        timestamptz(3) NOT NULL DEFAULT now(),
  CHECK (NOT (is_won AND is_lost))
);
CREATE UNIQUE INDEX pipeline_stages_name_key ON pipeline_stages (lower(name));

-- ---------------------------------------------------------------------------
-- Clients and contacts
-- ---------------------------------------------------------------------------
CREATE TABLE clients (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_name  text NOT NULL CHECK (length(client_name) BETWEEN 1 AND 300),
  company_size integer CHECK (company_size >= 0),
  industry     text,
  website      text,
  email        text,
  phone        text,
  address      text,
  city         text,
  country      text,
  notes        text,
  agent_id     uuid REFERENCES users(id) ON DELETE SET NULL,
  created_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at   timestamptz(3)
);
CREATE INDEX clients_name_idx ON clients (lower(client_name));
CREATE INDEX clients_agent_id_idx ON clients (agent_id);
CREATE INDEX clients_created_at_idx ON clients (created_at, id);

CREATE TABLE contacts (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id   uuid REFERENCES clients(id) ON DELETE SET NULL,
  full_name   text NOT NULL CHECK (length(full_name) BETWEEN 1 AND 200),
  email       text,
  phone       text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  job_title   text,
  is_primary  boolean NOT NULL DEFAULT false,
  notes       text,
  agent_id    uuid REFERENCES users(id) ON DELETE SET NULL,
  created_by  uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at  timestamptz(3)
);
CREATE INDEX contacts_client_id_idx ON contacts (client_id);
CREATE INDEX contacts_agent_id_idx ON contacts (agent_id);
CREATE INDEX contacts_email_idx ON contacts (lower(email));
CREATE INDEX contacts_created_at_idx ON contacts (created_at, id);

-- ---------------------------------------------------------------------------
-- Leads
-- ---------------------------------------------------------------------------
CREATE TABLE leads (
  id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id            uuid REFERENCES clients(id) ON DELETE SET NULL,
  agent_id             uuid REFERENCES users(id) ON DELETE SET NULL,
  created_by           uuid REFERENCES users(id) ON DELETE SET NULL,
  status_bucket        text NOT NULL DEFAULT 'P3' CHECK (status_bucket IN ('P1', 'P2', 'P3')),
  qualification_status text NOT NULL DEFAULT 'unqualified' CHECK (qualification_status IN
    ('unqualified', 'marketing_qualified', 'sales_qualified', 'opportunity', 'converted', 'disqualified')),
  lead_score           integer NOT NULL DEFAULT 0 CHECK (lead_score BETWEEN 0 AND 100),
  score_breakdown      jsonb NOT NULL DEFAULT '[]',
  contact_person       text,
  company_name         text,
  email                text CHECK (email = lower(email)),
  phone                text CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
  deal_value           numeric(14, 2) CHECK (deal_value >= 0),
  industry             text,
  city                 text,
  pipeline_stage_id    uuid REFERENCES pipeline_stages(id) ON DELETE SET NULL,
  stage_changed_at     timestamptz(3) NOT NULL DEFAULT now(),
  expected_close_date  date,
  win_probability      integer NOT NULL DEFAULT 0 CHECK (win_probability BETWEEN 0 AND 100),
  progress_details     text,
  next_step            text,
  follow_up_due_date   timestamptz(3),
  notes                text,
  lead_source          text,
  campaign_id          text,
  utm_source           text,
  utm_medium           text,
  utm_campaign         text,
  utm_term             text,
  utm_content          text,
  referrer_url         text,
  budget               text,
  budget_amount        numeric(14, 2) CHECK (budget_amount >= 0),
  budget_currency      char(3) CHECK (budget_currency ~ '^[A-Z]{3}$'),
  authority            text NOT NULL DEFAULT 'unknown'
    CHECK (authority IN ('decision_maker', 'influencer', 'no_authority', 'unknown')),
  need                 text,
  timeline             text NOT NULL DEFAULT 'unknown'
    CHECK (timeline IN ('immediate', 'this_week', 'this_month', 'this_quarter', 'future', 'unknown')),
  conversation_summary text,
  extracted_info       jsonb NOT NULL DEFAULT '{}',
  tags                 text[] NOT NULL DEFAULT '{}',
  first_touch_date     timestamptz(3),
  last_touch_date      timestamptz(3),
  sync_lock            boolean NOT NULL DEFAULT false,
  last_email_opened_at timestamptz(3),
  email_click_count    integer NOT NULL DEFAULT 0 CHECK (email_click_count >= 0),
  email_status         text,
  do_not_contact       boolean NOT NULL DEFAULT false,
  converted_at         timestamptz(3),
  merged_into_id       uuid REFERENCES leads(id) ON DELETE SET NULL,
  created_at           timestamptz(3) NOT NULL DEFAULT now(),
  updated_at           timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at           timestamptz(3),
  -- Phone numbers are indexed whole, without "+", and by their last 10 and 7 digits so
  -- that "415 555 0123" or "5550123" finds "+14155550123".
  search               tsvector GENERATED ALWAYS AS (
    to_tsvector('simple',
      coalesce(contact_person, '') || ' ' || coalesce(company_name, '') || ' ' ||
      coalesce(email, '') || ' ' || coalesce(replace(email, '@', ' '), '') || ' ' ||
      coalesce(substr(phone, 2), '') || ' ' || coalesce(right(phone, 10), '') || ' ' ||
      coalesce(right(phone, 7), '') || ' ' || coalesce(notes, '') || ' ' ||
      coalesce(need, '') || ' ' || coalesce(industry, '') || ' ' || coalesce(city, ''))
  ) STORED
);
CREATE INDEX leads_agent_id_idx ON leads (agent_id);
CREATE INDEX leads_client_id_idx ON leads (client_id);
CREATE INDEX leads_pipeline_stage_id_idx ON leads (pipeline_stage_id);
CREATE INDEX leads_status_bucket_idx ON leads (status_bucket);
CREATE INDEX leads_lead_source_idx ON leads (lead_source);
CREATE INDEX leads_created_at_idx ON leads (created_at, id);
CREATE INDEX leads_updated_at_idx ON leads (updated_at, id);
CREATE INDEX leads_lead_score_idx ON leads (lead_score, id);
CREATE INDEX leads_email_idx ON leads (email);
CREATE INDEX leads_phone_idx ON leads (phone);
CREATE INDEX leads_search_idx ON leads USING gin (search);

-- ---------------------------------------------------------------------------
-- Opportunities
-- ---------------------------------------------------------------------------
CREATE TABLE opportunities (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name              text NOT NULL CHECK (length(name) BETWEEN 1 AND 300),
  lead_id           uuid REFERENCES leads(id) ON DELETE SET NULL,
  client_id         uuid REFERENCES clients(id) ON DELETE SET NULL,
  contact_id        uuid REFERENCES contacts(id) ON DELETE SET NULL,
  agent_id          uuid REFERENCES users(id) ON DELETE SET NULL,
  pipeline_stage_id uuid REFERENCES pipeline_stages(id) ON DELETE SET NULL,
  amount            numeric(14, 2) CHECK (amount >= 0),
  currency          char(3) NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
  close_date        date,
  probability       integer NOT NULL DEFAULT 0 CHECK (probability BETWEEN 0 AND 100),
  status            text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'won', 'lost')),
  lost_reason       text,
  created_by        uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  updated_at        timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at        timestamptz(3)
);
CREATE INDEX opportunities_lead_id_idx ON opportunities (lead_id);
CREATE INDEX opportunities_client_id_idx ON opportunities (client_id);
CREATE INDEX opportunities_agent_id_idx ON opportunities (agent_id);
CREATE INDEX opportunities_created_at_idx ON opportunities (created_at, id);

-- ---------------------------------------------------------------------------
-- Timeline: activities and notes
-- ---------------------------------------------------------------------------
CREATE TABLE activities (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  activity_type  text NOT NULL CHECK (length(activity_type) BETWEEN 1 AND 100),
  subject        text,
  description    text,
  lead_id        uuid REFERENCES leads(id) ON DELETE CASCADE,
  client_id      uuid REFERENCES clients(id) ON DELETE CASCADE,
  contact_id     uuid REFERENCES contacts(id) ON DELETE CASCADE,
  opportunity_id uuid REFERENCES opportunities(id) ON DELETE CASCADE,
  metadata       jsonb NOT NULL DEFAULT '{}',
  created_by     uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at     timestamptz(3)
);
CREATE INDEX activities_lead_id_idx ON activities (lead_id, created_at);
CREATE INDEX activities_client_id_idx ON activities (client_id);
CREATE INDEX activities_contact_id_idx ON activities (contact_id);
CREATE INDEX activities_opportunity_id_idx ON activities (opportunity_id);
CREATE INDEX activities_created_by_idx ON activities (created_by);
CREATE INDEX activities_created_at_idx ON activities (created_at, id);
CREATE INDEX activities_type_idx ON activities (activity_type);

CREATE TABLE notes (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  body           text NOT NULL CHECK (length(body) BETWEEN 1 AND 100000),
  is_pinned      boolean NOT NULL DEFAULT false,
  lead_id        uuid REFERENCES leads(id) ON DELETE CASCADE,
  client_id      uuid REFERENCES clients(id) ON DELETE CASCADE,
  contact_id     uuid REFERENCES contacts(id) ON DELETE CASCADE,
  opportunity_id uuid REFERENCES opportunities(id) ON DELETE CASCADE,
  created_by     uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at     timestamptz(3),
  CHECK (num_nonnulls(lead_id, client_id, contact_id, opportunity_id) >= 1)
);
CREATE INDEX notes_lead_id_idx ON notes (lead_id);
CREATE INDEX notes_client_id_idx ON notes (client_id);
CREATE INDEX notes_contact_id_idx ON notes (contact_id);
CREATE INDEX notes_opportunity_id_idx ON notes (opportunity_id);
CREATE INDEX notes_created_at_idx ON notes (created_at, id);

-- ---------------------------------------------------------------------------
-- Follow-ups, meetings, todos
-- ---------------------------------------------------------------------------
CREATE TABLE follow_ups (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  lead_id           uuid REFERENCES leads(id) ON DELETE CASCADE,
  agent_id          uuid REFERENCES users(id) ON DELETE SET NULL,
  due_date          timestamptz(3) NOT NULL,
  status            text NOT NULL DEFAULT 'Pending'
    CHECK (status IN ('Pending', 'Completed', 'Cancelled', 'Rescheduled')),
  notes             text,
  suggested_by_ai   boolean NOT NULL DEFAULT false,
  ai_recommendation text,
  completed_at      timestamptz(3),
  created_by        uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  updated_at        timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at        timestamptz(3)
);
CREATE INDEX follow_ups_lead_id_idx ON follow_ups (lead_id);
CREATE INDEX follow_ups_agent_id_idx ON follow_ups (agent_id, due_date);
CREATE INDEX follow_ups_due_date_idx ON follow_ups (due_date, id);

CREATE TABLE meetings (
  id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  lead_id         uuid REFERENCES leads(id) ON DELETE CASCADE,
  client_id       uuid REFERENCES clients(id) ON DELETE SET NULL,
  agent_id        uuid REFERENCES users(id) ON DELETE SET NULL,
  title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  start_time      timestamptz(3) NOT NULL,
  end_time        timestamptz(3) NOT NULL,
  status          text NOT NULL DEFAULT 'Scheduled'
    CHECK (status IN ('Scheduled', 'Completed', 'Cancelled', 'Rescheduled', 'No Show')),
  location        text,
  meeting_type    text NOT NULL DEFAULT 'demo',
  notes           text,
  scheduled_by_ai boolean NOT NULL DEFAULT false,
  created_by      uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at      timestamptz(3) NOT NULL DEFAULT now(),
  updated_at      timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at      timestamptz(3),
  CHECK (end_time > start_time)
);
CREATE INDEX meetings_lead_id_idx ON meetings (lead_id);
CREATE INDEX meetings_agent_id_idx ON meetings (agent_id, start_time);
CREATE INDEX meetings_start_time_idx ON meetings (start_time, id);

CREATE TABLE todos (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  title        text NOT NULL CHECK (length(title) BETWEEN 1 AND 300),
  description  text,
  status       text NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'done', 'cancelled')),
  priority     text NOT NULL DEFAULT 'medium' CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
  due_date     timestamptz(3),
  assigned_to  uuid REFERENCES users(id) ON DELETE SET NULL,
  lead_id      uuid REFERENCES leads(id) ON DELETE CASCADE,
  client_id    uuid REFERENCES clients(id) ON DELETE SET NULL,
  completed_at timestamptz(3),
  created_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at   timestamptz(3)
);
CREATE INDEX todos_assigned_to_idx ON todos (assigned_to, due_date);
CREATE INDEX todos_lead_id_idx ON todos (lead_id);
CREATE INDEX todos_client_id_idx ON todos (client_id);
CREATE INDEX todos_created_at_idx ON todos (created_at, id);

CREATE TABLE todo_comments (
  id         uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  todo_id    uuid NOT NULL REFERENCES todos(id) ON DELETE CASCADE,
  body       text NOT NULL CHECK (length(body) BETWEEN 1 AND 20000),
  created_by uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at timestamptz(3) NOT NULL DEFAULT now(),
  updated_at timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at timestamptz(3)
);
CREATE INDEX todo_comments_todo_id_idx ON todo_comments (todo_id, created_at);

CREATE TABLE todo_attachments (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  todo_id      uuid NOT NULL REFERENCES todos(id) ON DELETE CASCADE,
  file_name    text NOT NULL CHECK (length(file_name) BETWEEN 1 AND 255),
  content_type text NOT NULL,
  size_bytes   integer NOT NULL CHECK (size_bytes >= 0),
  content      bytea NOT NULL,
  created_by   uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at   timestamptz(3) NOT NULL DEFAULT now(),
  updated_at   timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at   timestamptz(3)
);
CREATE INDEX todo_attachments_todo_id_idx ON todo_attachments (todo_id);

-- ---------------------------------------------------------------------------
-- Calls and conversations
-- ---------------------------------------------------------------------------
CREATE TABLE calls (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  lead_id          uuid REFERENCES leads(id) ON DELETE SET NULL,
  user_id          uuid REFERENCES users(id) ON DELETE SET NULL,
  session_id       text,
  call_type        text NOT NULL DEFAULT 'manual'
    CHECK (call_type IN ('ai_voice', 'ai_chat', 'ai_sms', 'manual', 'outbound')),
  direction        text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound')),
  from_number      text,
  to_number        text,
  provider         text,
  provider_call_id text,
  call_start_time  timestamptz(3) NOT NULL DEFAULT now(),
  call_end_time    timestamptz(3),
  duration_seconds integer CHECK (duration_seconds >= 0),
  outcome          text,
  transcript       text,
  sentiment_score  numeric(4, 3) CHECK (sentiment_score BETWEEN -1 AND 1),
  summary          text,
  analysis         jsonb NOT NULL DEFAULT '{}',
  recording_url    text,
  notes            text,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  updated_at       timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at       timestamptz(3),
  search           tsvector GENERATED ALWAYS AS (
    to_tsvector('simple', coalesce(transcript, '') || ' ' || coalesce(summary, '') || ' ' || coalesce(notes, ''))
  ) STORED,
  CHECK (call_end_time IS NULL OR call_end_time >= call_start_time)
);
CREATE UNIQUE INDEX calls_provider_call_key ON calls (provider, provider_call_id);
CREATE INDEX calls_lead_id_idx ON calls (lead_id);
CREATE INDEX calls_user_id_idx ON calls (user_id);
CREATE INDEX calls_session_id_idx ON calls (session_id);
CREATE INDEX calls_start_time_idx ON calls (call_start_time, id);
CREATE INDEX calls_created_at_idx ON calls (created_at, id);
CREATE INDEX calls_search_idx ON calls USING gin (search);

CREATE TABLE conversations (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  lead_id             uuid REFERENCES leads(id) ON DELETE SET NULL,
  user_id             uuid REFERENCES users(id) ON DELETE SET NULL,
  channel             text NOT NULL CHECK (channel IN ('web', 'sms', 'voice', 'email')),
  external_session_id text,
  messages            jsonb NOT NULL DEFAULT '[]',
  language            text,
  sentiment           numeric(4, 3) CHECK (sentiment BETWEEN -1 AND 1),
  status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'ended')),
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  updated_at          timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at          timestamptz(3)
);
CREATE UNIQUE INDEX conversations_external_key ON conversations (channel, external_session_id);
CREATE INDEX conversations_lead_id_idx ON conversations (lead_id);
CREATE INDEX conversations_created_at_idx ON conversations (created_at, id);

-- ---------------------------------------------------------------------------
-- Notifications, audit, imports
-- ---------------------------------------------------------------------------
CREATE TABLE notifications (
  id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  user_id     uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  type        text NOT NULL,
  title       text NOT NULL,
  body        text,
  link        text,
  entity_type text,
  entity_id   uuid,
  read_at     timestamptz(3),
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now(),
  deleted_at  timestamptz(3)
);
CREATE INDEX notifications_user_id_idx ON notifications (user_id, created_at DESC);

CREATE TABLE notification_preferences (
  user_id     uuid PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  preferences jsonb NOT NULL DEFAULT '{}',
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE admin_audit (
  id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  actor_id   uuid,
  action     text NOT NULL CHECK (action IN ('create', 'update', 'delete')),
  table_name text NOT NULL,
  record_id  text,
  before     jsonb,
  after      jsonb,
  created_at timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX admin_audit_record_idx ON admin_audit (table_name, record_id);
CREATE INDEX admin_audit_actor_idx ON admin_audit (actor_id);
CREATE INDEX admin_audit_created_at_idx ON admin_audit (created_at);

CREATE TABLE imports (
  id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  entity         text NOT NULL CHECK (entity IN ('leads', 'clients', 'contacts')),
  status         text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'completed', 'failed')),
  file_name      text,
  total_rows     integer NOT NULL DEFAULT 0,
  processed_rows integer NOT NULL DEFAULT 0,
  created_count  integer NOT NULL DEFAULT 0,
  updated_count  integer NOT NULL DEFAULT 0,
  skipped_count  integer NOT NULL DEFAULT 0,
  failed_count   integer NOT NULL DEFAULT 0,
  errors         jsonb NOT NULL DEFAULT '[]',
  created_by     uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at     timestamptz(3) NOT NULL DEFAULT now(),
  updated_at     timestamptz(3) NOT NULL DEFAULT now(),
  finished_at    timestamptz(3)
);
CREATE INDEX imports_created_by_idx ON imports (created_by);
