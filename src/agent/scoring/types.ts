/** Same unions as the fact extractor's; repeated here so scoring depends on no other module. */
export type Authority = 'decision_maker' | 'influencer' | 'no_authority' | 'unknown';
export type Timeline = 'immediate' | 'this_week' | 'this_month' | 'this_quarter' | 'future' | 'unknown';

export type RuleCategory = 'budget' | 'authority' | 'need' | 'timeline' | 'fit' | 'engagement';

/**
 * A test on one fact. Every operator except `absent` is false when the fact is missing
 * (undefined, null, '', NaN or the extractor's 'unknown'), like SQL comparisons with NULL.
 * `between` is [min, max): min inclusive, max exclusive, so that tiers such as budget
 * bands can be disjoint and only the best one fires.
 */
export type RuleCondition =
  | { field: string; op: 'eq' | 'neq'; value: string | number | boolean }
  | { field: string; op: 'in'; value: (string | number)[] }
  | { field: string; op: 'gte' | 'lte' | 'gt' | 'lt'; value: number }
  | { field: string; op: 'between'; value: [number, number] }
  | { field: string; op: 'present' | 'absent' };

export interface ScoringRule {
  id: string;
  name: string;
  category: RuleCategory;
  condition: RuleCondition;
  points: number;
  is_active: boolean;
  description?: string | null;
}

/** Extracted facts, plus `budget_amount_usd` (see toUsd) for the budget rules. */
export interface ScoredFacts {
  [field: string]: string | number | boolean | null | undefined;
}

export interface Engagement {
  conversations: number;
  calls: number;
  voice_calls: number;
  /** -1..1 */
  average_sentiment: number | null;
  last_touch_at: string | null;
  now: string;
}

export interface BreakdownItem {
  rule_id: string;
  rule: string;
  category: RuleCategory;
  points: number;
  evidence: string | null;
}

export type StatusBucket = 'P1' | 'P2' | 'P3';

export interface LeadScore {
  /** 0..100, integer: min(100, fit_score + engagement_score) */
  score: number;
  /** 0..100: the fired rules' points, clamped */
  fit_score: number;
  /** 0..20 */
  engagement_score: number;
  status_bucket: StatusBucket;
  breakdown: BreakdownItem[];
}
