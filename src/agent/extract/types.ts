import type { CountryCode } from 'libphonenumber-js';

export type Authority = 'decision_maker' | 'influencer' | 'no_authority' | 'unknown';
export type Timeline = 'immediate' | 'this_week' | 'this_month' | 'this_quarter' | 'future' | 'unknown';
export type Intent = 'sales' | 'support' | 'marketing';

/** What Clara can ask for; `budget` stands for budget_amount + budget_currency. */
export type FactName =
  | 'contact_person'
  | 'company'
  | 'email'
  | 'phone'
  | 'budget'
  | 'authority'
  | 'need'
  | 'timeline'
  | 'industry'
  | 'company_size'
  | 'meeting_time'
  | 'recording_consent';

/**
 * What a prospect said about themself. Every field is optional: absent means "not said".
 * A type alias rather than an interface, so that it is assignable to Record<string, unknown>.
 */
export type Facts = {
  /** Title-cased person name, "Maria Garcia". */
  contact_person?: string;
  company?: string;
  /** Lower case. */
  email?: string;
  /** E.164. */
  phone?: string;
  budget_amount?: number;
  /** ISO 4217. */
  budget_currency?: string;
  authority?: Authority;
  /** A short summary in the prospect's words. */
  need?: string;
  timeline?: Timeline;
  industry?: string;
  /** Employees. */
  company_size?: number;
  /** ISO 8601 instant of a meeting time the prospect proposed. */
  meeting_time?: string;
  recording_consent?: boolean;
  /** true when they ask for or accept a demo, false when they decline one. */
  wants_demo?: boolean;
  intent?: Intent;
  /** Questions the prospect declined to answer. */
  refused?: FactName[];
};

export interface Extraction {
  facts: Facts;
  /** The prospect's own words behind each fact, quoted from the original text. */
  evidence: Partial<Record<keyof Facts, string>>;
  /** Instructions aimed at Clara or the CRM were found (and ignored). */
  injection: boolean;
}

export interface ExtractOptions {
  channel: 'web' | 'sms' | 'voice';
  /** For phone numbers said without a country code. */
  defaultCountry: CountryCode;
  /** For meeting times ("next Tuesday at 3pm"). */
  timeZone: string;
  now: Date;
  /** The question Clara just asked: a bare answer ("maria", "about 20k", "no") is read as its answer. */
  expecting?: FactName;
}
