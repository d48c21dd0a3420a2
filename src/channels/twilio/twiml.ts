import twilio from 'twilio';
import type VoiceResponse from 'twilio/lib/twiml/VoiceResponse.js';

/** How Clara sounds and listens on the phone. */
export interface Speech {
  language: string;
  voice: string | undefined;
}

const sayAttributes = (speech: Speech): VoiceResponse.SayAttributes => ({
  language: speech.language as NonNullable<VoiceResponse.SayAttributes['language']>,
  ...(speech.voice ? { voice: speech.voice as NonNullable<VoiceResponse.SayAttributes['voice']> } : {}),
});

export interface GatherStep {
  /** What Clara says; the caller may answer while it is being said. */
  say: string;
  /** Where Twilio posts the caller's SpeechResult. */
  action: string;
  /** Start recording the call first (the caller just consented). */
  recordingCallback?: string;
}

/**
 * Clara speaks and listens for the answer: a speech <Gather> whose action receives the
 * transcription. `actionOnEmptyResult` makes silence come back too, so Clara can ask again
 * instead of the call falling through and hanging up.
 */
export function gatherTwiml(step: GatherStep, speech: Speech): string {
  const response = new twilio.twiml.VoiceResponse();
  if (step.recordingCallback) startRecording(response, step.recordingCallback);
  const gather = response.gather({
    input: ['speech'],
    action: step.action,
    method: 'POST',
    speechTimeout: 'auto',
    actionOnEmptyResult: true,
    language: speech.language as NonNullable<VoiceResponse.GatherAttributes['language']>,
  });
  gather.say(sayAttributes(speech), step.say);
  return response.toString();
}

/** Clara's last words, then the call ends. */
export function goodbyeTwiml(say: string, speech: Speech, recordingCallback?: string): string {
  const response = new twilio.twiml.VoiceResponse();
  if (recordingCallback) startRecording(response, recordingCallback);
  if (say) response.say(sayAttributes(speech), say);
  response.hangup();
  return response.toString();
}

/** Only after consent: the whole call from here on, both sides, reported to the recording callback. */
function startRecording(response: VoiceResponse, callback: string): void {
  response.start().recording({
    recordingStatusCallback: callback,
    recordingStatusCallbackMethod: 'POST',
    recordingStatusCallbackEvent: ['completed'],
    channels: 'dual',
  });
}

export interface RelayStep {
  /** The wss:// URL of Clara's ConversationRelay endpoint. */
  url: string;
  /** Spoken by Twilio as soon as the caller is connected: Clara's greeting, already in the transcript. */
  welcomeGreeting: string;
  /** Where Twilio asks for the next TwiML when the relay session ends. */
  action: string;
}

/** Low latency: Twilio does speech recognition and synthesis, Clara exchanges text over a WebSocket. */
export function relayTwiml(step: RelayStep, speech: Speech): string {
  const response = new twilio.twiml.VoiceResponse();
  const connect = response.connect({ action: step.action, method: 'POST' });
  connect.conversationRelay({
    url: step.url,
    welcomeGreeting: step.welcomeGreeting,
    language: speech.language,
    interruptible: 'any',
    dtmfDetection: true,
    ...(speech.voice ? { voice: speech.voice } : {}),
  });
  return response.toString();
}

/** An SMS answer: one <Message> per text; none at all means Clara sends nothing. */
export function messagingTwiml(texts: string[]): string {
  const response = new twilio.twiml.MessagingResponse();
  for (const text of texts) if (text) response.message(text);
  return response.toString();
}

/** Nothing to do: Twilio only needs a well-formed answer. */
export function emptyVoiceTwiml(): string {
  return new twilio.twiml.VoiceResponse().toString();
}
