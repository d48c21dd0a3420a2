import { extractFacts, type Facts, type FactName } from '../extract/index.js';
import { absorb, nextMove, type BookingOutcome } from '../dialogue/converse.js';
import { factOf, type DialogueState } from '../dialogue/state.js';
import { loadAgentSettings, withAgent } from './agent-transaction.js';
import { announceHotLead, openSupportTask } from './alert-team.js';
import { bookDemo } from './book-demo.js';
import { findLeadByContact, identifies, knownFacts, saveLead } from './lead-writer.js';
import { rescoreLead } from './rescore-lead.js';
import type { Db } from '../../db/database.js';
import { assertActive, lockSession, saveTurn, type Message, type SessionRow } from './session-store.js';
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
  /**
   * The channel's id for this utterance (a Twilio MessageSid, a Gather turn). A turn already
   * taken with this key is answered again from the transcript and changes nothing: providers
   * retry webhooks, and a retry must never add a turn twice.
   */
  idempotencyKey?: string;
}

/**
 * One prospect utterance: understand it, write what it teaches into the CRM, decide and store
 * Clara's answer, all in one transaction: the turn is stored before the reply leaves, and a
 * failed turn leaves nothing half written.
 */
export async function takeTurn(env: AgentEnvironment, sessionId: string, text: string, options: TurnOptions = {}): Promise<TurnResult> {
  // The model is asked before the session is locked: its answer is only advisory (the rules run
  // again under the lock and win), and a slow model must not hold a row lock and a pooled
  // connection for its whole budget.
  const proposed = options.propose ? await proposeUnlocked(env, sessionId, text, options.propose) : undefined;
  return withAgent(env.db, env.agent, async (tx) => {
    const session = await lockSession(tx, sessionId);
    // Checked under the session's lock and before the ended check: a retry of the closing turn
    // arrives after the session ended, and two copies of one request never both get through.
    const replayed = options.idempotencyKey ? await replayTurn(tx, session, options.idempotencyKey) : undefined;
    if (replayed) return replayed;
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
    // The model fills only what the rules missed; the rules' own findings always win.
    if (proposed) extraction.facts = { ...proposed, ...extraction.facts };
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
    const utterance: Message = { role: 'user', text, at: new Date().toISOString() };
    if (options.idempotencyKey) utterance.key = options.idempotencyKey;
    const heard: Message[] = [...session.messages, utterance];
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

/** The model's proposal for this utterance, from the session's state as it was before the turn. */
async function proposeUnlocked(
  env: AgentEnvironment,
  sessionId: string,
  text: string,
  propose: NonNullable<TurnOptions['propose']>,
): Promise<Facts | undefined> {
  const row = await withAgent(env.db, env.agent, (tx) =>
    tx.selectFrom('conversations').select(['state', 'status']).where('id', '=', sessionId).executeTakeFirst(),
  );
  // A missing or ended session is answered by the locked path; the model is not asked.
  if (!row || row.status !== 'active') return undefined;
  return propose({ text, state: row.state as unknown as DialogueState });
}

/** The answer already given to the utterance with this key, from the stored transcript. */
async function replayTurn(tx: Db, session: SessionRow, key: string): Promise<TurnResult | undefined> {
  const index = session.messages.findIndex((m) => m.role === 'user' && m.key === key);
  if (index < 0) return undefined;
  const answer = session.messages.slice(index + 1).find((m) => m.role === 'assistant');
  const lead = session.lead_id
    ? await tx.selectFrom('leads').select(['lead_score', 'status_bucket']).where('id', '=', session.lead_id).executeTakeFirst()
    : undefined;
  return {
    reply: answer?.text ?? '',
    lead_id: session.lead_id,
    extracted: session.state.facts,
    score: lead?.lead_score ?? null,
    status_bucket: (lead?.status_bucket as TurnResult['status_bucket']) ?? null,
    // Only the last answer can have closed the conversation.
    done: session.state.done && session.messages.indexOf(answer as Message) === session.messages.length - 1,
  };
}
