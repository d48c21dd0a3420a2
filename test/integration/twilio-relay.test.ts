import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import twilioPkg from 'twilio';
import WebSocket from 'ws';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { startFakeTwilio, twilioEnv, TwilioSimulator, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, TWILIO_NUMBER } from '../support/twilio.js';

type Outgoing = { type: 'text'; token: string; last: boolean } | { type: 'end'; handoffData: string };

/** Twilio's side of a ConversationRelay session: a real WebSocket client speaking its messages. */
class RelayClient {
  private readonly inbox: Outgoing[] = [];
  private waiting: (() => void) | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.inbox.push(JSON.parse(String(data)) as Outgoing);
      this.waiting?.();
    });
  }

  static async connect(port: number, signedUrl: string, signature?: string): Promise<RelayClient> {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/webhooks/twilio/relay`, {
      headers: { 'x-twilio-signature': signature ?? twilioPkg.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, signedUrl, {}) },
    });
    await once(socket, 'open');
    return new RelayClient(socket);
  }

  send(message: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(message));
  }

  /** Clara's next whole answer: text tokens up to the one marked last, or an end message. */
  async next(): Promise<{ text: string } | { end: Record<string, unknown> }> {
    let text = '';
    for (;;) {
      while (this.inbox.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
      const message = this.inbox.shift() as Outgoing;
      if (message.type === 'end') return { end: JSON.parse(message.handoffData) as Record<string, unknown> };
      assert.equal(message.type, 'text');
      text += message.token;
      if (message.last) return { text };
    }
  }

  async say(voicePrompt: string): Promise<string> {
    this.send({ type: 'prompt', voicePrompt, lang: 'en-US', last: true });
    const answer = await this.next();
    assert.ok('text' in answer, JSON.stringify(answer));
    return answer.text;
  }

  close(): void {
    this.socket.close();
  }
}

describe('Twilio ConversationRelay: Clara over a WebSocket', () => {
  let t: TestApp;
  let twilio: TwilioSimulator;
  let fake: Awaited<ReturnType<typeof startFakeTwilio>>;
  let port: number;
  const relayUrl = 'wss://clara.example.test/webhooks/twilio/relay';

  before(async () => {
    fake = await startFakeTwilio();
    t = await createTestApp(twilioEnv({ TWILIO_VOICE_MODE: 'relay', TWILIO_ACCOUNT_SID, TWILIO_API_BASE_URL: fake.url }));
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    port = (t.app.server.address() as AddressInfo).port;
    twilio = new TwilioSimulator(t);
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  const session = (callSid: string) =>
    t.database.db.selectFrom('conversations').select(['id', 'messages', 'status', 'call_id', 'lead_id']).where('external_session_id', '=', callSid).executeTakeFirstOrThrow();

  test('the voice webhook connects the call to the relay; prompts get text tokens, an interrupt keeps only what was heard, the goodbye ends the session', async () => {
    const call = twilio.call('+14155550170');
    const twiml = await call.answer();
    assert.ok(twiml.relay, twiml.xml);
    assert.equal(twiml.relay.url, relayUrl);
    assert.match(twiml.relay.welcomeGreeting, /record this call/i, 'the greeting is spoken by Twilio at once');
    assert.equal(twiml.relay.action, 'https://clara.example.test/webhooks/twilio/voice/relay-ended');

    const relay = await RelayClient.connect(port, relayUrl);
    relay.send({ type: 'setup', sessionId: 'VX0001', accountSid: TWILIO_ACCOUNT_SID, callSid: call.callSid, from: call.from, to: TWILIO_NUMBER, direction: 'inbound', callType: 'PSTN', callerName: '', callStatus: 'RINGING', customParameters: {} });

    const consented = await relay.say('yes you can record the call');
    assert.match(consented, /Thank you/);
    const started = fake.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/Calls/${call.callSid}/Recordings.json`));
    assert.ok(started, 'the yes starts a recording through the REST API');
    assert.equal(started.form.RecordingStatusCallback, 'https://clara.example.test/webhooks/twilio/recording');

    const answer = await relay.say("i'm priya shah, ceo of northwind analytics");
    assert.match(answer, /Priya/);
    // The caller barges in after the first few words.
    const heard = answer.split(' ').slice(0, 3).join(' ');
    relay.send({ type: 'interrupt', utteranceUntilInterrupt: heard, durationUntilInterruptMs: 820 });
    relay.send({ type: 'dtmf', digit: '1' });
    relay.send({ type: 'dtmf', digit: 'A' });
    relay.send({ type: 'error', description: 'Invalid message received: { "foo" : "bar" }' });
    relay.send({ type: 'info', name: 'agentSpeaking', value: 'off' });
    const next = await relay.say('we need an ai receptionist for our sales line');
    assert.ok(next.length > 0);
    let messages = (await session(call.callSid)).messages as { role: string; text: string; interrupted?: boolean }[];
    const cut = messages.find((m) => m.interrupted);
    assert.ok(cut, 'the interrupted answer is marked');
    assert.equal(cut.text, heard, 'only what the caller heard is kept');
    const row = await t.database.db.selectFrom('calls').select(['transcript', 'recording_consent']).where('provider_call_id', '=', call.callSid).executeTakeFirstOrThrow();
    assert.match(row.transcript ?? '', new RegExp(`Clara: ${heard}\\n`));
    assert.doesNotMatch(row.transcript ?? '', new RegExp(answer.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(row.recording_consent, true);

    // Keypad entry: the digits pressed (the 1 above included) then # are one turn.
    for (const digit of ['4', '1', '5', '#']) relay.send({ type: 'dtmf', digit });
    await relay.next();
    messages = (await session(call.callSid)).messages as { role: string; text: string }[];
    assert.ok(messages.some((m) => m.role === 'user' && m.text === '1415'), JSON.stringify(messages));

    // Partial prompts are previews, not turns.
    relay.send({ type: 'prompt', voicePrompt: 'budget is', lang: 'en-US', last: false });
    let ending: { text: string } | { end: Record<string, unknown> } | undefined;
    for (const line of ['budget is 80k and i sign off on it', 'we need it asap', 'no thanks', 'priya@northwind.com', 'yes', 'no thanks', 'no thanks', 'no thanks']) {
      relay.send({ type: 'prompt', voicePrompt: line, lang: 'en-US', last: true });
      ending = await relay.next();
      if ('end' in ending) break;
    }
    assert.ok(ending && 'end' in ending, 'Clara ends the relay session when the conversation is over');
    assert.equal(ending.end.reason, 'conversation_complete');
    relay.close();
    messages = (await session(call.callSid)).messages as { role: string; text: string }[];
    assert.ok(!messages.some((m) => m.text === 'budget is'));

    // Twilio then asks the <Connect> action what to do: Clara's goodbye, and hang up.
    const done = await twilio.twiml('/webhooks/twilio/voice/relay-ended', call.params({ SessionStatus: 'ended', HandoffData: JSON.stringify(ending.end) }));
    assert.ok(done.hangup);
    assert.match(done.says.join(' '), /Thanks so much, Priya/);
    assert.equal((await session(call.callSid)).status, 'ended');
  });

  test('a relay session that ends early (an error, a dropped socket) continues with <Gather>', async () => {
    const call = twilio.call('+14155550171');
    await call.answer();
    const twiml = await twilio.twiml('/webhooks/twilio/voice/relay-ended', call.params({ SessionStatus: 'failed' }));
    assert.ok(twiml.gatherAction);
    assert.match(twiml.says.join(' '), /record this call/i, 'the question still open is asked again');
  });

  test('a setup for a call no voice webhook answered starts the session and speaks the greeting', async () => {
    const relay = await RelayClient.connect(port, relayUrl);
    relay.send({ type: 'setup', sessionId: 'VX0002', callSid: 'CA' + 'f'.repeat(32), from: '+14155550172', to: TWILIO_NUMBER, direction: 'inbound', customParameters: {} });
    const greeting = await relay.next();
    assert.ok('text' in greeting);
    assert.match(greeting.text, /Clara/);
    relay.close();
  });

  test('a handshake without a valid X-Twilio-Signature is refused with 403 before any WebSocket exists', async () => {
    for (const signature of ['', 'forged', twilioPkg.getExpectedTwilioSignature(TWILIO_AUTH_TOKEN, `ws://127.0.0.1:${port}/webhooks/twilio/relay`, {})]) {
      const socket = new WebSocket(`ws://127.0.0.1:${port}/webhooks/twilio/relay`, { headers: signature ? { 'x-twilio-signature': signature } : {} });
      const [, response] = (await once(socket, 'unexpected-response')) as [unknown, { statusCode: number; resume(): void }];
      assert.equal(response.statusCode, 403);
      response.resume();
      socket.on('error', () => {});
      socket.terminate();
    }
  });
});
