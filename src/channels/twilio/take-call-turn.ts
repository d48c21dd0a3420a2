import { withAgent } from '../../agent/sessions/agent-transaction.js';
import { endSession } from '../../agent/sessions/end-session.js';
import { takeTurn } from '../../agent/sessions/take-turn.js';
import { answerCall, type IncomingCall } from './answer-call.js';
import type { TwilioChannel } from './channel.js';
import { syncRecordingConsent } from './queries.js';

export interface CallTurn {
  say: string;
  /** Clara closed the conversation: say goodbye and hang up. */
  done: boolean;
  /** This turn's answer starts the recording (the caller just consented); a retry of it says so again. */
  startRecording: boolean;
  /** The next turn's number. */
  next: number;
  sessionId: string;
  callId: string;
}

/**
 * One thing the caller said on the phone (a Gather's SpeechResult, or a ConversationRelay
 * prompt) goes to Clara. `turn` keys the utterance: Twilio retrying the same webhook gets the
 * same answer and adds nothing. When Clara closes the conversation the session ends right away
 * (analysis, follow-up); the status callback later adds Twilio's duration.
 */
export async function takeCallTurn(
  channel: TwilioChannel,
  call: IncomingCall,
  utterance: { text: string; turn: number | undefined },
): Promise<CallTurn> {
  const { env } = channel;
  const answered = await answerCall(channel, call);
  const { session } = answered;
  // A Gather names its turn in the action URL; a ConversationRelay prompt is the next one.
  const turn = utterance.turn ?? answered.turn;
  const result = await takeTurn(env, session.id, utterance.text, {
    ...channel.turnOptions,
    ...(utterance.turn !== undefined ? { idempotencyKey: `voice:${utterance.turn}` } : {}),
  });
  const consent = channel.config.recording === 'ask' ? (result.extracted.recording_consent as boolean | undefined) : undefined;
  const record = await withAgent(env.db, env.agent, (tx) => syncRecordingConsent(tx, session.call_id, consent, turn));
  if (result.done) await endSession(env, session.id);
  return {
    say: result.reply,
    done: result.done,
    startRecording: record.recording_consent === true && record.recording_turn === turn,
    next: turn + 1,
    sessionId: session.id,
    callId: session.call_id,
  };
}
