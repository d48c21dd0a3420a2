import { test } from 'node:test';
import assert from 'node:assert/strict';
import { followUpDueDate } from './follow-up.js';

const NOW = new Date('2025-11-20T15:00:00.000Z');

test('the due date follows the BANT timeline (seed 001 iteration 2.1)', () => {
  const days = { immediate: 1, this_week: 3, this_month: 7, this_quarter: 30, future: 90, unknown: 14 };
  for (const [timeline, n] of Object.entries(days)) {
    const plan = followUpDueDate(timeline, NOW);
    assert.equal(plan.days, n, timeline);
    assert.equal(plan.dueDate.getTime() - NOW.getTime(), n * 86_400_000, timeline);
    assert.ok(plan.recommendation.length > 20, timeline);
  }
});

test('an ISO string works as now, and the input date is not changed', () => {
  const now = new Date(NOW);
  assert.equal(followUpDueDate('this_week', '2025-11-20T15:00:00.000Z').dueDate.toISOString(), '2025-11-23T15:00:00.000Z');
  followUpDueDate('future', now);
  assert.equal(now.getTime(), NOW.getTime());
});

test('a missing or unrecognised timeline is treated as unknown', () => {
  for (const timeline of [null, undefined, '', 'someday', 'toString']) {
    assert.equal(followUpDueDate(timeline, NOW).days, 14, String(timeline));
  }
});

test('the recommendation says what to do, not only when', () => {
  assert.match(followUpDueDate('immediate', NOW).recommendation, /call back within a day/);
  assert.match(followUpDueDate('unknown', NOW).recommendation, /ask when they plan to decide/);
});

test('an invalid date is an error, not a due date in 1970', () => {
  assert.throws(() => followUpDueDate('this_week', 'next tuesday'), RangeError);
});
