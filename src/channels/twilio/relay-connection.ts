import type { WebSocket } from 'ws';
import { z } from 'zod';
import { interruptReply } from '../../agent/sessions/interrupt-reply.js';
import { answerCall, type IncomingCall } from './answer-call.js';
import { callbackUrl, WEBHOOK_PATHS, type TwilioChannel } from './channel.js';
import { takeCallTurn } from './take-call-turn.js';

/** What ConversationRelay sends (Twilio may add fields and message types: both are tolerated). */
export const relayMessageSchema = z.discriminatedUnion('type', [
  z.looseObject({
    type: z.literal('setup'),
    callSid: z.string().min(1),
    from: z.string().optional(),
    to: z.string().optional(),
    direction: z.string().optional(),
    customParameters: z.record(z.string(), z.string()).optional(),
  }),
  z.looseObject({ type: z.literal('prompt'), voicePrompt: z.string(), lang: z.string().optional(), last: z.boolean().optional() }),
  z.looseObject({
    type: z.literal('interrupt'),
    utteranceUntilInterrupt: z.string(),
    durationUntilInterruptMs: z.union([z.number(), z.string()]).optional(),
  }),
  z.looseObject({ type: z.literal('dtmf'), digit: z.string() }),
  z.looseObject({ type: z.literal('error'), description: z.string().optional() }),
]);
export type RelayMessage = z.infer<typeof relayMessageSchema>;

/** What Clara sends: text tokens to be spoken, and the end of the session. */
export type RelayReply = { type: 'text'; token: string; last: boolean } | { type: 'end'; handoffData: string };

/** A reply as tokens, sentence by sentence, so Twilio starts speaking before the whole text has arrived. */
export function textTokens(reply: string): RelayReply[] {
  const sentences = reply.match(/[^.!?]+[.!?]+["')\]]*\s*|[^.!?]+$/g) ?? [reply];
  return sentences.map((token, index) => ({ type: 'text', token, last: index === sentences.length - 1 }));
}

/**
 * One ConversationRelay WebSocket: Twilio turns the caller's speech into `prompt` messages and
 * speaks Clara's `text` tokens. Messages are handled one at a time, in order, so an interrupt is
 * applied to the answer it interrupted. When Clara closes the conversation it sends `end`; the
 * goodbye is spoken by the TwiML of the <Connect> action (so it is never cut off).
 */
export function handleRelayConnection(ready: Promise<TwilioChannel>, socket: WebSocket, log: TwilioChannel['log']): void {
  let channel!: TwilioChannel;
  let call: IncomingCall | undefined;
  let sessionId: string | undefined;
  let digits = '';
  // Listening starts now (Twilio sends setup at once); handling waits until the channel is ready.
  let queue: Promise<void> = ready.then((resolved) => {
    channel = resolved;
  });
  const send = (message: RelayReply) => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  };
  const speak = (text: string) => textTokens(text).forEach(send);

  const handle = async (message: RelayMessage): Promise<void> => {
    switch (message.type) {
      case 'setup': {
        call = {
          callSid: message.callSid,
          from: message.from ?? null,
          to: message.to ?? null,
          direction: message.direction?.startsWith('outbound') ? 'outbound-api' : 'inbound',
          ...(message.customParameters?.call_id ? { callId: message.customParameters.call_id } : {}),
        };
        const answered = await answerCall(channel, call);
        sessionId = answered.session.id;
        // Started here (no voice webhook served the greeting as welcomeGreeting): say it now.
        if (answered.started) speak(answered.say);
        return;
      }
      case 'prompt':
        // Partial transcripts (partialPrompts) are previews: only the final one is a turn.
        if (message.last === false || !message.voicePrompt.trim()) return;
        return respond(message.voicePrompt);
      case 'dtmf':
        // Keypad entry (a phone number, say) ends with #; it is then one turn, as if spoken.
        if (message.digit === '#') {
          const entered = digits;
          digits = '';
          if (entered) return respond(entered);
        } else if (/^[0-9*]$/.test(message.digit)) digits += message.digit;
        return;
      case 'interrupt':
        if (sessionId) await interruptReply(channel.env, sessionId, message.utteranceUntilInterrupt);
        return;
      case 'error':
        channel.log.warn({ callSid: call?.callSid, description: message.description }, 'ConversationRelay reported an error');
        return;
    }
  };

  const respond = async (text: string): Promise<void> => {
    if (!call) {
      channel.log.warn('ConversationRelay prompt before setup: ignored');
      return;
    }
    const turn = await takeCallTurn(channel, call, { text, turn: undefined });
    if (turn.startRecording) await startRecording(channel, call.callSid);
    if (turn.done) send({ type: 'end', handoffData: JSON.stringify({ reason: 'conversation_complete', session_id: turn.sessionId }) });
    else speak(turn.say);
  };

  socket.on('message', (data) => {
    let parsed: RelayMessage | undefined;
    try {
      const result = relayMessageSchema.safeParse(JSON.parse(String(data)));
      parsed = result.success ? result.data : undefined;
    } catch {
      parsed = undefined;
    }
    if (!parsed) {
      log.debug({ message: String(data).slice(0, 200) }, 'ConversationRelay message not understood: ignored');
      return;
    }
    const message = parsed;
    queue = queue
      .then(() => handle(message))
      .catch((error: unknown) => {
        log.error({ err: error, callSid: call?.callSid }, 'ConversationRelay message failed');
        // The caller must not be left in silence: Clara apologises and the conversation goes on.
        if (message.type === 'prompt') speak("Sorry, I didn't catch that. Could you say it again?");
      });
  });
}

/** In relay mode there is no next TwiML to start a recording in: Twilio's REST API starts it. */
async function startRecording(channel: TwilioChannel, callSid: string): Promise<void> {
  const rest = channel.rest();
  if (!rest) {
    channel.log.warn({ callSid }, 'The caller consented to recording, but TWILIO_ACCOUNT_SID is not set: not recorded');
    return;
  }
  try {
    await rest.calls(callSid).recordings.create({
      recordingStatusCallback: callbackUrl(channel, WEBHOOK_PATHS.recording),
      recordingStatusCallbackMethod: 'POST',
      recordingStatusCallbackEvent: ['completed'],
      recordingChannels: 'dual',
    });
  } catch (error) {
    channel.log.error({ err: error, callSid }, 'Could not start the recording the caller consented to');
  }
}
