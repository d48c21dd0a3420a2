import { withAgent } from '../../agent/sessions/agent-transaction.js';
import { startSession } from '../../agent/sessions/start-session.js';
import { callerTurns, lastReply, type TwilioChannel } from './channel.js';
import { attachTwilioCall, findCallById, findVoiceSession, type SessionSnapshot } from './queries.js';

export interface IncomingCall {
  callSid: string;
  from: string | null;
  to: string | null;
  /** Twilio's Direction: `inbound`, or `outbound-api` for a call Clara placed. */
  direction: string;
  /** Our call record, for a call placed through POST /api/v1/calls/outbound. */
  callId?: string;
}

export interface AnsweredCall {
  session: SessionSnapshot;
  /** What Clara says now: the greeting (with the consent question), or the last question again. */
  say: string;
  /** The number of the caller's next turn (the Gather action's `n`). */
  turn: number;
  /** This request started the session (nothing has been said to the caller yet). */
  started: boolean;
}

/**
 * A call was answered: Clara's session for this CallSid, started on the first request and found
 * again on a retry (so a retried webhook never opens a second session or call record). The
 * caller's number finds their lead, so a person who texted before is recognised on the phone.
 */
export async function answerCall(channel: TwilioChannel, call: IncomingCall): Promise<AnsweredCall> {
  const { env } = channel;
  let session = await findVoiceSession(env.db, call.callSid);
  let started = false;
  const outbound = call.direction.startsWith('outbound');
  if (!session) {
    const placed = call.callId ? await findCallById(env.db, call.callId) : undefined;
    try {
      await startSession(env, {
        channel: 'voice',
        // On a call Clara placed, the prospect is the one called.
        ...((outbound ? call.to : call.from) ? { from: (outbound ? call.to : call.from) as string } : {}),
        ...(placed?.lead_id ? { lead_id: placed.lead_id } : {}),
        ...(placed && !placed.session_id ? { call_id: placed.id } : {}),
        opened_by: placed?.user_id ?? env.agent.userId,
        external_session_id: call.callSid,
        country: env.defaultCountry,
        ask_recording_consent: channel.config.recording === 'ask',
        outbound,
      });
      started = true;
    } catch (error) {
      // Twilio retried while the first request was starting the session: the unique
      // (channel, external_session_id) index let only one through; use that one.
      if ((error as { code?: string }).code !== '23505') throw error;
    }
    session = await findVoiceSession(env.db, call.callSid);
    if (!session) throw new Error(`No session for call ${call.callSid}`);
  }
  const callId = session.call_id;
  await withAgent(env.db, env.agent, (tx) =>
    attachTwilioCall(tx, callId, {
      callSid: call.callSid,
      from: call.from,
      to: call.to,
      direction: outbound ? 'outbound' : 'inbound',
    }),
  );
  return { session, say: lastReply(session.messages), turn: callerTurns(session.messages) + 1, started };
}
