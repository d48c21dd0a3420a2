import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateCondition, parseRuleCondition } from './conditions.js';
import type { RuleCondition } from './types.js';

test('eq compares strings without regard to case or surrounding spaces', () => {
  assert.equal(evaluateCondition({ field: 'authority', op: 'eq', value: 'decision_maker' }, { authority: 'Decision_Maker ' }), true);
  assert.equal(evaluateCondition({ field: 'authority', op: 'eq', value: 'decision_maker' }, { authority: 'influencer' }), false);
});

test('eq on booleans and numbers', () => {
  assert.equal(evaluateCondition({ field: 'wants_demo', op: 'eq', value: true }, { wants_demo: true }), true);
  assert.equal(evaluateCondition({ field: 'wants_demo', op: 'eq', value: true }, { wants_demo: false }), false);
  assert.equal(evaluateCondition({ field: 'budget_amount_usd', op: 'eq', value: 0 }, { budget_amount_usd: 0 }), true);
});

test('every operator but absent is false for a missing fact, including the extractor\'s "unknown"', () => {
  const facts = { timeline: 'unknown', need: '', email: null };
  assert.equal(evaluateCondition({ field: 'timeline', op: 'neq', value: 'future' }, facts), false);
  assert.equal(evaluateCondition({ field: 'need', op: 'present' }, facts), false);
  assert.equal(evaluateCondition({ field: 'email', op: 'present' }, facts), false);
  assert.equal(evaluateCondition({ field: 'company_size', op: 'lt', value: 10 }, facts), false);
  assert.equal(evaluateCondition({ field: 'timeline', op: 'absent' }, facts), true);
  assert.equal(evaluateCondition({ field: 'company_size', op: 'absent' }, facts), true);
});

test('in matches any listed value', () => {
  const soon: RuleCondition = { field: 'timeline', op: 'in', value: ['immediate', 'this_week'] };
  assert.equal(evaluateCondition(soon, { timeline: 'this_week' }), true);
  assert.equal(evaluateCondition(soon, { timeline: 'this_month' }), false);
});

test('comparisons read numeric strings and reject text', () => {
  assert.equal(evaluateCondition({ field: 'company_size', op: 'gte', value: 50 }, { company_size: '1,200' }), true);
  assert.equal(evaluateCondition({ field: 'company_size', op: 'gte', value: 50 }, { company_size: 'about fifty' }), false);
  assert.equal(evaluateCondition({ field: 'company_size', op: 'gt', value: 50 }, { company_size: 50 }), false);
  assert.equal(evaluateCondition({ field: 'company_size', op: 'lte', value: 50 }, { company_size: 50 }), true);
  assert.equal(evaluateCondition({ field: 'company_size', op: 'lt', value: 50 }, { company_size: 49 }), true);
});

test('between includes its minimum and excludes its maximum, so adjacent tiers never both fire', () => {
  const mid: RuleCondition = { field: 'budget_amount_usd', op: 'between', value: [10_000, 50_000] };
  const check = (n: number) => evaluateCondition(mid, { budget_amount_usd: n });
  assert.equal(check(9_999.99), false);
  assert.equal(check(10_000), true);
  assert.equal(check(49_999.99), true);
  assert.equal(check(50_000), false);
});

test('parseRuleCondition accepts every valid shape from jsonb', () => {
  for (const condition of [
    { field: 'authority', op: 'eq', value: 'decision_maker' },
    { field: 'wants_demo', op: 'neq', value: false },
    { field: 'timeline', op: 'in', value: ['immediate', 'this_week'] },
    { field: 'company_size', op: 'gte', value: 50 },
    { field: 'budget_amount_usd', op: 'between', value: [1, 10_000] },
    { field: 'need', op: 'present' },
    { field: 'email', op: 'absent' },
  ]) {
    assert.deepEqual(parseRuleCondition(JSON.parse(JSON.stringify(condition))), condition);
  }
});

test('parseRuleCondition names what is wrong with a broken condition', () => {
  assert.throws(() => parseRuleCondition(null), /not an object/);
  assert.throws(() => parseRuleCondition({ op: 'present' }), /field/);
  assert.throws(() => parseRuleCondition({ field: 'x', op: 'like', value: 'a' }), /unknown op "like"/);
  assert.throws(() => parseRuleCondition({ field: 'x', op: 'gte', value: '50' }), /must be a number/);
  assert.throws(() => parseRuleCondition({ field: 'x', op: 'in', value: [] }), /non-empty list/);
  assert.throws(() => parseRuleCondition({ field: 'x', op: 'between', value: [50, 10] }), /min < max/);
});
