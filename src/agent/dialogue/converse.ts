import type { Extraction, Facts, FactName } from '../extract/index.js';
import { matchFaq, type FaqEntry } from './faq.js';
import { factOf, type DialogueState, type Expectation } from './state.js';
import { isAffirmative, isNegative } from './yes-no.js';

export interface Persona {
  agent_name: string;
  company_name: string;
  greeting: string | null;
  faq: FaqEntry[];
  timeZone: string;
}

/** The order in which a good SDR qualifies: who, what they need, then BANT, then how to reach them. */
const QUESTIONS: { fact: FactName; ask: (p: Persona) => string }[] = [
  { fact: 'contact_person', ask: () => 'May I have your name?' },
  { fact: 'company', ask: () => 'Which company are you with?' },
  { fact: 'need', ask: (p) => `What are you hoping ${p.company_name} can help you with?` },
  { fact: 'budget', ask: () => 'Do you have a budget in mind for this?' },
  { fact: 'authority', ask: () => 'Are you the one who makes the final decision on this, or is someone else involved?' },
  { fact: 'timeline', ask: () => 'When are you hoping to have something in place?' },
  { fact: 'email', ask: () => "What's the best email address to reach you?" },
  { fact: 'phone', ask: () => "And what's the best phone number for you?" },
];

const MAX_ASKS = 2;
const FACT_KEYS: (keyof Facts)[] = [
  'contact_person', 'company', 'email', 'phone', 'budget_amount', 'budget_currency', 'authority', 'need',
  'timeline', 'industry', 'company_size', 'meeting_time', 'recording_consent',
];

export const RECORDING_CONSENT_QUESTION = 'Before we start: may I record this call for quality and training?';

/**
 * The first thing Clara says. On a call that may be recorded it asks consent first (seed 004),
 * so the caller's first answer is read as yes or no to recording.
 */
export function greetingFor(persona: Persona, state: DialogueState, options: { askRecordingConsent?: boolean; outbound?: boolean } = {}): string {
  if (options.outbound) {
    // Clara placed the call: it says who is calling and why, not "how can I help".
    const name = factOf(state, 'contact_person');
    const hello = `Hi${name ? ` ${firstName(name)}` : ''}, this is ${persona.agent_name} from ${persona.company_name}, following up on your interest.`;
    return `${hello} ${options.askRecordingConsent ? RECORDING_CONSENT_QUESTION : 'Is now a good time to talk?'}`;
  }
  if (options.askRecordingConsent) {
    const name = factOf(state, 'contact_person');
    const hello = persona.greeting?.replace(/\s*how can i help you( today)?\??\s*$/i, '') || `${name ? `Hi ${firstName(name)}, welcome back!` : 'Hi there!'} I'm ${persona.agent_name} from ${persona.company_name}.`;
    return `${hello} ${RECORDING_CONSENT_QUESTION}`;
  }
  if (persona.greeting) return persona.greeting;
  const name = factOf(state, 'contact_person');
  const hello = name ? `Hi ${firstName(name)}, welcome back!` : 'Hi there!';
  return `${hello} I'm ${persona.agent_name} from ${persona.company_name}. How can I help you today?`;
}

const hasFact = (state: DialogueState, fact: FactName): boolean =>
  fact === 'budget' ? factOf(state, 'budget_amount') !== undefined : factOf(state, fact as keyof Facts) !== undefined;

/** Folds what the prospect just said into the state: facts (later wins), refusals, answers. */
export function absorb(state: DialogueState, extraction: Extraction, text: string): DialogueState {
  const next: DialogueState = {
    ...state,
    facts: { ...state.facts },
    evidence: { ...state.evidence },
    refused: [...state.refused],
    confirmed: { ...state.confirmed },
  };
  const { facts, evidence } = extraction;
  const expecting = state.expecting;

  // A yes/no to a read-back settles it; a "no" with a new value in the same breath is a correction.
  if (expecting === 'confirm_email' || expecting === 'confirm_phone') {
    const field = expecting === 'confirm_email' ? 'email' : 'phone';
    if (facts[field] === undefined && isAffirmative(text)) next.confirmed[field] = true;
    else if (facts[field] === undefined && isNegative(text)) {
      delete next.facts[field];
      next.asked = { ...next.asked, [field]: 0 };
    }
  }

  for (const key of FACT_KEYS) {
    const value = facts[key];
    if (value === undefined) continue;
    (next.facts as Record<string, unknown>)[key] = value;
    const why = evidence[key] ?? text;
    next.evidence[key] = why;
    if (key === 'email' || key === 'phone') next.confirmed[key] = false;
  }
  for (const fact of facts.refused ?? []) {
    if (!next.refused.includes(fact)) next.refused.push(fact);
  }

  if (facts.intent === 'support') next.route = 'support';
  else if (facts.intent === 'marketing' && next.route === 'sales') next.route = 'marketing';

  // Demo answers: asked directly, or offered a slot after a conflict.
  if (state.proposed_slot && expecting === 'meeting_time' && facts.meeting_time === undefined && isAffirmative(text)) {
    next.facts.meeting_time = state.proposed_slot;
    next.evidence.meeting_time = text;
  }
  if (facts.wants_demo === true || (facts.meeting_time && next.demo !== 'booked')) next.demo = 'accepted';
  else if (facts.wants_demo === false && (expecting === 'demo' || next.demo === 'offered')) next.demo = 'declined';
  else if (expecting === 'demo' && isAffirmative(text)) next.demo = 'accepted';
  else if (expecting === 'demo' && isNegative(text)) next.demo = 'declined';
  return next;
}

export interface BookingOutcome {
  status: 'booked' | 'conflict';
  start: string;
  /** When status is conflict: the next free slot to propose. */
  alternative?: string;
}

export interface Move {
  state: DialogueState;
  reply: string;
}

/**
 * Decides what Clara says next from the state alone: answer a question from the FAQ, read back
 * a contact detail on the phone, ask for the next missing fact, offer or book a demo, or close.
 */
export function nextMove(
  state: DialogueState,
  persona: Persona,
  context: { text: string; bucket: 'P1' | 'P2' | 'P3'; booking?: BookingOutcome; newFacts: (keyof Facts)[] },
): Move {
  const next: DialogueState = { ...state, asked: { ...state.asked } };
  const parts: string[] = [];
  const ask = (expectation: Expectation, question: string): Move => {
    next.expecting = expectation;
    next.asked[expectation] = (next.asked[expectation] ?? 0) + 1;
    parts.push(question);
    return { state: next, reply: parts.join(' ') };
  };
  const close = (): Move => {
    next.expecting = undefined;
    next.done = true;
    const name = factOf(next, 'contact_person');
    const thanks = name ? `Thanks so much, ${firstName(name)}!` : 'Thanks so much!';
    const plan =
      next.demo === 'booked'
        ? "You'll get a confirmation with the details."
        : next.route === 'support'
          ? 'Our team will be in touch shortly.'
          : `Someone from ${persona.company_name} will follow up with you soon.`;
    parts.push(`${thanks} ${plan} Have a great day.`);
    return { state: next, reply: parts.join(' ') };
  };

  const acknowledgement = acknowledge(next, context.newFacts);
  if (acknowledgement) parts.push(acknowledgement);

  const faq = matchFaq(context.text, persona.faq);
  if (faq && !next.faq_answered.includes(faq.question)) {
    parts.push(faq.answer);
    next.faq_answered = [...next.faq_answered, faq.question];
  }

  if (next.route === 'support') {
    // The engine has opened a task for the account's owner; Clara makes sure they can be found.
    parts.splice(acknowledgement ? 1 : 0, 0, "I'm sorry about the trouble. I've passed this to our support team.");
    if (!hasFact(next, 'contact_person') && !next.refused.includes('contact_person') && (next.asked.contact_person ?? 0) < MAX_ASKS) {
      return ask('contact_person', 'May I have your name so they can find your account?');
    }
    if (!hasFact(next, 'email') && !hasFact(next, 'phone') && (next.asked.email ?? 0) < MAX_ASKS && !next.refused.includes('email')) {
      return ask('email', "What's the best email to reach you?");
    }
    return close();
  }

  if (context.booking) {
    if (context.booking.status === 'booked') {
      next.demo = 'booked';
      next.proposed_slot = undefined;
      parts.push(`You're booked for a demo on ${formatTime(context.booking.start, persona.timeZone)}.`);
    } else if (context.booking.alternative) {
      next.proposed_slot = context.booking.alternative;
      delete next.facts.meeting_time;
      return ask(
        'meeting_time',
        `That time is already taken. Would ${formatTime(context.booking.alternative, persona.timeZone)} work instead?`,
      );
    }
  }

  // On the phone, spoken details are read back before they are trusted.
  if (next.channel === 'voice') {
    for (const field of ['email', 'phone'] as const) {
      const value = next.facts[field];
      const expectation = field === 'email' ? 'confirm_email' : 'confirm_phone';
      if (value && next.confirmed[field] === false && (next.asked[expectation] ?? 0) < MAX_ASKS) {
        return ask(expectation, `Let me read that back: ${speakable(field, value)}. Is that right?`);
      }
    }
  }

  if (next.demo === 'accepted') {
    if ((next.asked.meeting_time ?? 0) < MAX_ASKS) return ask('meeting_time', 'Great! What day and time work best for you?');
  }

  // A P1 prospect hears the demo offer as soon as they qualify (seed 001 scenario 3).
  const offerDemo = () => {
    next.demo = 'offered';
    return ask('demo', `Would you like to book a short demo with our team to see how ${persona.company_name} would work for you?`);
  };
  if (next.demo === 'not_offered' && context.bucket === 'P1') return offerDemo();

  for (const question of QUESTIONS) {
    const { fact } = question;
    if (hasFact(next, fact) || next.refused.includes(fact) || (next.asked[fact] ?? 0) >= MAX_ASKS) continue;
    return ask(fact, question.ask(persona));
  }

  if (next.demo === 'not_offered') return offerDemo();
  if (next.demo === 'booked' && !hasFact(next, 'email') && !next.refused.includes('email') && (next.asked.email ?? 0) < MAX_ASKS) {
    return ask('email', 'Which email should I send the invitation to?');
  }
  return close();
}

function acknowledge(state: DialogueState, newFacts: (keyof Facts)[]): string | undefined {
  if (newFacts.length === 0) return undefined;
  if (newFacts.includes('contact_person')) {
    const name = factOf(state, 'contact_person');
    return name ? `Nice to meet you, ${firstName(name)}.` : undefined;
  }
  if (newFacts.includes('recording_consent')) {
    return state.facts.recording_consent ? 'Thank you.' : "No problem, this call won't be recorded.";
  }
  if (newFacts.includes('need')) return 'That makes sense.';
  return 'Got it.';
}

const firstName = (name: string) => name.split(/\s+/)[0] ?? name;

/** How an email or phone number is said aloud, so the caller can check it. */
export function speakable(field: 'email' | 'phone', value: string): string {
  if (field === 'phone') return value.replace(/^\+/, 'plus ').replace(/\d/g, '$& ').trim();
  return value.replace(/@/g, ' at ').replace(/\./g, ' dot ').replace(/_/g, ' underscore ').replace(/-/g, ' dash ').replace(/\s+/g, ' ').trim();
}

export function formatTime(iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', {
    weekday: 'long',
    month: 'long',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}
