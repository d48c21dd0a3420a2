import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toUsd } from './convert-currency.js';
import { DEFAULT_SCORING_RULES } from './default-rules.js';
import { bucketOf, engagementBreakdown, scoreLead } from './score-lead.js';
import type { Engagement, ScoredFacts, ScoringRule } from './types.js';

const NOW = '2025-11-20T15:00:00.000Z';
const NO_ENGAGEMENT: Engagement = { conversations: 0, calls: 0, voice_calls: 0, average_sentiment: null, last_touch_at: null, now: NOW };
const sum = (items: { points: number }[]) => items.reduce((total, item) => total + item.points, 0);

test('a fully qualified prospect on a call scores P1 and the breakdown explains every point', () => {
  // "hi im priya shah head of operations at northwind freight ... we have twenty thousand pounds for this"
  const facts: ScoredFacts = {
    contact_person: 'Priya Shah',
    company: 'Northwind Freight',
    email: 'priya@northwind.co.uk',
    budget_amount: 20_000,
    budget_currency: 'GBP',
    budget_amount_usd: toUsd(20_000, 'GBP'),
    authority: 'decision_maker',
    need: 'answer inbound calls after hours',
    timeline: 'this_month',
  };
  const evidence = {
    company: 'im priya shah head of operations at northwind freight',
    email: 'its priya at northwind dot co dot uk',
    budget_amount: 'we have twenty thousand pounds for this',
    authority: 'its my budget and my call',
    need: 'we miss half our calls after five pm and need something to answer them',
    timeline: 'we want this running before the end of the month',
  };
  const engagement: Engagement = { conversations: 1, calls: 1, voice_calls: 1, average_sentiment: 0.55, last_touch_at: '2025-11-20T14:40:00.000Z', now: NOW };

  const result = scoreLead(DEFAULT_SCORING_RULES, facts, evidence, engagement);

  assert.deepEqual(
    result.breakdown.map((i) => [i.rule_id, i.points, i.evidence]),
    [
      ['budget_10k_to_50k', 20, evidence.budget_amount],
      ['authority_decision_maker', 25, evidence.authority],
      ['need_stated', 15, evidence.need],
      ['timeline_this_month', 20, evidence.timeline],
      ['fit_email', 3, evidence.email],
      ['fit_company_named', 2, evidence.company],
      ['engagement_conversations', 1, '1 conversation'],
      ['engagement_voice_calls', 5, '1 voice call'],
      ['engagement_sentiment', 3, 'average sentiment 0.55'],
      ['engagement_recency', 3, 'last touch 2025-11-20T14:40:00.000Z'],
    ],
  );
  assert.equal(result.fit_score, 85);
  assert.equal(result.engagement_score, 12);
  assert.equal(result.score, 97);
  assert.equal(result.status_bucket, 'P1');
  assert.equal(sum(result.breakdown), result.score);
});

test('a top prospect on facts alone (>$50k, decision maker, need, this week) reaches P1 with no engagement yet', () => {
  const facts: ScoredFacts = { budget_amount_usd: toUsd(60_000, 'EUR'), authority: 'decision_maker', need: 'replace our call center', timeline: 'immediate' };
  const result = scoreLead(DEFAULT_SCORING_RULES, facts, {}, NO_ENGAGEMENT);
  assert.equal(result.score, 95);
  assert.equal(result.status_bucket, 'P1');
  assert.equal(result.breakdown.filter((i) => i.category === 'budget').length, 1, 'only the best budget tier fires');
  assert.equal(result.breakdown[0]?.rule_id, 'budget_over_50k');
  assert.equal(result.breakdown.every((i) => i.evidence === null), true, 'no utterance recorded, none invented');
});

test('a vague prospect stays P3', () => {
  // "yeah just looking around really, maybe something for the phones at some point"
  const facts: ScoredFacts = { need: 'something for the phones', timeline: 'future', authority: 'unknown', phone: '+14155550123' };
  const engagement: Engagement = { ...NO_ENGAGEMENT, conversations: 1, average_sentiment: 0, last_touch_at: NOW };
  const result = scoreLead(DEFAULT_SCORING_RULES, facts, {}, engagement);
  assert.equal(result.fit_score, 20);
  assert.equal(result.status_bucket, 'P3');
  assert.ok(result.score < 50);
  assert.equal(sum(result.breakdown), result.score);
});

test('an influencer with a mid budget and a quarter timeline is P2', () => {
  const facts: ScoredFacts = { budget_amount_usd: 25_000, authority: 'influencer', need: 'lead follow up', timeline: 'this_quarter' };
  const result = scoreLead(DEFAULT_SCORING_RULES, facts, {}, NO_ENGAGEMENT);
  assert.equal(result.score, 59);
  assert.equal(result.status_bucket, 'P2');
});

test('inactive rules are ignored', () => {
  const rules = DEFAULT_SCORING_RULES.map((r) => (r.id === 'authority_decision_maker' ? { ...r, is_active: false } : r));
  const result = scoreLead(rules, { authority: 'decision_maker', need: 'x' }, {}, NO_ENGAGEMENT);
  assert.equal(result.score, 15);
  assert.equal(result.breakdown.some((i) => i.rule_id === 'authority_decision_maker'), false);
});

test('a negative rule subtracts, and the fit score never goes below zero', () => {
  const withNeed = scoreLead(DEFAULT_SCORING_RULES, { authority: 'no_authority', need: 'cheaper phone bill' }, { authority: 'i just answer the phones here' }, NO_ENGAGEMENT);
  assert.equal(withNeed.score, 10);
  assert.deepEqual(withNeed.breakdown.find((i) => i.rule_id === 'authority_none'), {
    rule_id: 'authority_none', rule: 'No buying authority', category: 'authority', points: -5, evidence: 'i just answer the phones here',
  });

  const nothingElse = scoreLead(DEFAULT_SCORING_RULES, { authority: 'no_authority', budget_amount_usd: 0 }, {}, NO_ENGAGEMENT);
  assert.equal(nothingElse.fit_score, 0);
  assert.equal(nothingElse.score, 0);
  assert.deepEqual(nothingElse.breakdown.map((i) => i.points), [-5, -5]);
});

test('the fit score is capped at 100 and the total at 100', () => {
  const facts: ScoredFacts = {
    budget_amount_usd: 80_000, authority: 'decision_maker', need: 'x', wants_demo: true, meeting_booked: true, timeline: 'this_week',
    company_size: 400, company: 'Acme', email: 'a@acme.com', phone: '+14155550123',
  };
  const engagement: Engagement = { conversations: 3, calls: 2, voice_calls: 2, average_sentiment: 0.8, last_touch_at: NOW, now: NOW };
  const result = scoreLead(DEFAULT_SCORING_RULES, facts, {}, engagement);
  assert.equal(result.fit_score, 100);
  assert.equal(result.engagement_score, 20);
  assert.equal(result.score, 100);
});

test('engagement is capped at 20 points with a visible cap item', () => {
  const items = engagementBreakdown({ conversations: 12, calls: 6, voice_calls: 6, average_sentiment: 0.9, last_touch_at: NOW, now: NOW });
  // 12 conversations + 6 voice calls x5 = 42, warm +21, recent +3 = 66 -> capped at 20
  assert.deepEqual(items.map((i) => [i.rule_id, i.points]), [
    ['engagement_conversations', 12],
    ['engagement_voice_calls', 30],
    ['engagement_sentiment', 21],
    ['engagement_recency', 3],
    ['engagement_cap', -46],
  ]);
  assert.equal(sum(items), 20);
  assert.equal(items.every((i) => i.category === 'engagement'), true);
});

test('cold sentiment and a long silence lower engagement, never below zero', () => {
  const cold = engagementBreakdown({ conversations: 2, calls: 2, voice_calls: 2, average_sentiment: -0.6, last_touch_at: '2025-11-18T15:00:00.000Z', now: NOW });
  // 2 conversations + 10 for calls = 12, cold -30% = -4, within a week +1
  assert.deepEqual(cold.map((i) => [i.rule_id, i.points]), [
    ['engagement_conversations', 2], ['engagement_voice_calls', 10], ['engagement_sentiment', -4], ['engagement_recency', 1],
  ]);

  const silent = engagementBreakdown({ conversations: 1, calls: 0, voice_calls: 0, average_sentiment: -0.5, last_touch_at: '2025-09-01T00:00:00.000Z', now: NOW });
  assert.deepEqual(silent.map((i) => [i.rule_id, i.points]), [
    ['engagement_conversations', 1], ['engagement_recency', -3], ['engagement_floor', 2],
  ]);
  assert.equal(sum(silent), 0);
});

test('a chat logged both as a conversation and as a non-voice call is counted once', () => {
  const items = engagementBreakdown({ conversations: 2, calls: 3, voice_calls: 1, average_sentiment: null, last_touch_at: null, now: NOW });
  assert.deepEqual(items.map((i) => [i.rule_id, i.points]), [['engagement_conversations', 2], ['engagement_voice_calls', 5]]);
});

test('no activity, no engagement items', () => {
  assert.deepEqual(engagementBreakdown(NO_ENGAGEMENT), []);
});

test('the result does not depend on the order the rules were loaded in', () => {
  const facts: ScoredFacts = { budget_amount_usd: 12_000, authority: 'influencer', need: 'x', timeline: 'this_week', email: 'a@b.co', phone: '+442071838750' };
  const forward = scoreLead(DEFAULT_SCORING_RULES, facts, {}, NO_ENGAGEMENT);
  const reversed = scoreLead([...DEFAULT_SCORING_RULES].reverse(), facts, {}, NO_ENGAGEMENT);
  assert.deepEqual(reversed, forward);
  assert.deepEqual(forward.breakdown.map((i) => i.category), ['budget', 'authority', 'need', 'timeline', 'fit', 'fit']);
  assert.deepEqual(forward.breakdown.slice(-2).map((i) => i.rule_id), ['fit_email', 'fit_phone']);
});

test('a custom rule from an admin is applied like a default one', () => {
  const rules: ScoringRule[] = [
    ...DEFAULT_SCORING_RULES,
    { id: 'fit_healthcare', name: 'Healthcare', category: 'fit', condition: { field: 'industry', op: 'in', value: ['healthcare', 'dental'] }, points: 10, is_active: true },
  ];
  const result = scoreLead(rules, { industry: 'Dental' }, { industry: 'we run four dental clinics' }, NO_ENGAGEMENT);
  assert.deepEqual(result.breakdown, [{ rule_id: 'fit_healthcare', rule: 'Healthcare', category: 'fit', points: 10, evidence: 'we run four dental clinics' }]);
});

test('buckets: P1 from 80, P2 from 50', () => {
  assert.deepEqual([100, 80, 79, 50, 49, 0].map(bucketOf), ['P1', 'P1', 'P2', 'P2', 'P3', 'P3']);
});
