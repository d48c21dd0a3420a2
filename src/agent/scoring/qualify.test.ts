import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_STAGE_MAPPING, qualificationStatus, shouldMoveStage, targetStage } from './qualify.js';

const qualified = {
  phone: '+14155550123',
  need: 'answer calls after hours',
  budget_amount: 20_000,
  budget_currency: 'USD',
  authority: 'decision_maker',
  timeline: 'this_month',
} as const;

test('no way to reach them, or no need: unqualified', () => {
  assert.equal(qualificationStatus({ need: 'answer calls after hours', authority: 'decision_maker' }, 90, false), 'unqualified');
  assert.equal(qualificationStatus({ email: 'a@b.co', authority: 'decision_maker', timeline: 'immediate' }, 60, false), 'unqualified');
});

test('reachable with a need: marketing qualified', () => {
  assert.equal(qualificationStatus({ email: 'a@b.co', need: 'a receptionist' }, 20, false), 'marketing_qualified');
});

test('three of BANT known, with authority and a score of 50: sales qualified', () => {
  assert.equal(qualificationStatus(qualified, 83, false), 'sales_qualified');
  const { authority: _, ...withoutAuthority } = qualified;
  assert.equal(qualificationStatus(withoutAuthority, 55, false), 'sales_qualified');
});

test('sales qualification needs the score, three of BANT, and someone who may buy', () => {
  assert.equal(qualificationStatus(qualified, 49, false), 'marketing_qualified');
  assert.equal(qualificationStatus({ ...qualified, authority: 'no_authority' }, 60, false), 'marketing_qualified');
  assert.equal(qualificationStatus({ ...qualified, budget_amount: undefined, timeline: 'unknown' }, 60, false), 'marketing_qualified');
  assert.equal(qualificationStatus({ ...qualified, budget_amount: 0, authority: 'unknown' }, 60, false), 'marketing_qualified', 'a zero budget is not a budget');
});

test('a sales-qualified lead with a demo booked is an opportunity; a demo alone is not', () => {
  assert.equal(qualificationStatus(qualified, 83, true), 'opportunity');
  assert.equal(qualificationStatus({ email: 'a@b.co', need: 'a receptionist' }, 30, true), 'marketing_qualified');
});

test('each status maps to the stage that is true when it is reached; the score plays no part', () => {
  assert.equal(targetStage('unqualified'), 'New Lead');
  assert.equal(targetStage('marketing_qualified'), 'Contacted');
  assert.equal(targetStage('sales_qualified'), 'Qualified');
  assert.equal(targetStage('opportunity'), 'Demo Scheduled');
  assert.equal(Object.values(DEFAULT_STAGE_MAPPING).some((s) => ['Proposal Sent', 'Negotiation'].includes(s)), false);
});

test('an admin mapping overrides per status and falls back to the default for the rest', () => {
  const mapping = { sales_qualified: 'Discovery Done', opportunity: '  ' };
  assert.equal(targetStage('sales_qualified', mapping), 'Discovery Done');
  assert.equal(targetStage('opportunity', mapping), 'Demo Scheduled');
  assert.equal(targetStage('unqualified', {}), 'New Lead');
});

test('a stage only moves forward', () => {
  assert.equal(shouldMoveStage(1, 3, false), true);
  assert.equal(shouldMoveStage(3, 3, false), false);
  assert.equal(shouldMoveStage(5, 3, false), false, 'Proposal Sent does not go back to Qualified');
  assert.equal(shouldMoveStage(null, 1, false), true, 'a lead without a stage gets one');
  assert.equal(shouldMoveStage(undefined, 4, false), true);
});

test('a stage a person chose is never moved by Clara, not even forward', () => {
  assert.equal(shouldMoveStage(2, 4, true), false);
  assert.equal(shouldMoveStage(null, 1, true), false);
});

test('won and lost leads are never reopened', () => {
  // Closed Won is 7, Closed Lost 8: above every stage Clara aims for.
  for (const status of ['unqualified', 'marketing_qualified', 'sales_qualified', 'opportunity'] as const) {
    const order = ['New Lead', 'Contacted', 'Qualified', 'Demo Scheduled'].indexOf(targetStage(status)) + 1;
    assert.equal(shouldMoveStage(8, order, false), false);
    assert.equal(shouldMoveStage(7, order, false), false);
  }
});
