import { extractFacts, type Facts, type FactName } from '../extract/index.js';
import { absorb, nextMove, type BookingOutcome } from '../dialogue/converse.js';
import { factOf, type DialogueState } from '../dialogue/state.js';
import { loadAgentSettings, withAgent } from './agent-transaction.js';
import { announceHotLead, openSupportTask } from './alert-team.js';
import { bookDemo } from './book-demo.js';
import { findLeadByContact, identifies, knownFacts, saveLead } from './lead-writer.js';
import { rescoreLead } from './rescore-lead.js';
import { assertActive, lockSession, saveTurn, type Message } from './session-store.js';
import type { AgentEnvironment } from './start-session.js';

export interface TurnResult {
  reply: string;
  lead_id: string | null;
  /** What the prospect has said about themself in this session. */
  extracted: Facts;
  score: number | null;
  status_bucket: 'P1' | 'P2' | 'P3' | null;
  done: boolean;
}

/** Facts Clara can be waiting for, as the extractor names them. */
const FACT_EXPECTATIONS: FactName[] = [
  'contact_person', 'company', 'email', 'phone', 'budget', 'authority', 'need', 'timeline', 'industry',
  'company_size', 'meeting_time', 'recording_consent',
];

export interface TurnOptions {
  /** Facts proposed by a language model for this utterance, already validated by the rules. */
  propose?: (input: { text: string; state: DialogueState }) => Promise<Facts>;
  /**
   * Rephrases the rules' reply for the channel (a language model); returns the draft itself
   * when it cannot do better. What Clara decided to say never changes, only how.
   */
  phrase?: (input: { draft: string; state: DialogueState; messages: Message[]; agentName: string; companyName: string }) => Promise<string>;
}

/**
 * One prospect utterance: understand it, write what it teaches into the CRM, decide and store
 * Clara's answer, all in one transaction: the turn is stored before the reply leaves, and a
 * failed turn leaves nothing half written.
 */
export async function takeTurn(env: AgentEnvironment, sessionId: string, text: string, options: TurnOptions = {}): Promise<TurnResult> {
  return withAgent(env.db, env.agent, async (tx) => {
    const session = await lockSession(tx, sessionId);
    assertActive(session);
    const settings = await loadAgentSettings(tx);
    const before = session.state;
    const expecting = FACT_EXPECTATIONS.includes(before.expecting as FactName) ? (before.expecting as FactName) : undefined;
    const extraction = extractFacts(text, {
      channel: before.channel,
      defaultCountry: (before.country ?? env.defaultCountry) as Parameters<typeof extractFacts>[1]['defaultCountry'],
      timeZone: env.timeZone,
      now: new Date(),
      expecting,
    });
    if (options.propose) {
      // The model fills only what the rules missed; the rules' own findings always win.
      const proposed = await options.propose({ text, state: before });
      extraction.facts = { ...proposed, ...extraction.facts };
    }
    let state = absorb(before, extraction, text);
    const newFacts = (Object.keys(state.facts) as (keyof Facts)[]).filter((key) => state.facts[key] !== before.facts[key]);

    let leadId = session.lead_id ?? undefined;
    if (!leadId && identifies(state)) {
      const existing = await findLeadByContact(tx, { email: state.facts.email, phone: state.facts.phone });
      if (existing) {
        leadId = existing.id;
        state = { ...state, known: { ...knownFacts(existing), ...state.known } };
      }
    }
    let score: Awaited<ReturnType<typeof rescoreLead>> | undefined;
    let booking: BookingOutcome | undefined;
    if (leadId || identifies(state)) {
      leadId = (await saveLead(tx, env.agent, state, leadId)).leadId;
      const meetingTime = state.facts.meeting_time;
      if (state.demo === 'accepted' && meetingTime && new Date(meetingTime).getTime() > Date.now()) {
        const outcome = await bookDemo(tx, env.agent, {
          leadId,
          start: meetingTime,
          minutes: settings.demo_minutes,
          timeZone: env.timeZone,
          companyName: settings.company_name,
          prospect: factOf(state, 'contact_person'),
        });
        booking = outcome;
        if (outcome.meetingId) state = { ...state, meeting_id: outcome.meetingId };
      }
      score = await rescoreLead(tx, leadId, state, settings, state.meeting_id !== undefined);
      if (score.became_p1 && !state.p1_notified) {
        await announceHotLead(tx, env.agent, leadId, factOf(state, 'contact_person') ?? factOf(state, 'company') ?? 'a prospect', score.score);
        state = { ...state, p1_notified: true };
      }
    }
    if (state.route === 'support' && !state.support_todo_id) {
      state = { ...state, support_todo_id: await openSupportTask(tx, env.agent, leadId, text) };
    }

    const move = nextMove(state, { ...settings, timeZone: env.timeZone }, {
      text,
      bucket: score?.status_bucket ?? 'P3',
      booking,
      newFacts,
    });
    const heard: Message[] = [...session.messages, { role: 'user', text, at: new Date().toISOString() }];
    const reply = options.phrase
      ? await options.phrase({ draft: move.reply, state: move.state, messages: heard, agentName: settings.agent_name, companyName: settings.company_name })
      : move.reply;
    const messages: Message[] = [...heard, { role: 'assistant', text: reply, at: new Date().toISOString() }];
    await saveTurn(tx, session, { state: move.state, messages, leadId, agentName: settings.agent_name });
    return {
      reply,
      lead_id: leadId ?? null,
      extracted: move.state.facts,
      score: score?.score ?? null,
      status_bucket: score?.status_bucket ?? null,
      done: move.state.done,
    };
  });
}
