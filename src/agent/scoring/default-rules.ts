import type { ScoringRule } from './types.js';

/**
 * The seeded BANT playbook. Budget and timeline are tiers: their ranges are disjoint so only
 * the best tier of each fires. Points are set so that
 *   - a fully qualified prospect (budget >= $50k, decision maker, a stated need, buying this
 *     week) reaches 95 on facts alone: P1;
 *   - a solid one ($10-50k, decision maker, need, this month, an email) reaches 83: P1;
 *   - an influencer with a mid budget, a need and a this-quarter timeline lands at 59: P2;
 *   - someone who only said what they need, from a phone, stays at 17: P3.
 * Engagement (at most 20) comes on top; see scoreLead.
 */
export const DEFAULT_SCORING_RULES: readonly ScoringRule[] = Object.freeze([
  {
    id: 'budget_over_50k',
    name: 'Budget $50k or more',
    category: 'budget',
    condition: { field: 'budget_amount_usd', op: 'gte', value: 50_000 },
    points: 30,
    is_active: true,
    description: 'Stated budget of at least $50,000 (converted to USD).',
  },
  {
    id: 'budget_10k_to_50k',
    name: 'Budget $10k to $50k',
    category: 'budget',
    condition: { field: 'budget_amount_usd', op: 'between', value: [10_000, 50_000] },
    points: 20,
    is_active: true,
    description: 'Stated budget from $10,000 up to (not including) $50,000.',
  },
  {
    id: 'budget_under_10k',
    name: 'Budget under $10k',
    category: 'budget',
    condition: { field: 'budget_amount_usd', op: 'between', value: [1, 10_000] },
    points: 10,
    is_active: true,
    description: 'Some budget stated, below $10,000.',
  },
  {
    id: 'budget_none',
    name: 'No budget',
    category: 'budget',
    condition: { field: 'budget_amount_usd', op: 'eq', value: 0 },
    points: -5,
    is_active: true,
    description: 'The prospect said there is no budget.',
  },
  {
    id: 'authority_decision_maker',
    name: 'Decision maker',
    category: 'authority',
    condition: { field: 'authority', op: 'eq', value: 'decision_maker' },
    points: 25,
    is_active: true,
    description: 'The prospect signs off on the purchase.',
  },
  {
    id: 'authority_influencer',
    name: 'Influencer',
    category: 'authority',
    condition: { field: 'authority', op: 'eq', value: 'influencer' },
    points: 12,
    is_active: true,
    description: 'The prospect recommends; someone else decides.',
  },
  {
    id: 'authority_none',
    name: 'No buying authority',
    category: 'authority',
    condition: { field: 'authority', op: 'eq', value: 'no_authority' },
    points: -5,
    is_active: true,
    description: 'The prospect has no say in the purchase.',
  },
  {
    id: 'need_stated',
    name: 'Need stated',
    category: 'need',
    condition: { field: 'need', op: 'present' },
    points: 15,
    is_active: true,
    description: 'The prospect described the problem they want solved.',
  },
  {
    id: 'need_wants_demo',
    name: 'Asked for a demo',
    category: 'need',
    condition: { field: 'wants_demo', op: 'eq', value: true },
    points: 5,
    is_active: true,
    description: 'The prospect wants to see the product.',
  },
  {
    id: 'need_demo_booked',
    name: 'Demo booked',
    category: 'need',
    condition: { field: 'meeting_booked', op: 'eq', value: true },
    points: 5,
    is_active: true,
    description: 'A demo is on the calendar.',
  },
  {
    id: 'timeline_this_week',
    name: 'Buying now or this week',
    category: 'timeline',
    condition: { field: 'timeline', op: 'in', value: ['immediate', 'this_week'] },
    points: 25,
    is_active: true,
    description: 'Wants to start immediately or this week.',
  },
  {
    id: 'timeline_this_month',
    name: 'Buying this month',
    category: 'timeline',
    condition: { field: 'timeline', op: 'eq', value: 'this_month' },
    points: 20,
    is_active: true,
    description: 'Wants to start within the month.',
  },
  {
    id: 'timeline_this_quarter',
    name: 'Buying this quarter',
    category: 'timeline',
    condition: { field: 'timeline', op: 'eq', value: 'this_quarter' },
    points: 12,
    is_active: true,
    description: 'Wants to start within about three months.',
  },
  {
    id: 'timeline_future',
    name: 'No near-term timeline',
    category: 'timeline',
    condition: { field: 'timeline', op: 'eq', value: 'future' },
    points: 3,
    is_active: true,
    description: 'Interested, but later than this quarter.',
  },
  {
    id: 'fit_company_size_50',
    name: 'Company of 50+ people',
    category: 'fit',
    condition: { field: 'company_size', op: 'gte', value: 50 },
    points: 5,
    is_active: true,
    description: 'Fifty or more employees.',
  },
  {
    id: 'fit_company_named',
    name: 'Company named',
    category: 'fit',
    condition: { field: 'company', op: 'present' },
    points: 2,
    is_active: true,
    description: 'The prospect said which company they are with.',
  },
  {
    id: 'fit_email',
    name: 'Email given',
    category: 'fit',
    condition: { field: 'email', op: 'present' },
    points: 3,
    is_active: true,
    description: 'Reachable by email.',
  },
  {
    id: 'fit_phone',
    name: 'Phone given',
    category: 'fit',
    condition: { field: 'phone', op: 'present' },
    points: 2,
    is_active: true,
    description: 'Reachable by phone.',
  },
]) as readonly ScoringRule[];

function sqlText(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/**
 * One INSERT of the default rules for a migration. Idempotent: a rule whose id exists (an
 * admin may have edited it) is left alone, so `id` must be the table's primary key.
 */
export function defaultRulesSql(rules: readonly ScoringRule[] = DEFAULT_SCORING_RULES): string {
  const rows = rules.map(
    (rule) =>
      `  (${sqlText(rule.id)}, ${sqlText(rule.name)}, ${sqlText(rule.category)}, ${sqlText(JSON.stringify(rule.condition))}::jsonb, ` +
      `${Math.trunc(rule.points)}, ${rule.is_active ? 'true' : 'false'}, ${rule.description == null ? 'NULL' : sqlText(rule.description)})`,
  );
  return (
    'INSERT INTO lead_scoring_criteria (id, name, category, condition, points, is_active, description) VALUES\n' +
    `${rows.join(',\n')}\nON CONFLICT (id) DO NOTHING;\n`
  );
}
