-- The email channel (src/channels/email): what Clara sent, what the recipient's side reported,
-- and the secret that signs Clara's own tracking links.

-- One row per email Clara sent (or tried to send) to a lead. The id is also the Message-ID's
-- local part and what tracking tokens and provider metadata carry, so events find their email.
CREATE TABLE email_messages (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  -- Kept when the lead is purged: the send log outlives it (and nobody but an admin sees it then).
  lead_id             uuid REFERENCES leads(id) ON DELETE SET NULL,
  template            text NOT NULL CHECK (template IN ('booking_confirmation', 'roi_report')),
  to_email            text NOT NULL CHECK (length(to_email) BETWEEN 3 AND 320),
  from_email          text NOT NULL,
  subject             text NOT NULL,
  -- sending while the SMTP server is being talked to; then sent or failed; then what the
  -- provider reported about delivery.
  status              text NOT NULL DEFAULT 'sending'
    CHECK (status IN ('sending', 'sent', 'failed', 'delivered', 'bounced', 'complained')),
  header_message_id   text NOT NULL,
  -- The id the SMTP server gave the message ("250 Ok: queued as <id>"), when it said one.
  provider_message_id text,
  error               text,
  open_count          integer NOT NULL DEFAULT 0 CHECK (open_count >= 0),
  click_count         integer NOT NULL DEFAULT 0 CHECK (click_count >= 0),
  first_opened_at     timestamptz(3),
  sent_at             timestamptz(3),
  created_by          uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  updated_at          timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX email_messages_lead_id_idx ON email_messages (lead_id, created_at);
CREATE UNIQUE INDEX email_messages_header_message_id_key ON email_messages (header_message_id);
CREATE INDEX email_messages_provider_message_id_idx ON email_messages (provider_message_id);
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON email_messages FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Engagement and delivery events, normalised from Clara's own tracking and the providers'
-- webhooks. Providers deliver the same event several times (SendGrid often three): the unique
-- key makes the second insert a no-op, so an event changes the lead exactly once, even when two
-- copies arrive at two app nodes at the same moment.
CREATE TABLE email_events (
  id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  provider          text NOT NULL CHECK (provider IN ('clara', 'sendgrid', 'postmark', 'resend', 'mailgun')),
  provider_event_id text NOT NULL CHECK (length(provider_event_id) BETWEEN 1 AND 500),
  event_type        text NOT NULL
    CHECK (event_type IN ('delivered', 'opened', 'clicked', 'bounced', 'complained', 'unsubscribed', 'replied')),
  message_id        uuid REFERENCES email_messages(id) ON DELETE SET NULL,
  lead_id           uuid REFERENCES leads(id) ON DELETE SET NULL,
  recipient         text,
  url               text,
  occurred_at       timestamptz(3) NOT NULL,
  payload           jsonb NOT NULL DEFAULT '{}',
  created_at        timestamptz(3) NOT NULL DEFAULT now(),
  CONSTRAINT email_events_provider_event_key UNIQUE (provider, provider_event_id)
);
CREATE INDEX email_events_message_id_idx ON email_events (message_id);
CREATE INDEX email_events_lead_id_idx ON email_events (lead_id, occurred_at);

-- A send is made by whoever may work the lead; the log is visible with the lead.
SELECT app.apply_child_policies('email_messages', 'EXISTS (SELECT 1 FROM leads l WHERE l.id = email_messages.lead_id)');

-- Events are written by the system only (signed webhooks and tracking links have no user);
-- requests read them with the lead.
ALTER TABLE email_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON email_events FOR SELECT TO clara_app
  USING ((SELECT app.sees_all()) OR EXISTS (SELECT 1 FROM leads l WHERE l.id = email_events.lead_id));
GRANT SELECT ON email_events TO clara_app;

-- The secret that signs tracking links when CLARA_SECRET is not set: generated once here, so
-- every app node signs and verifies with the same one. gen_random_uuid() draws from PostgreSQL's
-- strong random source; two of them give 244 random bits.
CREATE TABLE email_settings (
  id              boolean PRIMARY KEY DEFAULT true CHECK (id),
  tracking_secret text NOT NULL CHECK (length(tracking_secret) >= 32),
  created_at      timestamptz(3) NOT NULL DEFAULT now()
);
INSERT INTO email_settings (tracking_secret)
VALUES (replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', ''));
-- No grant: requests reach the secret only through the function below, never as a row.
ALTER TABLE email_settings ENABLE ROW LEVEL SECURITY;

-- sendEmail signs its links inside the caller's transaction, which may be a request's (clara_app).
CREATE FUNCTION app.email_tracking_secret() RETURNS text
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
  AS $$ SELECT tracking_secret FROM email_settings $$;
REVOKE EXECUTE ON FUNCTION app.email_tracking_secret() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.email_tracking_secret() TO clara_app;

-- Engagement counters change with every open and click; each event already writes its own
-- timeline activity (email_opened, email_clicked, ...), so the generic "Lead Updated" entry and
-- an audit row per open would only repeat it. do_not_contact stays loud on purpose.
CREATE OR REPLACE FUNCTION app.quiet_columns() RETURNS text[] LANGUAGE sql IMMUTABLE
  AS $$ SELECT ARRAY['updated_at', 'search', 'content', 'key_hash', 'last_touch_date', 'stage_changed_at',
                     'last_email_opened_at', 'email_click_count', 'email_status'] $$;
