import type { FastifyReply, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { z } from 'zod';
import { createLanguageModel } from '../../agent/llm/language-model.js';
import { findAgentIdentity } from '../../agent/sessions/agent-transaction.js';
import type { App, AppContext } from '../../server/context.js';
import { ConflictError } from '../../server/errors.js';
import { requireRole } from '../../server/require-actor.js';
import { metricsOf } from '../../system/metrics.js';
import { answerCall, type IncomingCall } from './answer-call.js';
import { callbackUrl, speechOf, WEBHOOK_PATHS, type TwilioChannel } from './channel.js';
import { placeOutboundCall } from './place-outbound-call.js';
import { receiveSms } from './receive-sms.js';
import { recordCallStatus } from './record-call-status.js';
import { handleRelayConnection } from './relay-connection.js';
import { assertSignedByTwilio, relaySocketUrl } from './signature.js';
import { storeRecording } from './store-recording.js';
import { takeCallTurn } from './take-call-turn.js';
import { createTwilioClient, type TwilioRestClient } from './twilio-client.js';
import { emptyVoiceTwiml, gatherTwiml, goodbyeTwiml, messagingTwiml, relayTwiml } from './twiml.js';

/**
 * Twilio posts form fields and adds new ones without notice: the schemas name what Clara reads
 * and let the rest through (the signature covers all of them).
 */
const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-zA-Z]{10,64}$`), `a Twilio ${prefix}... id`);
const callForm = z.looseObject({
  CallSid: sid('CA'),
  From: z.string().max(200).optional(),
  To: z.string().max(200).optional(),
  Direction: z.string().max(40).optional(),
  CallStatus: z.string().max(40).optional(),
});
const placedCallQuery = z.object({ call_id: z.uuid().optional().describe('Clara\'s call record, for calls placed through the API') }).strict();
const turnForm = callForm.extend({
  SpeechResult: z.string().max(10_000).optional().describe("What the caller said (Twilio's speech recognition)"),
  Confidence: z.string().optional(),
});
const turnQuery = z
  .object({
    n: z.coerce.number().int().min(1).max(10_000).describe('The caller\'s turn this Gather listens for'),
    silence: z.coerce.number().int().min(0).max(10).optional().describe('How many times in a row the caller said nothing'),
  })
  .strict();
const statusForm = callForm.extend({
  CallStatus: z.string().max(40),
  CallDuration: z.string().regex(/^\d{1,9}$/).optional(),
  Timestamp: z.string().max(100).optional(),
});
const recordingForm = z.looseObject({
  CallSid: sid('CA'),
  RecordingSid: sid('RE'),
  RecordingUrl: z.url().max(2000),
  RecordingStatus: z.string().max(40),
});
const smsForm = z.looseObject({
  MessageSid: z.string().regex(/^(SM|MM)[0-9a-zA-Z]{10,64}$/, 'a Twilio SM... or MM... id'),
  From: z.string().min(1).max(200),
  To: z.string().max(200).optional(),
  Body: z.string().max(10_000).default(''),
  OptOutType: z.string().max(20).optional(),
});
const twiml = z.string().describe('TwiML (text/xml)');

/** After this many silences in a row Clara says goodbye rather than ask again. */
const MAX_SILENCES = 2;

/**
 * Twilio's webhooks (signed, public: Twilio has no Clara session) and click-to-call. The paths
 * are the ones to configure on a Twilio number (docs/telephony.md).
 */
export function twilioRoutes(app: App, context: AppContext): void {
  const { db } = context.database;
  const config = context.config.twilio;
  const tags = ['twilio'];
  const languageModel = createLanguageModel(context.config.llm, {
    defaultCountry: context.config.defaultCountry,
    warn: (message, error) => app.log.warn(error === undefined ? {} : { err: error }, message),
    onFallback: (step, reason) => metricsOf(app).llmFallbacks.inc({ step, reason }),
  });
  let rest: TwilioRestClient | undefined;
  let agent: Promise<TwilioChannel['env']['agent']> | undefined;
  const channel = async (): Promise<TwilioChannel> => ({
    env: {
      db,
      agent: await (agent ??= findAgentIdentity(db)),
      timeZone: context.config.timeZone,
      defaultCountry: context.config.defaultCountry,
    },
    config,
    publicUrl: context.config.publicUrl,
    turnOptions: languageModel,
    rest: () => (config.accountSid && config.authToken ? (rest ??= createTwilioClient(config)) : undefined),
    log: app.log,
  });
  const speech = speechOf(config);
  const signed = { authToken: config.authToken, publicUrl: context.config.publicUrl };
  // Before validation: a request that is not Twilio's is refused whatever its body holds.
  const verifySignature = async (request: FastifyRequest) => assertSignedByTwilio(request, signed);
  const xml = (reply: FastifyReply, body: string) => reply.type('text/xml; charset=utf-8').send(body);
  const webhook = { config: { public: true }, preValidation: verifySignature } as const;
  const security: { [name: string]: string[] }[] = [];

  const incoming = (form: z.infer<typeof callForm>, callId?: string): IncomingCall => ({
    callSid: form.CallSid,
    from: form.From ?? null,
    to: form.To ?? null,
    direction: form.Direction ?? 'inbound',
    ...(callId ? { callId } : {}),
  });
  const turnUrl = (ch: TwilioChannel, n: number, silence?: number) => callbackUrl(ch, WEBHOOK_PATHS.turn, { n, silence });
  const recordingUrl = (ch: TwilioChannel) => callbackUrl(ch, WEBHOOK_PATHS.recording);

  app.post(WEBHOOK_PATHS.voice, {
    ...webhook,
    schema: {
      tags,
      security,
      summary: 'Twilio voice webhook: a call was answered; Clara greets the caller and listens',
      description: 'Configure as the number\'s "A call comes in" webhook (HTTP POST). Answers TwiML: a speech <Gather>, or <Connect><ConversationRelay> when TWILIO_VOICE_MODE=relay.',
      querystring: placedCallQuery,
      body: callForm,
      response: { 200: twiml },
    },
    handler: async (request, reply) => {
      const ch = await channel();
      const answered = await answerCall(ch, incoming(request.body, request.query.call_id));
      if (answered.session.done) return xml(reply, goodbyeTwiml(answered.say, speech));
      if (config.voiceMode === 'relay') {
        return xml(
          reply,
          relayTwiml(
            { url: relaySocketUrl(ch.publicUrl, WEBHOOK_PATHS.relay), welcomeGreeting: answered.say, action: callbackUrl(ch, WEBHOOK_PATHS.relayEnded) },
            speech,
          ),
        );
      }
      return xml(reply, gatherTwiml({ say: answered.say, action: turnUrl(ch, answered.turn) }, speech));
    },
  });

  app.post(WEBHOOK_PATHS.turn, {
    ...webhook,
    schema: {
      tags,
      security,
      summary: 'Twilio Gather action: what the caller said goes to Clara; TwiML with its answer and the next Gather',
      querystring: turnQuery,
      body: turnForm,
      response: { 200: twiml },
    },
    handler: async (request, reply) => {
      const ch = await channel();
      const call = incoming(request.body);
      const { n, silence = 0 } = request.query;
      const said = request.body.SpeechResult?.trim() ?? '';
      if (!said) {
        const answered = await answerCall(ch, call);
        if (silence + 1 >= MAX_SILENCES) {
          return xml(reply, goodbyeTwiml("I can't hear you, so I'll let you go. Feel free to call back any time. Goodbye!", speech));
        }
        return xml(reply, gatherTwiml({ say: `Sorry, I didn't catch that. ${answered.say}`, action: turnUrl(ch, n, silence + 1) }, speech));
      }
      let turn: Awaited<ReturnType<typeof takeCallTurn>>;
      try {
        turn = await takeCallTurn(ch, call, { text: said, turn: n });
      } catch (error) {
        // The turn rolled back whole; a caller must never hear Twilio's "application error".
        if (error instanceof ConflictError) return xml(reply, goodbyeTwiml('Thank you for calling. Goodbye!', speech));
        request.log.error({ err: error, callSid: call.callSid }, 'A call turn failed; the caller is asked to repeat');
        return xml(reply, gatherTwiml({ say: "Sorry, I didn't catch that. Could you say it again?", action: turnUrl(ch, n, silence) }, speech));
      }
      const recordingCallback = turn.startRecording ? recordingUrl(ch) : undefined;
      if (turn.done) return xml(reply, goodbyeTwiml(turn.say, speech, recordingCallback));
      return xml(reply, gatherTwiml({ say: turn.say, action: turnUrl(ch, turn.next), ...(recordingCallback ? { recordingCallback } : {}) }, speech));
    },
  });

  app.post(WEBHOOK_PATHS.relayEnded, {
    ...webhook,
    schema: {
      tags,
      security,
      summary: "ConversationRelay's <Connect> action: Clara's goodbye when it ended the session, else the conversation goes on with <Gather>",
      body: callForm,
      response: { 200: twiml },
    },
    handler: async (request, reply) => {
      const ch = await channel();
      const answered = await answerCall(ch, incoming(request.body));
      if (answered.session.done) return xml(reply, goodbyeTwiml(answered.say, speech));
      return xml(reply, gatherTwiml({ say: answered.say, action: turnUrl(ch, answered.turn) }, speech));
    },
  });

  app.post(WEBHOOK_PATHS.status, {
    ...webhook,
    schema: {
      tags,
      security,
      summary: 'Twilio call status callback: the final status becomes the call\'s outcome, with duration and end time',
      description: 'Configure as the number\'s "Call status changes" URL. A call that ends mid-conversation still gets its analysis and follow-up.',
      querystring: placedCallQuery,
      body: statusForm,
      response: { 200: twiml },
    },
    handler: async (request, reply) => {
      const form = request.body;
      const at = form.Timestamp ? new Date(form.Timestamp) : undefined;
      await recordCallStatus(await channel(), {
        callSid: form.CallSid,
        ...(request.query.call_id ? { callId: request.query.call_id } : {}),
        status: form.CallStatus,
        ...(form.CallDuration !== undefined ? { durationSeconds: Number(form.CallDuration) } : {}),
        ...(at && !Number.isNaN(at.getTime()) ? { at } : {}),
      });
      return xml(reply, emptyVoiceTwiml());
    },
  });

  app.post(WEBHOOK_PATHS.recording, {
    ...webhook,
    schema: {
      tags,
      security,
      summary: 'Twilio recording status callback: the recording URL is kept only for callers who consented',
      body: recordingForm,
      response: { 200: twiml },
    },
    handler: async (request, reply) => {
      const form = request.body;
      await storeRecording(await channel(), {
        callSid: form.CallSid,
        recordingSid: form.RecordingSid,
        recordingUrl: form.RecordingUrl,
        status: form.RecordingStatus,
      });
      return xml(reply, emptyVoiceTwiml());
    },
  });

  app.post(WEBHOOK_PATHS.sms, {
    ...webhook,
    schema: {
      tags,
      security,
      summary: 'Twilio messaging webhook: an inbound SMS goes to Clara; TwiML <Message> with its answer',
      description: 'Configure as the number\'s "A message comes in" webhook. STOP and the other opt-out words set do_not_contact, START clears it; a do-not-contact lead is never texted.',
      body: smsForm,
      response: { 200: twiml },
    },
    handler: async (request, reply) => {
      const form = request.body;
      const { replies } = await receiveSms(await channel(), {
        messageSid: form.MessageSid,
        from: form.From,
        body: form.Body,
        ...(form.OptOutType ? { optOutType: form.OptOutType } : {}),
      });
      return xml(reply, messagingTwiml(replies));
    },
  });

  app.get(
    WEBHOOK_PATHS.relay,
    {
      websocket: true,
      config: { public: true },
      schema: { hide: true },
      // ConversationRelay signs the WebSocket handshake: the wss:// URL from the TwiML, no parameters.
      preValidation: async (request: FastifyRequest) =>
        assertSignedByTwilio(request, signed, `${relaySocketUrl(context.config.publicUrl, WEBHOOK_PATHS.relay)}${request.url.slice(WEBHOOK_PATHS.relay.length)}`),
    },
    (socket: WebSocket) => {
      handleRelayConnection(channel(), socket, app.log);
    },
  );

  app.post('/api/v1/calls/outbound', {
    schema: {
      tags: ['calls'],
      summary: 'Click-to-call: Clara calls the lead through Twilio and the call is tracked like any other',
      body: z.object({ lead_id: z.uuid() }).strict(),
      response: {
        201: z
          .object({ call_id: z.uuid(), provider_call_id: z.string(), status: z.string().describe("Twilio's status, e.g. queued") })
          .meta({ id: 'OutboundCall' }),
      },
    },
    handler: async (request, reply) => {
      const actor = requireRole(request, 'admin', 'manager', 'agent');
      const placed = await placeOutboundCall(await channel(), actor, request.body.lead_id);
      return reply.status(201).send(placed);
    },
  });
}
