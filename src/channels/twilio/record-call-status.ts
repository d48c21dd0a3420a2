import { withAgent } from '../../agent/sessions/agent-transaction.js';
import { endSession, type CallOutcome } from '../../agent/sessions/end-session.js';
import type { TwilioChannel } from './channel.js';
import { findCallById, findCallBySid, findSessionOfCall, finishCall, setProviderCallId } from './queries.js';

/** Twilio's final call statuses, each the call's outcome (completed may become `qualified`, see below). */
export const FINAL_CALL_STATUSES = ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;
export type FinalCallStatus = (typeof FINAL_CALL_STATUSES)[number];

export interface CallStatus {
  callSid: string;
  /** Our call record, for calls placed through the API (their callbacks carry it). */
  callId?: string;
  status: string;
  /** Twilio's CallDuration, in seconds. */
  durationSeconds?: number;
  /** When Twilio reported it (its Timestamp parameter). */
  at?: Date;
}

/**
 * A call status callback. On a final status the conversation ends if it has not yet: a caller
 * who hangs up mid-conversation still gets the post-call analysis and the follow-up. A completed
 * call keeps the engine's outcome (`qualified` when a demo was booked, else `completed`); busy,
 * no-answer, failed and canceled are the outcome. Twilio's duration and end time are kept.
 * Earlier statuses (ringing, answered) change nothing. Applying the same callback twice changes
 * nothing more.
 */
export async function recordCallStatus(channel: TwilioChannel, report: CallStatus): Promise<'recorded' | 'ignored'> {
  const { env } = channel;
  if (!(FINAL_CALL_STATUSES as readonly string[]).includes(report.status)) return 'ignored';
  const call = (report.callId ? await findCallById(env.db, report.callId) : undefined) ?? (await findCallBySid(env.db, report.callSid));
  if (!call) return 'ignored';
  if (!call.provider_call_id) await withAgent(env.db, env.agent, (tx) => setProviderCallId(tx, call.id, report.callSid));

  const session = await findSessionOfCall(env.db, call.id);
  const status = report.status as FinalCallStatus;
  if (session) await endSession(env, session.id, status === 'completed' ? undefined : (status satisfies CallOutcome));
  await withAgent(env.db, env.agent, (tx) =>
    finishCall(tx, call.id, {
      at: report.at,
      durationSeconds: report.durationSeconds ?? (status === 'completed' ? undefined : 0),
      // Nobody talked on it (an outbound call not answered): Twilio's status is all there is to say.
      ...(session ? {} : { outcome: status }),
    }),
  );
  return 'recorded';
}
