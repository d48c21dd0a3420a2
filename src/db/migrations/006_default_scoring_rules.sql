-- Default BANT scoring rules (src/agent/scoring/default-rules.ts); admins edit them in Settings.
INSERT INTO lead_scoring_criteria (id, name, category, condition, points, is_active, description) VALUES
  ('budget_over_50k', 'Budget $50k or more', 'budget', '{"field":"budget_amount_usd","op":"gte","value":50000}'::jsonb, 30, true, 'Stated budget of at least $50,000 (converted to USD).'),
  ('budget_10k_to_50k', 'Budget $10k to $50k', 'budget', '{"field":"budget_amount_usd","op":"between","value":[10000,50000]}'::jsonb, 20, true, 'Stated budget from $10,000 up to (not including) $50,000.'),
  ('budget_under_10k', 'Budget under $10k', 'budget', '{"field":"budget_amount_usd","op":"between","value":[1,10000]}'::jsonb, 10, true, 'Some budget stated, below $10,000.'),
  ('budget_none', 'No budget', 'budget', '{"field":"budget_amount_usd","op":"eq","value":0}'::jsonb, -5, true, 'The prospect said there is no budget.'),
  ('authority_decision_maker', 'Decision maker', 'authority', '{"field":"authority","op":"eq","value":"decision_maker"}'::jsonb, 25, true, 'The prospect signs off on the purchase.'),
  ('authority_influencer', 'Influencer', 'authority', '{"field":"authority","op":"eq","value":"influencer"}'::jsonb, 12, true, 'The prospect recommends; someone else decides.'),
  ('authority_none', 'No buying authority', 'authority', '{"field":"authority","op":"eq","value":"no_authority"}'::jsonb, -5, true, 'The prospect has no say in the purchase.'),
  ('need_stated', 'Need stated', 'need', '{"field":"need","op":"present"}'::jsonb, 15, true, 'The prospect described the problem they want solved.'),
  ('need_wants_demo', 'Asked for a demo', 'need', '{"field":"wants_demo","op":"eq","value":true}'::jsonb, 5, true, 'The prospect wants to see the product.'),
  ('need_demo_booked', 'Demo booked', 'need', '{"field":"meeting_booked","op":"eq","value":true}'::jsonb, 5, true, 'A demo is on the calendar.'),
  ('timeline_this_week', 'Buying now or this week', 'timeline', '{"field":"timeline","op":"in","value":["immediate","this_week"]}'::jsonb, 25, true, 'Wants to start immediately or this week.'),
  ('timeline_this_month', 'Buying this month', 'timeline', '{"field":"timeline","op":"eq","value":"this_month"}'::jsonb, 20, true, 'Wants to start within the month.'),
  ('timeline_this_quarter', 'Buying this quarter', 'timeline', '{"field":"timeline","op":"eq","value":"this_quarter"}'::jsonb, 12, true, 'Wants to start within about three months.'),
  ('timeline_future', 'No near-term timeline', 'timeline', '{"field":"timeline","op":"eq","value":"future"}'::jsonb, 3, true, 'Interested, but later than this quarter.'),
  ('fit_company_size_50', 'Company of 50+ people', 'fit', '{"field":"company_size","op":"gte","value":50}'::jsonb, 5, true, 'Fifty or more employees.'),
  ('fit_company_named', 'Company named', 'fit', '{"field":"company","op":"present"}'::jsonb, 2, true, 'The prospect said which company they are with.'),
  ('fit_email', 'Email given', 'fit', '{"field":"email","op":"present"}'::jsonb, 3, true, 'Reachable by email.'),
  ('fit_phone', 'Phone given', 'fit', '{"field":"phone","op":"present"}'::jsonb, 2, true, 'Reachable by phone.')
ON CONFLICT (id) DO NOTHING;

