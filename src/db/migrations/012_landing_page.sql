-- The landing page (seed 003): sites that embed Clara's forms, booking and chat widget with a
-- publishable key, ROI calculator results, and the links from a lead to what it did there.

CREATE TABLE sites (
  id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  name             text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  -- Publishable, like a Stripe publishable key: it names the site, it does not authorise anything
  -- beyond the public endpoints, and it is only accepted from the site's own origins.
  publishable_key  text NOT NULL UNIQUE,
  allowed_origins  text[] NOT NULL DEFAULT '{}',
  is_active        boolean NOT NULL DEFAULT true,
  created_by       uuid REFERENCES users(id) ON DELETE SET NULL,
  created_at       timestamptz(3) NOT NULL DEFAULT now(),
  updated_at       timestamptz(3) NOT NULL DEFAULT now()
);

CREATE TABLE roi_calculations (
  id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  site_id             uuid REFERENCES sites(id) ON DELETE SET NULL,
  lead_id             uuid REFERENCES leads(id) ON DELETE SET NULL,
  email               text,
  inputs              jsonb NOT NULL DEFAULT '{}',
  results             jsonb NOT NULL DEFAULT '{}',
  -- Seed 003 section 1.5: how engaged the visitor was with the calculator.
  time_on_calculator  integer CHECK (time_on_calculator >= 0),
  adjustments_count   integer CHECK (adjustments_count >= 0),
  report_sent_at      timestamptz(3),
  created_at          timestamptz(3) NOT NULL DEFAULT now(),
  updated_at          timestamptz(3) NOT NULL DEFAULT now()
);
CREATE INDEX roi_calculations_lead_id_idx ON roi_calculations (lead_id);
CREATE INDEX roi_calculations_created_at_idx ON roi_calculations (created_at, id);

-- Seed 003 section 1.4: a lead links back to its ROI calculation and its chat session.
ALTER TABLE leads
  ADD COLUMN roi_calculation_id uuid REFERENCES roi_calculations(id) ON DELETE SET NULL,
  ADD COLUMN voice_session_id   uuid REFERENCES conversations(id) ON DELETE SET NULL;

-- Widget sessions belong to the site that opened them: a key cannot drive another site's chat.
ALTER TABLE conversations ADD COLUMN site_id uuid REFERENCES sites(id) ON DELETE SET NULL;

ALTER TABLE sites ENABLE ROW LEVEL SECURITY;
CREATE POLICY admin ON sites FOR ALL TO clara_app USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, INSERT, UPDATE, DELETE ON sites TO clara_app;

-- A calculation without a lead is anonymous marketing data everyone may read; with a lead it
-- follows the lead.
SELECT app.apply_child_policies('roi_calculations',
  'lead_id IS NULL OR EXISTS (SELECT 1 FROM leads l WHERE l.id = roi_calculations.lead_id)');

CREATE TRIGGER touch_updated_at BEFORE UPDATE ON sites FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON roi_calculations FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON sites FOR EACH ROW EXECUTE FUNCTION app.audit();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON roi_calculations FOR EACH ROW EXECUTE FUNCTION app.audit();
