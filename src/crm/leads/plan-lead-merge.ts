import type { Lead } from './queries.js';

/**
 * Columns a duplicate fills when the primary has nothing. Identity, timestamps kept by triggers
 * (stage_changed_at, win_probability), merge bookkeeping and sync_lock are never taken over.
 */
const FILLABLE = [
  'client_id',
  'agent_id',
  'contact_person',
  'company_name',
  'email',
  'phone',
  'deal_value',
  'industry',
  'city',
  'pipeline_stage_id',
  'expected_close_date',
  'progress_details',
  'next_step',
  'follow_up_due_date',
  'notes',
  'lead_source',
  'campaign_id',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'utm_term',
  'utm_content',
  'referrer_url',
  'budget',
  'budget_amount',
  'budget_currency',
  'authority',
  'need',
  'timeline',
  'conversation_summary',
  'email_status',
  'converted_at',
  'roi_calculation_id',
  'voice_session_id',
] as const satisfies readonly (keyof Lead)[];

/** Values that mean "nobody said": the column defaults of the enumerations count as empty. */
const EMPTY_DEFAULTS: Partial<Record<keyof Lead, unknown>> = { authority: 'unknown', timeline: 'unknown' };

const isEmpty = (column: keyof Lead, value: unknown) =>
  value === null || value === undefined || value === '' || EMPTY_DEFAULTS[column] === value;

const BUCKET_RANK: Record<Lead['status_bucket'], number> = { P1: 1, P2: 2, P3: 3 };

const time = (value: string | null) => (value === null ? undefined : Date.parse(value));

function earliest(values: (string | null)[]): string | null {
  return values.reduce<string | null>((best, value) => {
    if (value === null) return best;
    return best === null || (time(value) ?? 0) < (time(best) ?? 0) ? value : best;
  }, null);
}

function latest(values: (string | null)[]): string | null {
  return values.reduce<string | null>((best, value) => {
    if (value === null) return best;
    return best === null || (time(value) ?? 0) > (time(best) ?? 0) ? value : best;
  }, null);
}

export interface LeadMergePlan {
  /** The primary's columns that change, and their new values. */
  changes: Partial<Lead>;
  /** The same columns' names in the lead's column order: the report's filled_fields. */
  filledFields: string[];
}

/** Duplicates in the order their values win: the most recently updated first. */
export function orderDuplicates(duplicates: readonly Lead[]): Lead[] {
  return [...duplicates].sort((a, b) => (time(b.updated_at) ?? 0) - (time(a.updated_at) ?? 0) || a.id.localeCompare(b.id));
}

/**
 * What merging `duplicates` into `primary` does to the primary. Pure, so that a dry run and a
 * real merge cannot disagree about it:
 * - empty columns are filled from the duplicates, most recently updated first;
 * - tags are united (the primary's first), extracted_info keys added where the primary lacks them;
 * - the highest lead_score wins with its breakdown (the primary on a tie); the best bucket is kept;
 * - first touch is the earliest, last touch and last email open the latest, email clicks add up;
 * - do_not_contact holds if any lead asked for it;
 * - a conversion carried over from a duplicate makes the primary 'converted'.
 */
export function planLeadMerge(primary: Lead, duplicates: readonly Lead[]): LeadMergePlan {
  const ordered = orderDuplicates(duplicates);
  const all = [primary, ...ordered];
  const changes: Partial<Lead> = {};
  const set = <K extends keyof Lead>(column: K, value: Lead[K]) => {
    if (JSON.stringify(value) !== JSON.stringify(primary[column])) changes[column] = value;
  };

  for (const column of FILLABLE) {
    if (!isEmpty(column, primary[column])) continue;
    const donor = ordered.find((lead) => !isEmpty(column, lead[column]));
    if (donor) set(column, donor[column]);
  }
  if (changes.converted_at) changes.qualification_status = 'converted';
  else if (primary.qualification_status === 'unqualified') {
    const donor = ordered.find((lead) => lead.qualification_status !== 'unqualified');
    if (donor) set('qualification_status', donor.qualification_status);
  }

  set('tags', [...new Set(all.flatMap((lead) => lead.tags))]);

  const extracted: Record<string, unknown> = {};
  for (const lead of [...all].reverse()) Object.assign(extracted, lead.extracted_info);
  if (Object.keys(extracted).length > Object.keys(primary.extracted_info).length) set('extracted_info', extracted);

  const best = all.reduce((winner, lead) => (lead.lead_score > winner.lead_score ? lead : winner), primary);
  if (best !== primary) {
    set('lead_score', best.lead_score);
    set('score_breakdown', best.score_breakdown);
  }
  const bucket = all.reduce((top, lead) => (BUCKET_RANK[lead.status_bucket] < BUCKET_RANK[top] ? lead.status_bucket : top), primary.status_bucket);
  set('status_bucket', bucket);

  set('first_touch_date', earliest(all.map((lead) => lead.first_touch_date)));
  set('last_touch_date', latest(all.map((lead) => lead.last_touch_date)));
  set('last_email_opened_at', latest(all.map((lead) => lead.last_email_opened_at)));
  set('email_click_count', all.reduce((sum, lead) => sum + lead.email_click_count, 0));
  set('do_not_contact', all.some((lead) => lead.do_not_contact));

  const order = Object.keys(primary);
  const filledFields = Object.keys(changes).sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return { changes, filledFields };
}
