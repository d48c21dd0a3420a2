import type { Facts, FactName } from '../extract/index.js';

export type Channel = 'web' | 'sms' | 'voice';
export type Route = 'sales' | 'support' | 'marketing';

/** What Clara is waiting for: a fact, a yes/no to a read-back, a demo answer, or a time. */
export type Expectation = FactName | 'confirm_email' | 'confirm_phone' | 'demo' | 'anything_else';

export type DemoState = 'not_offered' | 'offered' | 'accepted' | 'declined' | 'booked';

/**
 * The dialogue state of one session, stored as jsonb on its conversation row so that any server
 * process can take the next turn.
 */
export interface DialogueState {
  channel: Channel;
  /** Country for phone numbers said without a country code (else CLARA_DEFAULT_COUNTRY). */
  country?: string;
  route: Route;
  /** What the prospect said in this session (later values win). */
  facts: Facts;
  /** The utterance that justified each fact. */
  evidence: Partial<Record<keyof Facts, string>>;
  /** Facts the CRM already knew before this session (from an earlier call or chat). */
  known: Facts;
  refused: FactName[];
  /** How many times each question was asked: Clara asks twice at most, then moves on. */
  asked: Partial<Record<Expectation, number>>;
  expecting?: Expectation;
  confirmed: { email?: boolean; phone?: boolean };
  demo: DemoState;
  /** A slot Clara proposed after a calendar conflict, ISO 8601. */
  proposed_slot?: string;
  meeting_id?: string;
  support_todo_id?: string;
  p1_notified?: boolean;
  faq_answered: string[];
  done: boolean;
}

export function initialState(channel: Channel, known: Facts = {}): DialogueState {
  return {
    channel,
    route: 'sales',
    facts: {},
    evidence: {},
    known,
    refused: [],
    asked: {},
    confirmed: {},
    demo: 'not_offered',
    faq_answered: [],
    done: false,
  };
}

/** A fact as Clara knows it: said now, or known from before. */
export function factOf<K extends keyof Facts>(state: DialogueState, key: K): Facts[K] {
  return state.facts[key] ?? state.known[key];
}
