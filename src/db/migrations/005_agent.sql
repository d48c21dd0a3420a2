-- Clara, the AI agent: its settings, its scoring rules and its conversation state.

-- One row: the agent's persona and knowledge, edited by admins in Settings.
CREATE TABLE agent_settings (
  id             boolean PRIMARY KEY DEFAULT true CHECK (id),
  agent_name     text NOT NULL DEFAULT 'Clara' CHECK (length(agent_name) BETWEEN 1 AND 60),
  company_name   text NOT NULL DEFAULT 'our company' CHECK (length(company_name) BETWEEN 1 AND 120),
  greeting       text CHECK (length(greeting) <= 500),
  -- [{ "question": "...", "answer": "...", "keywords": ["pricing", "cost"] }]
  faq            jsonb NOT NULL DEFAULT '[]',
  -- qualification_status -> pipeline stage name (seed 001 iteration 2.3), editable
  stage_mapping  jsonb NOT NULL DEFAULT '{}',
  demo_minutes   integer NOT NULL DEFAULT 30 CHECK (demo_minutes BETWEEN 10 AND 240),
  updated_at     timestamptz(3) NOT NULL DEFAULT now()
);
INSERT INTO agent_settings (faq) VALUES ('[
  {"question": "How much does it cost?", "keywords": ["price", "pricing", "cost", "costs", "how much", "plans", "expensive"],
   "answer": "Plans start at 49 dollars per user per month, and the AI agent is included in every plan."},
  {"question": "Does it integrate with my tools?", "keywords": ["integrate", "integration", "integrations", "api", "zapier", "hubspot", "salesforce"],
   "answer": "Yes: there is a REST API, signed webhooks, and CSV import and export, so it connects to the tools you already use."},
  {"question": "Is there a free trial?", "keywords": ["trial", "free", "try it"],
   "answer": "Yes, you can try it free for 14 days, no card needed."}
]');
ALTER TABLE agent_settings ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON agent_settings FOR SELECT TO clara_app USING ((SELECT app.current_user_role()) IS NOT NULL);
CREATE POLICY write ON agent_settings FOR UPDATE TO clara_app USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, UPDATE ON agent_settings TO clara_app;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON agent_settings FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE TRIGGER audit AFTER UPDATE ON agent_settings FOR EACH ROW EXECUTE FUNCTION app.audit();

-- Scoring rules (seed 001's lead_scoring_criteria): each rule adds points when its condition on
-- the extracted facts holds. Seeded with defaults by the next migration; editable by admins.
CREATE TABLE lead_scoring_criteria (
  id          text PRIMARY KEY CHECK (id ~ '^[a-z0-9_]{1,60}$'),
  name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 120),
  category    text NOT NULL CHECK (category IN ('budget', 'authority', 'need', 'timeline', 'fit', 'engagement')),
  condition   jsonb NOT NULL,
  points      integer NOT NULL CHECK (points BETWEEN -100 AND 100),
  is_active   boolean NOT NULL DEFAULT true,
  description text,
  created_at  timestamptz(3) NOT NULL DEFAULT now(),
  updated_at  timestamptz(3) NOT NULL DEFAULT now()
);
ALTER TABLE lead_scoring_criteria ENABLE ROW LEVEL SECURITY;
CREATE POLICY read ON lead_scoring_criteria FOR SELECT TO clara_app USING ((SELECT app.current_user_role()) IS NOT NULL);
CREATE POLICY write ON lead_scoring_criteria FOR ALL TO clara_app USING ((SELECT app.is_admin())) WITH CHECK ((SELECT app.is_admin()));
GRANT SELECT, INSERT, UPDATE, DELETE ON lead_scoring_criteria TO clara_app;
CREATE TRIGGER touch_updated_at BEFORE UPDATE ON lead_scoring_criteria FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
CREATE TRIGGER audit AFTER INSERT OR UPDATE OR DELETE ON lead_scoring_criteria FOR EACH ROW EXECUTE FUNCTION app.audit();

-- A conversation is an agent session: its dialogue state lives here, so any app node can take
-- the next turn (nothing in process memory).
ALTER TABLE conversations
  ADD COLUMN state     jsonb NOT NULL DEFAULT '{}',
  ADD COLUMN call_id   uuid REFERENCES calls(id) ON DELETE SET NULL,
  ADD COLUMN ended_at  timestamptz(3);
