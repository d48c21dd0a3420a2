import type { Timeline } from './types.js';

/** Seed 001 iteration 2.1: the sooner they buy, the sooner we call back. */
export const FOLLOW_UP_DAYS: Readonly<Record<Timeline, number>> = Object.freeze({
  immediate: 1,
  this_week: 3,
  this_month: 7,
  this_quarter: 30,
  future: 90,
  unknown: 14,
});

const RECOMMENDATION: Readonly<Record<Timeline, string>> = Object.freeze({
  immediate: 'Wants to start now: call back within a day while interest is high.',
  this_week: 'Buying this week: follow up in 3 days to keep the decision moving.',
  this_month: 'Buying this month: follow up in a week to confirm requirements and next steps.',
  this_quarter: 'Buying this quarter: check in in 30 days, before their planning closes.',
  future: 'No near-term plans: nurture and check in again in 90 days.',
  unknown: 'Timeline not known yet: follow up in 2 weeks and ask when they plan to decide.',
});

export interface FollowUpPlan {
  dueDate: Date;
  days: number;
  recommendation: string;
}

/**
 * When to follow up, by BANT timeline. Calendar days from `now` (not business days: the
 * due date is a reminder for the rep's list, and the rep's time zone is not known here).
 * A timeline this module does not know is treated as 'unknown'.
 */
export function followUpDueDate(timeline: Timeline | string | null | undefined, now: Date | string): FollowUpPlan {
  const start = typeof now === 'string' ? new Date(now) : now;
  if (Number.isNaN(start.getTime())) throw new RangeError(`followUpDueDate: invalid date ${String(now)}`);
  const key: Timeline = typeof timeline === 'string' && Object.hasOwn(FOLLOW_UP_DAYS, timeline) ? (timeline as Timeline) : 'unknown';
  const days = FOLLOW_UP_DAYS[key];
  return { dueDate: new Date(start.getTime() + days * 86_400_000), days, recommendation: RECOMMENDATION[key] };
}
