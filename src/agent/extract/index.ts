/**
 * Clara's deterministic understanding of one utterance: what the prospect said about
 * themself, with the words that justify each fact. Typed chat, SMS shorthand and
 * speech-to-text (lowercase, no punctuation) all go through the same path.
 */
import { isAffirmative, isNegative } from '../dialogue/yes-no.js';
import { findAuthority, findNeed, findTimeline } from './bant.js';
import { findBudget } from './budget.js';
import { findCompanies } from './company.js';
import { findEmails, type Hit } from './email.js';
import { findCompanySize, findIndustry } from './firmographics.js';
import { isThirdParty, maskInjections } from './guards.js';
import { findMeetingTime } from './meeting-time.js';
import { findPersonNames } from './person-name.js';
import { findPhones } from './phone.js';
import { findIntent, findRecordingConsent, findRefusals, findWantsDemo } from './signals.js';
import { maskSpan, original, prepare, sentenceAt, titleCase } from './text.js';
import type { Extraction, ExtractOptions, Facts } from './types.js';

export type { Authority, Extraction, ExtractOptions, FactName, Facts, Intent, Timeline } from './types.js';

const EVIDENCE_MAX = 300;
/** Words that put a time in the frame of a meeting. */
const MEETING_CONTEXT = /\b(?:demo|meeting|meet|call|chat|talk|book|schedule|works?|available|free|how about|what about|slot|appointment|let's do|can do|open)\b/;

export function extractFacts(text: string, options: ExtractOptions): Extraction {
  const doc = prepare(text);
  // Instructions aimed at Clara are blanked first: "set my budget to a million" states nothing.
  const { norm: cleaned, found: injection } = maskInjections(doc.norm);
  const sentenceOf = (pos: number) => sentenceAt(doc, pos);
  const sentenceStart = (pos: number) => sentenceOf(pos).start;
  const own = <T>(hits: Array<Hit<T>>, norm: string) => hits.filter((hit) => !isThirdParty(norm, hit.start, sentenceStart(hit.start)));
  const expecting = options.expecting;
  const answeredYes = isAffirmative(text);
  const answeredNo = isNegative(text);

  const facts: Facts = {};
  const evidence: Extraction['evidence'] = {};
  const cite = (key: keyof Facts, hit: { start: number; end: number }) => {
    const sentence = sentenceOf(hit.start);
    evidence[key] = original(doc, sentence.start, Math.max(sentence.end, hit.end)).slice(0, EVIDENCE_MAX);
  };

  // Contact details first; then they are masked so their letters and digits are not read again.
  let norm = cleaned;
  const emails = findEmails(norm);
  const email = own(emails, norm).at(-1);
  if (email) {
    facts.email = email.value;
    cite('email', email);
  }
  for (const hit of emails) norm = maskSpan(norm, hit.start, hit.end);
  const phones = findPhones(norm, options.defaultCountry);
  const phone = own(phones, norm).at(-1);
  if (phone) {
    facts.phone = phone.value;
    cite('phone', phone);
  }

  const wantsDemo = findWantsDemo(norm);
  if (wantsDemo !== undefined) facts.wants_demo = wantsDemo;
  if (expecting === 'meeting_time' || wantsDemo === true || MEETING_CONTEXT.test(norm)) {
    const meeting = findMeetingTime(norm, options.now, options.timeZone);
    if (meeting) {
      facts.meeting_time = meeting.value;
      evidence.meeting_time = original(doc, 0, doc.norm.length).slice(0, EVIDENCE_MAX);
    }
  }
  for (const hit of phones) norm = maskSpan(norm, hit.start, hit.end);

  const names = findPersonNames(norm, { bare: expecting === 'contact_person', sentenceStart, sentenceStarts: doc.sentences.map((sentence) => sentence.start) });
  const name = names.at(-1);
  if (name) {
    facts.contact_person = titleCase(original(doc, name.start, name.end));
    cite('contact_person', name);
  }
  const company = findCompanies(norm, { bare: expecting === 'company', nameEnds: names.map((hit) => hit.end), sentenceStart })
    .filter((hit) => !names.some((n) => n.start === hit.start))
    .at(-1);
  if (company) {
    facts.company = titleCase(original(doc, company.start, company.end), { company: true });
    cite('company', company);
  }

  const budget = findBudget(norm, { country: options.defaultCountry, expecting: expecting === 'budget', sentenceOf });
  if (budget) {
    facts.budget_amount = budget.value.amount;
    facts.budget_currency = budget.value.currency;
    cite('budget_amount', budget);
    cite('budget_currency', budget);
  }
  const authority = findAuthority(norm, { expecting: expecting === 'authority', answeredYes, answeredNo });
  if (authority) {
    facts.authority = authority.value;
    cite('authority', authority);
  }
  const timeline = findTimeline(norm, { expecting: expecting === 'timeline' });
  if (timeline) {
    facts.timeline = timeline.value;
    cite('timeline', timeline);
  }
  const industry = findIndustry(norm, { company, expecting: expecting === 'industry' });
  if (industry) {
    facts.industry = industry.value;
    cite('industry', industry);
  }
  const size = findCompanySize(norm, { expecting: expecting === 'company_size' });
  if (size) {
    facts.company_size = size.value;
    cite('company_size', size);
  }
  const consent = findRecordingConsent(norm, { expecting: expecting === 'recording_consent', answeredYes, answeredNo });
  if (consent !== undefined) facts.recording_consent = consent;

  const intent = findIntent(norm);
  if (intent) facts.intent = intent;
  const refused = findRefusals(norm, expecting);
  if (refused.length > 0) facts.refused = refused;

  // The need: a stated one anywhere, or the whole answer when Clara asked and heard nothing else.
  const saidOther = Object.keys(facts).some((key) => key !== 'wants_demo' && key !== 'intent');
  const need =
    findNeed(norm, { expecting: false, sentenceOf }) ??
    (expecting === 'need' && !saidOther && refused.length === 0 ? findNeed(norm, { expecting: true, sentenceOf }) : undefined);
  if (need && facts.intent !== 'support') {
    facts.need = original(doc, need.start, need.end);
    cite('need', need);
  }
  return { facts, evidence, injection };
}
