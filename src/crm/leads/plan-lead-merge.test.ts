import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { planLeadMerge } from './plan-lead-merge.js';
import type { Lead } from './queries.js';

let next = 0;
function lead(fields: Partial<Lead>): Lead {
  next += 1;
  return {
    id: `00000000-0000-4000-8000-${String(next).padStart(12, '0')}`,
    client_id: null,
    agent_id: null,
    created_by: null,
    status_bucket: 'P3',
    qualification_status: 'unqualified',
    lead_score: 0,
    score_breakdown: [],
    contact_person: null,
    company_name: null,
    email: null,
    phone: null,
    deal_value: null,
    industry: null,
    city: null,
    pipeline_stage_id: null,
    stage_changed_at: '2026-01-01T00:00:00.000Z',
    expected_close_date: null,
    win_probability: 0,
    progress_details: null,
    next_step: null,
    follow_up_due_date: null,
    notes: null,
    lead_source: null,
    campaign_id: null,
    utm_source: null,
    utm_medium: null,
    utm_campaign: null,
    utm_term: null,
    utm_content: null,
    referrer_url: null,
    budget: null,
    budget_amount: null,
    budget_currency: null,
    authority: 'unknown',
    need: null,
    timeline: 'unknown',
    conversation_summary: null,
    extracted_info: {},
    tags: [],
    first_touch_date: null,
    last_touch_date: null,
    sync_lock: false,
    last_email_opened_at: null,
    email_click_count: 0,
    email_status: null,
    do_not_contact: false,
    converted_at: null,
    merged_into_id: null,
    roi_calculation_id: null,
    voice_session_id: null,
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    deleted_at: null,
    ...fields,
  };
}

describe('planLeadMerge', () => {
  test('changes nothing when the duplicates add nothing', () => {
    const primary = lead({ contact_person: 'A', tags: ['x'], lead_score: 50 });
    const plan = planLeadMerge(primary, [lead({ contact_person: 'B', tags: ['x'], lead_score: 10 })]);
    assert.deepEqual(plan, { changes: {}, filledFields: [] });
  });

  test('fills empty fields from the most recently updated duplicate first; empty strings and "unknown" are empty', () => {
    const primary = lead({ company_name: '', timeline: 'unknown', city: 'Kept' });
    const old = lead({ company_name: 'Old', timeline: 'this_month', industry: 'Old industry', updated_at: '2026-02-01T00:00:00.000Z' });
    const recent = lead({ company_name: 'Recent', city: 'Ignored', updated_at: '2026-03-01T00:00:00.000Z' });
    const plan = planLeadMerge(primary, [old, recent]);
    assert.deepEqual(plan.changes, { company_name: 'Recent', timeline: 'this_month', industry: 'Old industry' });
    assert.deepEqual(plan.filledFields, ['company_name', 'industry', 'timeline'], 'in column order');
  });

  test('keeps the higher score with its breakdown and the best bucket, unites tags and extracted info', () => {
    const primary = lead({ lead_score: 40, status_bucket: 'P1', tags: ['a'], extracted_info: { budget: 1 } });
    const duplicate = lead({
      lead_score: 70,
      status_bucket: 'P2',
      score_breakdown: [{ factor: 'need', points: 20 }],
      tags: ['b', 'a'],
      extracted_info: { budget: 2, seats: 10 },
    });
    const { changes } = planLeadMerge(primary, [duplicate]);
    assert.equal(changes.lead_score, 70);
    assert.deepEqual(changes.score_breakdown, [{ factor: 'need', points: 20 }]);
    assert.equal(changes.status_bucket, undefined, 'P1 is already the best bucket');
    assert.deepEqual(changes.tags, ['a', 'b']);
    assert.deepEqual(changes.extracted_info, { budget: 1, seats: 10 }, "the primary's values win");
  });

  test('widens touch dates, adds email clicks, honours any do-not-contact, and carries a conversion', () => {
    const primary = lead({ first_touch_date: '2026-03-01T00:00:00.000Z', last_touch_date: '2026-03-02T00:00:00.000Z', email_click_count: 2 });
    const duplicate = lead({
      first_touch_date: '2026-01-01T00:00:00.000Z',
      last_touch_date: '2026-04-01T00:00:00.000Z',
      email_click_count: 3,
      do_not_contact: true,
      converted_at: '2026-04-02T00:00:00.000Z',
      qualification_status: 'converted',
    });
    const { changes } = planLeadMerge(primary, [duplicate]);
    assert.equal(changes.first_touch_date, '2026-01-01T00:00:00.000Z');
    assert.equal(changes.last_touch_date, '2026-04-01T00:00:00.000Z');
    assert.equal(changes.email_click_count, 5);
    assert.equal(changes.do_not_contact, true);
    assert.equal(changes.converted_at, '2026-04-02T00:00:00.000Z');
    assert.equal(changes.qualification_status, 'converted');
  });
});
