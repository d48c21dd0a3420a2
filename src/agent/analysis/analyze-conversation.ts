import { toUsd } from '../scoring/convert-currency.js';
import { authorityOf, bantKnown, isTrue, numberFact, textFact, timelineOf, type FactsLike } from '../scoring/facts.js';
import { FOLLOW_UP_DAYS, followUpDueDate } from '../scoring/follow-up.js';
import type { Timeline } from '../scoring/types.js';
import { sentimentOf, type SentimentLabel } from './sentiment.js';
import {
  CONCERNS, NOT_INTERESTED, OPT_OUT, SUPPORT_PROBLEMS, TOPICS, countAcross, countMatches, mentions, type Concern, type Topic,
} from './taxonomy.js';
import { wordsOf } from './text.js';

export interface ConversationMessage {
  role: 'user' | 'assistant';
  text: string;
}

export type LeadQuality = 'hot' | 'warm' | 'cold';
export type NextAction =
  | 'do_not_contact' | 'escalate_support' | 'confirm_demo' | 'book_demo' | 'send_pricing' | 'follow_up' | 'qualify' | 'nurture';

export interface ConversationAnalysis {
  /** One or two sentences: who, company, authority, need; then budget, timeline, size, demo, concerns, gaps. */
  summary: string;
  /** Most discussed first */
  key_topics: Topic[];
  concerns: Concern[];
  /** Topics the prospect raised with interest (not as an objection), plus 'demo' when they asked for one */
  interests: Topic[];
  /** An instruction for the rep, e.g. "Send pricing and answer the price concern." */
  suggested_next_action: string;
  /** The same as a code, for automation */
  next_action: NextAction;
  /** -1..1 */
  sentiment_score: number;
  sentiment_label: SentimentLabel;
  lead_quality: LeadQuality;
}

export interface AnalysisOptions {
  /** A demo is on the calendar (the session booked it). */
  demoBooked?: boolean;
  /** With it, a follow-up action names its date; without it, a number of days. */
  now?: Date | string;
}

const TOPIC_ORDER: readonly Topic[] = TOPICS.map(([topic]) => topic);
const CONCERN_ORDER: readonly Concern[] = CONCERNS.map(([concern]) => concern);

/** The topic an objection is about: a topic raised as an objection is not an interest. */
const CONCERN_TOPIC: Readonly<Record<Concern, Topic | null>> = {
  price: 'pricing',
  timing: 'timeline',
  authority: null,
  trust_security: 'security',
  switching_cost: 'onboarding',
  competitor: 'competitor',
};
/** Topics that are about the prospect's situation, not interest in the product. */
const NOT_INTERESTS: ReadonlySet<Topic> = new Set(['competitor', 'contract', 'support']);

/**
 * Seed 004's post-call analysis (LeadPilot AI) done with rules, so it is instant, free,
 * deterministic and explainable: topics from a keyword taxonomy, concerns from objection
 * phrases, sentiment from a lexicon, the summary from the extracted facts. Only the
 * prospect's words are analysed; Clara's own (she offers a demo on every call) would skew
 * every topic.
 */
export function analyzeConversation(
  messages: readonly ConversationMessage[],
  facts: FactsLike,
  options: AnalysisOptions = {},
): ConversationAnalysis {
  const turns = messages.filter((m) => m.role === 'user').map((m) => wordsOf(m.text));

  const topicCounts = countAcross(turns, TOPICS, false);
  const key_topics = [...topicCounts.keys()].sort(
    (a, b) => (topicCounts.get(b) ?? 0) - (topicCounts.get(a) ?? 0) || TOPIC_ORDER.indexOf(a) - TOPIC_ORDER.indexOf(b),
  );

  const concernSet = new Set<Concern>(countAcross(turns, CONCERNS, true).keys());
  if (authorityOf(facts) === 'no_authority') concernSet.add('authority');
  const concerns = CONCERN_ORDER.filter((c) => concernSet.has(c));

  const interestSet = new Set<Topic>();
  for (const words of turns) {
    if (sentimentOf(words.join(' ')).label === 'negative') continue;
    const objected = new Set([...countMatches(words, CONCERNS, true).keys()].map((c) => CONCERN_TOPIC[c]));
    for (const topic of countMatches(words, TOPICS, false).keys()) {
      if (!objected.has(topic) && !NOT_INTERESTS.has(topic)) interestSet.add(topic);
    }
  }
  if (isTrue(facts.wants_demo) || options.demoBooked) interestSet.add('demo');
  const interests = TOPIC_ORDER.filter((t) => interestSet.has(t));

  const sentiment = conversationSentiment(turns);
  const optedOut = mentions(turns, OPT_OUT) || intentIs(facts, ['opt_out', 'unsubscribe', 'do_not_contact']);
  const notInterested = optedOut || mentions(turns, NOT_INTERESTED) || intentIs(facts, ['not_interested']);
  const supportProblem = mentions(turns, SUPPORT_PROBLEMS) || intentIs(facts, ['support', 'complaint']);
  const wantsDemo = isTrue(facts.wants_demo);
  const demoBooked = options.demoBooked === true;
  const bant = bantKnown(facts);
  const timeline = timelineOf(facts);

  const next = nextAction({ facts, concerns, key_topics, optedOut, notInterested, supportProblem, wantsDemo, demoBooked, bantCount: bant.count, timeline, now: options.now });

  // Objections are normal in a hot deal: asking for a demo outweighs a price worry. An opt-out outweighs everything.
  let lead_quality: LeadQuality = 'warm';
  if (optedOut) lead_quality = 'cold';
  else if (demoBooked || wantsDemo) lead_quality = 'hot';
  else if (notInterested || bant.count === 0 || (sentiment.label === 'negative' && !bant.need)) lead_quality = 'cold';
  else if (sentiment.label !== 'negative' && bant.count >= 3 && authorityOf(facts) !== 'no_authority' && NEAR_TERM.has(timeline)) {
    lead_quality = 'hot';
  }

  return {
    summary: summarize(facts, concerns, demoBooked),
    key_topics,
    concerns,
    interests,
    suggested_next_action: next.text,
    next_action: next.code,
    sentiment_score: sentiment.score,
    sentiment_label: sentiment.label,
    lead_quality,
  };
}

/**
 * The prospect's turns that carry sentiment, later ones weighted more (turn n of the call
 * weighs n): how a call ends says more than how it began. Turns without sentiment words
 * ("my email is ...") do not dilute it.
 */
function conversationSentiment(turns: readonly string[][]): { score: number; label: SentimentLabel } {
  let weighted = 0;
  let weights = 0;
  turns.forEach((words, i) => {
    const { score } = sentimentOf(words.join(' '));
    if (score !== 0) {
      weighted += score * (i + 1);
      weights += i + 1;
    }
  });
  const score = weights === 0 ? 0 : Math.round((weighted / weights) * 1000) / 1000 + 0;
  return { score, label: score >= 0.15 ? 'positive' : score <= -0.15 ? 'negative' : 'neutral' };
}

function intentIs(facts: FactsLike, values: readonly string[]): boolean {
  const intent = textFact(facts, 'intent')?.toLowerCase();
  return intent !== undefined && values.includes(intent);
}

interface ActionState {
  facts: FactsLike;
  concerns: readonly Concern[];
  key_topics: readonly Topic[];
  optedOut: boolean;
  notInterested: boolean;
  supportProblem: boolean;
  wantsDemo: boolean;
  demoBooked: boolean;
  bantCount: number;
  timeline: Timeline;
  now: Date | string | undefined;
}

const NEAR_TERM: ReadonlySet<Timeline> = new Set(['immediate', 'this_week', 'this_month']);

const TIMELINE_WORDS: Readonly<Record<Timeline, string>> = {
  immediate: 'immediately',
  this_week: 'this week',
  this_month: 'this month',
  this_quarter: 'this quarter',
  future: 'later than this quarter',
  unknown: 'unknown',
};

/** First matching rule wins, most urgent first: an opt-out or a broken product trumps any sale. */
function nextAction(s: ActionState): { code: NextAction; text: string } {
  const meeting = textFact(s.facts, 'meeting_time');
  const prepare = s.key_topics.filter((t) => t !== 'demo').slice(0, 3);
  if (s.optedOut) {
    return { code: 'do_not_contact', text: 'Mark as do not contact: the prospect asked not to be contacted again.' };
  }
  if (s.supportProblem && !s.wantsDemo && !s.demoBooked) {
    return { code: 'escalate_support', text: 'Escalate to support: the caller reported a problem with the product; reply within one business day.' };
  }
  if (s.notInterested && !s.wantsDemo && !s.demoBooked) {
    return { code: 'nurture', text: 'Not interested for now: add to a long-term nurture sequence; no sales call.' };
  }
  if (s.demoBooked) {
    const when = meeting ? ` for ${meeting}` : '';
    const about = prepare.length > 0 ? ` and prepare to cover ${prepare.join(', ')}` : '';
    return { code: 'confirm_demo', text: `Confirm the demo${when}${about}.` };
  }
  if (s.wantsDemo) {
    const text = meeting ? `Book the demo at the time the prospect proposed (${meeting}).` : 'Book a demo: the prospect asked to see the product.';
    return { code: 'book_demo', text };
  }
  if (s.bantCount >= 3 && authorityOf(s.facts) !== 'no_authority' && NEAR_TERM.has(s.timeline)) {
    return { code: 'book_demo', text: `Book a demo: budget, need and timeline are known and they want to start ${TIMELINE_WORDS[s.timeline]}.` };
  }
  if (s.concerns.includes('price') || s.key_topics.includes('pricing')) {
    const objection = s.concerns.includes('price') ? ' and answer the price concern' : '';
    return { code: 'send_pricing', text: `Send pricing${objection}.` };
  }
  if (s.timeline !== 'unknown' || s.concerns.includes('timing')) {
    const when = s.now === undefined
      ? `in ${FOLLOW_UP_DAYS[s.timeline]} days`
      : `on ${followUpDueDate(s.timeline, s.now).dueDate.toISOString().slice(0, 10)}`;
    const because = s.timeline === 'unknown' ? 'they said now is not the right time' : `timeline: ${TIMELINE_WORDS[s.timeline]}`;
    return { code: 'follow_up', text: `Follow up ${when} (${because}).` };
  }
  if (textFact(s.facts, 'need') !== null && s.bantCount < 3) {
    return { code: 'qualify', text: `Qualify: ask about ${missingBant(s.facts).join(', ')}.` };
  }
  return { code: 'nurture', text: 'Nurture: send useful content and check back in two weeks.' };
}

function missingBant(facts: FactsLike): string[] {
  const bant = bantKnown(facts);
  const missing: string[] = [];
  if (!bant.budget) missing.push('budget');
  if (!bant.authority) missing.push('who decides');
  if (!bant.need) missing.push('need');
  if (!bant.timeline) missing.push('timeline');
  return missing;
}

const CONCERN_WORDS: Readonly<Record<Concern, string>> = {
  price: 'price',
  timing: 'timing',
  authority: 'authority',
  trust_security: 'trust and security',
  switching_cost: 'switching cost',
  competitor: 'competitor',
};

const NUMBER = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

/** Words a stated need may start with that read as "wants to <need>". */
const NEED_VERBS: ReadonlySet<string> = new Set([
  'automate', 'replace', 'improve', 'reduce', 'get', 'find', 'handle', 'manage', 'book', 'track', 'increase', 'scale',
  'stop', 'answer', 'qualify', 'integrate', 'build', 'set', 'cut', 'save', 'grow', 'capture', 'follow', 'respond',
  'streamline', 'organize', 'organise', 'centralize', 'centralise', 'speed', 'hire', 'switch', 'move', 'close', 'sell',
]);

const THIRD_PERSON: Readonly<Record<string, string>> = {
  im: 'they are', i: 'they', me: 'them', my: 'their', mine: 'theirs', we: 'they', us: 'them', our: 'their', ours: 'theirs',
};

/** The need is in the prospect's words ("automate our calls"); the summary speaks of them. */
function thirdPerson(text: string): string {
  return text.replace(/\b(i'm|im|i|me|my|mine|we|us|our|ours)\b/gi, (word) => THIRD_PERSON[word.toLowerCase().replace("'", '')] ?? word);
}

function needClause(need: string): string {
  const text = thirdPerson(need.replace(/[.!?\s]+$/, ''));
  const first = (text.split(/\s+/)[0] ?? '').toLowerCase();
  if (first === 'to') return `wants ${text}`;
  if (NEED_VERBS.has(first)) return `wants to ${text}`;
  if (first.endsWith('ing') && first.length > 4) return `wants help with ${text}`;
  return `is looking for ${text}`;
}

function budgetText(facts: FactsLike): string | null {
  const amount = numberFact(facts, 'budget_amount');
  const currency = (textFact(facts, 'budget_currency') ?? 'USD').toUpperCase();
  if (amount === null) return null;
  if (amount === 0) return 'no budget yet';
  if (currency === 'USD') return `budget $${NUMBER.format(amount)}`;
  const usd = numberFact(facts, 'budget_amount_usd') ?? toUsd(amount, currency) ?? null;
  return `budget ${NUMBER.format(amount)} ${currency}${usd === null ? '' : ` (about $${NUMBER.format(usd)})`}`;
}

function summarize(facts: FactsLike, concerns: readonly Concern[], demoBooked: boolean): string {
  const name = textFact(facts, 'contact_person');
  const company = textFact(facts, 'company');
  const need = textFact(facts, 'need');
  let who = name ?? 'The prospect';
  if (company) who += ` from ${company}`;
  const authority = authorityOf(facts);
  if (authority === 'decision_maker') who += ', the decision maker,';
  else if (authority === 'influencer') who += ', who influences but does not make the decision,';
  else if (authority === 'no_authority') who += ', who has no say in the purchase,';
  const first = `${who} ${need ? needClause(need) : 'has not described a need yet'}.`;

  const details: string[] = [];
  const budget = budgetText(facts);
  if (budget) details.push(budget);
  const timeline = timelineOf(facts);
  if (timeline !== 'unknown') details.push(timeline === 'future' ? 'no near-term timeline' : `wants to start ${TIMELINE_WORDS[timeline]}`);
  const size = numberFact(facts, 'company_size');
  const industry = textFact(facts, 'industry');
  if (size !== null && size > 0) details.push(`${NUMBER.format(size)} employees${industry ? ` in ${industry}` : ''}`);
  else if (industry) details.push(`industry: ${industry}`);
  const meeting = textFact(facts, 'meeting_time');
  if (demoBooked) details.push(meeting ? `demo booked for ${meeting}` : 'demo booked');
  else if (isTrue(facts.wants_demo)) details.push('asked for a demo');
  if (concerns.length > 0) details.push(`concerns: ${concerns.map((c) => CONCERN_WORDS[c]).join(', ')}`);
  const missing = missingBant(facts).filter((m) => m !== 'need');
  if (missing.length > 0) details.push(`still unknown: ${missing.join(', ')}`);
  if (details.length === 0) return first;
  const second = details.join('; ');
  return `${first} ${second.charAt(0).toUpperCase()}${second.slice(1)}.`;
}
