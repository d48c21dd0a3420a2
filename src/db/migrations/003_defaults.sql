-- Default pipeline (seed 001 iteration 2.3) and the AI agent user (seed 001 iteration 1.2).
INSERT INTO pipeline_stages (name, order_position, win_probability, rotten_after_days, is_won, is_lost, color) VALUES
  ('New Lead',        1,   5,  3,    false, false, '#868e96'),
  ('Contacted',       2,  10,  7,    false, false, '#4dabf7'),
  ('Qualified',       3,  25, 14,    false, false, '#3bc9db'),
  ('Demo Scheduled',  4,  40, 14,    false, false, '#9775fa'),
  ('Proposal Sent',   5,  60, 21,    false, false, '#f59f00'),
  ('Negotiation',     6,  80, 21,    false, false, '#ff922b'),
  ('Closed Won',      7, 100, NULL,  true,  false, '#40c057'),
  ('Closed Lost',     8,   0, NULL,  false, true,  '#fa5252');

INSERT INTO users (email, full_name, role, is_ai)
VALUES ('clara.agent@clara.local', 'Clara AI Agent', 'agent', true);
