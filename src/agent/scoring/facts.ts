import type { Authority, Timeline } from './types.js';

/**
 * The facts this module reads, typed `unknown` so that the extractor's own fact type (an
 * interface, which TypeScript will not widen to an index signature) is accepted as it is,
 * and every value is checked before use.
 */
export interface FactsLike {
  contact_person?: unknown;
  company?: unknown;
  email?: unknown;
  phone?: unknown;
  budget_amount?: unknown;
  budget_currency?: unknown;
  budget_amount_usd?: unknown;
  authority?: unknown;
  need?: unknown;
  timeline?: unknown;
  industry?: unknown;
  company_size?: unknown;
  meeting_time?: unknown;
  recording_consent?: unknown;
  wants_demo?: unknown;
  intent?: unknown;
}

const AUTHORITIES: readonly string[] = ['decision_maker', 'influencer', 'no_authority', 'unknown'];
const TIMELINES: readonly string[] = ['immediate', 'this_week', 'this_month', 'this_quarter', 'future', 'unknown'];

/** The extractor says 'unknown' for an asked-but-unanswered question: for scoring that is no answer. */
export function isMissing(value: unknown): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value === 'number') return !Number.isFinite(value);
  if (typeof value === 'string') {
    const text = value.trim();
    return text === '' || text.toLowerCase() === 'unknown';
  }
  return false;
}

export function textFact(facts: FactsLike, key: keyof FactsLike): string | null {
  const value = facts[key];
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return typeof value === 'string' && !isMissing(value) ? value.trim() : null;
}

/** Numbers may arrive as numeric strings ("120") from a form or an older record. */
export function numberFact(facts: FactsLike, key: keyof FactsLike): number | null {
  return toNumber(facts[key]);
}

export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'string' && value.trim() !== '') {
    const parsed = Number(value.trim().replaceAll(',', ''));
    return Number.isFinite(parsed) ? parsed : null;
  }
  return null;
}

export function authorityOf(facts: FactsLike): Authority {
  const value = facts.authority;
  return typeof value === 'string' && AUTHORITIES.includes(value) ? (value as Authority) : 'unknown';
}

export function timelineOf(facts: FactsLike): Timeline {
  const value = facts.timeline;
  return typeof value === 'string' && TIMELINES.includes(value) ? (value as Timeline) : 'unknown';
}

export function isTrue(value: unknown): boolean {
  return value === true || value === 'true';
}

/** A stated budget: an amount above zero (a stated zero is an answer, but not a budget). */
export function hasBudget(facts: FactsLike): boolean {
  const amount = numberFact(facts, 'budget_amount_usd') ?? numberFact(facts, 'budget_amount');
  return amount !== null && amount > 0;
}

export interface BantKnown {
  budget: boolean;
  authority: boolean;
  need: boolean;
  timeline: boolean;
  count: number;
}

export function bantKnown(facts: FactsLike): BantKnown {
  const budget = hasBudget(facts);
  const authority = authorityOf(facts) !== 'unknown';
  const need = textFact(facts, 'need') !== null;
  const timeline = timelineOf(facts) !== 'unknown';
  return { budget, authority, need, timeline, count: [budget, authority, need, timeline].filter(Boolean).length };
}
