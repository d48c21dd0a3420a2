import { evaluateCondition } from './conditions.js';
import type { BreakdownItem, Engagement, LeadScore, RuleCategory, ScoredFacts, ScoringRule, StatusBucket } from './types.js';

export const P1_MIN_SCORE = 80;
export const P2_MIN_SCORE = 50;
export const ENGAGEMENT_MAX = 20;

const CATEGORY_ORDER: readonly RuleCategory[] = ['budget', 'authority', 'need', 'timeline', 'fit', 'engagement'];
const DAY_MS = 86_400_000;

export function bucketOf(score: number): StatusBucket {
  return score >= P1_MIN_SCORE ? 'P1' : score >= P2_MIN_SCORE ? 'P2' : 'P3';
}

/** Derived facts carry the utterance of the fact they came from (budget_amount_usd: budget_amount). */
function evidenceFor(field: string, evidence: Readonly<Record<string, string>>): string | null {
  return evidence[field] ?? (field.endsWith('_usd') ? evidence[field.slice(0, -'_usd'.length)] : undefined) ?? null;
}

function clamp(n: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, n));
}

/**
 * Scores a lead from the active rules over its facts (fit, 0..100) plus its engagement
 * (0..20). Every fired rule is in the breakdown with the words that justified it; items are
 * ordered by BANT category, then by points (largest first), then by rule id, so the same
 * input always gives the same output whatever order the rules were loaded in.
 */
export function scoreLead(
  rules: readonly ScoringRule[],
  facts: ScoredFacts,
  evidence: Readonly<Record<string, string>>,
  engagement: Engagement,
): LeadScore {
  const fired = rules
    .filter((rule) => rule.is_active && Number.isFinite(rule.points) && evaluateCondition(rule.condition, facts))
    .sort(
      (a, b) =>
        CATEGORY_ORDER.indexOf(a.category) - CATEGORY_ORDER.indexOf(b.category) ||
        b.points - a.points ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
    )
    .map(
      (rule): BreakdownItem => ({
        rule_id: rule.id,
        rule: rule.name,
        category: rule.category,
        points: rule.points,
        evidence: rule.condition.op === 'absent' ? null : evidenceFor(rule.condition.field, evidence),
      }),
    );
  const fitScore = Math.round(clamp(fired.reduce((sum, item) => sum + item.points, 0), 0, 100));
  const engagementItems = engagementBreakdown(engagement);
  const engagementScore = engagementItems.reduce((sum, item) => sum + item.points, 0);
  const score = Math.min(100, fitScore + engagementScore);
  return {
    score,
    fit_score: fitScore,
    engagement_score: engagementScore,
    status_bucket: bucketOf(score),
    breakdown: [...fired, ...engagementItems],
  };
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function count(n: number): number {
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 0;
}

/**
 * Seed 002's engagement score (2 points a conversation, 10 a voice call, x1.5 when warm,
 * x0.7 when cold, a bonus for recent activity and a penalty for silence) at half scale, so
 * that engagement fills at most 20 of the 100 points and facts decide the rest:
 * 1 point a conversation, 5 a voice call, +50% / -30% of those for warm / cold average
 * sentiment (>= 0.3 / <= -0.3), +3 when touched within a day, +1 within a week, -3 after
 * 30 days of silence. The total is kept within 0..20 by a visible cap (or floor) item, so
 * the engagement items always add up to engagement_score.
 *
 * Chat and SMS sessions may be counted as conversations, as non-voice calls, or both; the
 * larger of the two counts is used so that one session is never counted twice.
 */
export function engagementBreakdown(engagement: Engagement): BreakdownItem[] {
  const items: BreakdownItem[] = [];
  const add = (rule_id: string, rule: string, points: number, evidence: string) => {
    if (points !== 0) items.push({ rule_id, rule, category: 'engagement', points, evidence });
  };
  const voiceCalls = count(engagement.voice_calls);
  const conversations = Math.max(count(engagement.conversations), count(engagement.calls) - voiceCalls);
  add('engagement_conversations', 'Conversations (1 point each)', conversations, plural(conversations, 'conversation'));
  add('engagement_voice_calls', 'Voice calls (5 points each)', voiceCalls * 5, plural(voiceCalls, 'voice call'));

  const activity = conversations + voiceCalls * 5;
  const sentiment = engagement.average_sentiment;
  if (activity > 0 && sentiment !== null && Number.isFinite(sentiment)) {
    const shown = `average sentiment ${sentiment.toFixed(2)}`;
    if (sentiment >= 0.3) add('engagement_sentiment', 'Warm sentiment (x1.5)', Math.round(activity * 0.5), shown);
    else if (sentiment <= -0.3) add('engagement_sentiment', 'Cold sentiment (x0.7)', -Math.round(activity * 0.3), shown);
  }

  const lastTouch = engagement.last_touch_at === null ? Number.NaN : Date.parse(engagement.last_touch_at);
  const now = Date.parse(engagement.now);
  if (Number.isFinite(lastTouch) && Number.isFinite(now)) {
    const days = Math.max(0, now - lastTouch) / DAY_MS;
    const shown = `last touch ${engagement.last_touch_at}`;
    if (days <= 1) add('engagement_recency', 'Active in the last 24 hours', 3, shown);
    else if (days <= 7) add('engagement_recency', 'Active in the last 7 days', 1, shown);
    else if (days > 30) add('engagement_recency', 'Silent for over 30 days', -3, shown);
  }

  const total = items.reduce((sum, item) => sum + item.points, 0);
  if (total > ENGAGEMENT_MAX) {
    add('engagement_cap', `Engagement capped at ${ENGAGEMENT_MAX} points`, ENGAGEMENT_MAX - total, `${total} points earned`);
  } else if (total < 0) {
    add('engagement_floor', 'Engagement cannot go below 0', -total, `${total} points earned`);
  }
  return items;
}
