import { findPhrase, negatedAt } from './text.js';

/** Phrases are normalised words (see normalizeText): "dont", not "don't"; "*" is any one word. */
type Patterns<K extends string> = readonly (readonly [K, readonly string[]])[];

export type Topic =
  | 'pricing' | 'integration' | 'onboarding' | 'support' | 'security'
  | 'competitor' | 'contract' | 'demo' | 'timeline' | 'features';

export const TOPICS: Patterns<Topic> = [
  ['pricing', ['price', 'prices', 'pricing', 'cost', 'costs', 'how much', 'expensive', 'cheap', 'cheaper', 'budget',
    'quote', 'per month', 'a month', 'per seat', 'per user', 'subscription', 'fee', 'fees', 'discount', 'pay']],
  ['integration', ['integrate', 'integrates', 'integration', 'integrations', 'api', 'salesforce', 'hubspot', 'zapier',
    'pipedrive', 'zoho', 'sync', 'syncs', 'connect to', 'connect with', 'works with', 'webhook', 'webhooks',
    'plug into', 'calendar', 'outlook']],
  ['onboarding', ['onboarding', 'onboard', 'set up', 'setup', 'implementation', 'implement', 'get started',
    'getting started', 'training', 'train', 'migrate', 'migration', 'import']],
  ['support', ['support', 'customer service', 'help desk', 'helpdesk', '24 7', 'sla', 'response time', 'bug', 'bugs',
    'not working', 'broken', 'outage', 'cant log in', 'cant login', 'ticket']],
  ['security', ['security', 'secure', 'gdpr', 'hipaa', 'soc 2', 'soc2', 'compliance', 'compliant', 'encryption',
    'encrypted', 'privacy', 'data protection', 'sso', 'single sign on', 'data safe']],
  ['competitor', ['competitor', 'competitors', 'alternative', 'alternatives', 'compared to', 'comparing', 'versus', 'vs',
    'switch from', 'switching from', 'currently using', 'already using', 'currently use', 'already use',
    'other vendors', 'other vendor', 'other options', 'other tools', 'looking at other']],
  ['contract', ['contract', 'contracts', 'annual', 'yearly', 'commitment', 'terms', 'cancel anytime', 'lock in',
    'locked in', 'renewal', 'renew', 'notice period', 'agreement']],
  ['demo', ['demo', 'demos', 'demonstration', 'walkthrough', 'walk through', 'show me', 'see it in action', 'trial',
    'try it', 'pilot']],
  ['timeline', ['timeline', 'deadline', 'asap', 'as soon as possible', 'right away', 'next week', 'this week',
    'next month', 'this month', 'this quarter', 'next quarter', 'next year', 'go live', 'launch', 'rollout',
    'roll out', 'by the end of']],
  ['features', ['feature', 'features', 'functionality', 'capability', 'capabilities', 'can it', 'does it', 'dashboard',
    'reporting', 'reports', 'analytics', 'automation', 'automate', 'transcription', 'transcripts', 'call recording',
    'lead scoring', 'languages']],
];

export type Concern = 'price' | 'timing' | 'authority' | 'trust_security' | 'switching_cost' | 'competitor';

/** Objections as prospects voice them; a negated one ("its not expensive") is not a concern. */
export const CONCERNS: Patterns<Concern> = [
  ['price', ['expensive', 'pricey', 'costly', 'overpriced', 'too much', 'cant afford', 'cannot afford', 'out of budget',
    'out of our budget', 'over budget', 'over our budget', 'tight budget', 'budget is tight', 'no budget', 'cheaper',
    'lower price', 'discount', 'costs too', 'price is high', 'price is too']],
  ['timing', ['not right now', 'not now', 'bad time', 'too busy', 'maybe later', 'later this year', 'next year',
    'not ready', 'call me back later', 'call back later', 'few months', 'not a priority', 'not the right time',
    'no rush']],
  ['authority', ['check with my', 'check with our', 'talk to my', 'talk to our', 'ask my', 'run it by', 'run this by',
    'get approval', 'need approval', 'not my decision', 'not the decision maker', 'not up to me', 'my boss',
    'my manager', 'the board', 'my business partner', 'our ceo']],
  ['trust_security', ['is it secure', 'data safe', 'data breach', 'breach', 'privacy', 'gdpr', 'hipaa', 'compliance',
    'compliant', 'scam', 'dont trust', 'can we trust', 'can i trust', 'trustworthy', 'legit', 'who has access', 'where is the data', 'data stored']],
  ['switching_cost', ['switching', 'switch over', 'migrate', 'migration', 'move our data', 'moving our data',
    'already invested', 'locked in', 'contract with', 'learning curve', 'retrain', 'retraining', 'hassle',
    'disruption', 'too much work']],
  ['competitor', ['competitor', 'competitors', 'other vendors', 'other options', 'looking at other', 'comparing',
    'compared to', 'alternative', 'alternatives', 'cheaper elsewhere', 'already using', 'currently using',
    'already use', 'currently use', 'going with', 'went with']],
];

/** How often each key's phrases occur in the words; with skipNegated, "its not expensive" does not count. */
export function countMatches<K extends string>(words: readonly string[], patterns: Patterns<K>, skipNegated: boolean): Map<K, number> {
  const counts = new Map<K, number>();
  for (const [key, phrases] of patterns) {
    // Phrases of one key that start at the same word ("currently use", "currently using") count once.
    const starts = new Set<number>();
    for (const p of phrases) {
      for (const start of findPhrase(words, p)) {
        if (!skipNegated || !negatedAt(words, start)) starts.add(start);
      }
    }
    if (starts.size > 0) counts.set(key, starts.size);
  }
  return counts;
}

/** Prospects asking not to be contacted again. */
export const OPT_OUT = ['stop calling', 'do not call', 'dont call', 'take me off', 'remove me', 'unsubscribe',
  'leave me alone', 'stop texting', 'stop messaging', 'never call'];

/** A clear no. */
export const NOT_INTERESTED = ['not interested', 'no thanks', 'no thank you', 'dont need', 'do not need', 'not for us',
  'not a good fit', 'not a fit', 'uninterested'];

/**
 * An existing customer with a problem, not a prospect with a need. Deliberately about the
 * caller's own account: prospects describe their current tool as "broken" or "buggy" as a
 * reason to buy, and that must not send them to support.
 */
export const SUPPORT_PROBLEMS = ['my account', 'our account', 'cant log in', 'cant login', 'cannot log in',
  'log in to my', 'refund', 'charged twice', 'billing issue', 'complaint', 'im a customer', 'im already a customer',
  'were a customer', 'were already a customer', 'we are a customer', 'existing customer', 'support ticket'];

export function mentions(turns: readonly (readonly string[])[], phrases: readonly string[]): boolean {
  return turns.some((words) => phrases.some((p) => findPhrase(words, p).length > 0));
}

/** countMatches over several turns (a phrase never spans two turns), summed. */
export function countAcross<K extends string>(turns: readonly (readonly string[])[], patterns: Patterns<K>, skipNegated: boolean): Map<K, number> {
  const total = new Map<K, number>();
  for (const words of turns) {
    for (const [key, n] of countMatches(words, patterns, skipNegated)) total.set(key, (total.get(key) ?? 0) + n);
  }
  return total;
}
