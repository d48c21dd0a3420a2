import type { Db } from '../../db/database.js';
import { toE164 } from '../../crm/shared/contact-points.js';
import { ConflictError } from '../../server/errors.js';
import { greetingFor } from '../dialogue/converse.js';
import { initialState, type Channel } from '../dialogue/state.js';
import { loadAgentSettings, withAgent, type AgentIdentity } from './agent-transaction.js';
import { findLeadByContact, getLead, knownFacts, type LeadRow } from './lead-writer.js';

export interface StartSessionInput {
  channel: Channel;
  /** The caller's number (caller ID on voice, sender on SMS). */
  from?: string;
  lead_id?: string;
  /** Who opened the session: a person in the console, an API key, or Clara itself for channels. */
  opened_by: string;
  /** ISO country for national phone numbers in this conversation (default CLARA_DEFAULT_COUNTRY). */
  country?: string;
  external_session_id?: string;
  /** A call that may be recorded: Clara asks consent in its greeting (seed 004). */
  ask_recording_consent?: boolean;
  /**
   * A call record that already exists (an outbound call placed before it was answered): the
   * session takes it over instead of opening another one.
   */
  call_id?: string;
  /** Clara placed the call (click-to-call): the greeting says who is calling. */
  outbound?: boolean;
}

export interface AgentEnvironment {
  db: Db;
  agent: AgentIdentity;
  timeZone: string;
  defaultCountry: string;
}

const CALL_TYPE: Record<Channel, 'ai_chat' | 'ai_sms' | 'ai_voice'> = { web: 'ai_chat', sms: 'ai_sms', voice: 'ai_voice' };

/**
 * Opens a conversation with a prospect: recognises them by their number when it is known (the
 * same person on SMS and voice is one lead), greets them, and opens the call record.
 */
export async function startSession(env: AgentEnvironment, input: StartSessionInput): Promise<{ id: string; reply: string; lead_id: string | null }> {
  return withAgent(env.db, env.agent, async (tx) => {
    const settings = await loadAgentSettings(tx);
    const phone = input.from ? toE164(input.from, input.country ?? env.defaultCountry) : undefined;
    let lead: LeadRow | undefined;
    if (input.lead_id) lead = await getLead(tx, input.lead_id);
    else if (phone) lead = await findLeadByContact(tx, { phone });

    const state = initialState(input.channel, lead ? knownFacts(lead) : {});
    if (input.country) state.country = input.country;
    if (phone && !lead) {
      // Caller ID is a number we did not have to hear: no read-back needed.
      state.facts.phone = phone;
      state.evidence.phone = 'caller id';
      state.confirmed.phone = true;
    }
    if (input.ask_recording_consent) {
      state.expecting = 'recording_consent';
      state.asked.recording_consent = 1;
    }
    const reply = greetingFor({ ...settings, timeZone: env.timeZone }, state, { askRecordingConsent: input.ask_recording_consent, outbound: input.outbound });
    const now = new Date().toISOString();
    const transcript = `${settings.agent_name}: ${reply}`;
    const call = input.call_id
      ? await tx
          .updateTable('calls')
          .set({ lead_id: lead?.id ?? null, call_start_time: now, outcome: 'in_progress', transcript })
          .where('id', '=', input.call_id)
          .where('session_id', 'is', null)
          .returning('id')
          .executeTakeFirst()
      : await tx
          .insertInto('calls')
          .values({
            lead_id: lead?.id ?? null,
            user_id: env.agent.userId,
            call_type: CALL_TYPE[input.channel],
            direction: 'inbound',
            from_number: phone ?? null,
            provider: 'clara',
            call_start_time: now,
            outcome: 'in_progress',
            transcript,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
    if (!call) throw new ConflictError('This call already has a conversation');
    const conversation = await tx
      .insertInto('conversations')
      .values({
        lead_id: lead?.id ?? null,
        user_id: input.opened_by,
        channel: input.channel,
        external_session_id: input.external_session_id ?? null,
        messages: JSON.stringify([{ role: 'assistant', text: reply, at: now }]),
        state: JSON.stringify(state),
        call_id: call.id,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await tx.updateTable('calls').set({ session_id: conversation.id }).where('id', '=', call.id).execute();
    return { id: conversation.id, reply, lead_id: lead?.id ?? null };
  });
}
