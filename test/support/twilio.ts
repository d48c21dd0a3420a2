import assert from 'node:assert/strict';
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import twilio from 'twilio';
import type { LightMyRequestResponse } from 'fastify';
import type { TestApp } from './test-app.js';

/** What these tests configure: Twilio signs with the auth token against the public URL. */
export const TWILIO_AUTH_TOKEN = 'test-auth-token-0123456789abcdef';
export const TWILIO_ACCOUNT_SID = `AC${'1'.repeat(32)}`;
export const TWILIO_NUMBER = '+14155550100';
export const PUBLIC_URL = 'https://clara.example.test';

export const twilioEnv = (extra: Record<string, string> = {}): Record<string, string> => ({
  PUBLIC_URL,
  TWILIO_AUTH_TOKEN,
  TWILIO_PHONE_NUMBER: TWILIO_NUMBER,
  CLARA_TIMEZONE: 'UTC',
  ...extra,
});

let sequence = 0;
/** A Twilio-looking id (CA..., SM..., RE...) unique within the test run. */
export const twilioSid = (prefix: string): string => `${prefix}${(Date.now().toString(16) + (++sequence).toString(16).padStart(8, '0')).padEnd(32, '0')}`;

/** The parts of a TwiML document these tests follow. */
export interface Twiml {
  xml: string;
  says: string[];
  gatherAction: string | undefined;
  hangup: boolean;
  recordingCallback: string | undefined;
  messages: string[];
  relay: { url: string; welcomeGreeting: string; action: string | undefined } | undefined;
}

const unescape = (text: string) =>
  text.replace(/&quot;/g, '"').replace(/&apos;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
const attribute = (tag: string, name: string) => {
  const match = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return match ? unescape(match[1] as string) : undefined;
};

export function parseTwiml(xml: string): Twiml {
  const gather = /<Gather\b[^>]*>/.exec(xml)?.[0];
  const recording = /<Recording\b[^>]*\/?>/.exec(xml)?.[0];
  const relay = /<ConversationRelay\b[^>]*\/?>/.exec(xml)?.[0];
  const connect = /<Connect\b[^>]*>/.exec(xml)?.[0];
  return {
    xml,
    says: [...xml.matchAll(/<Say\b[^>]*>([^<]*)<\/Say>/g)].map((m) => unescape(m[1] as string)),
    gatherAction: gather ? attribute(gather, 'action') : undefined,
    hangup: /<Hangup\s*\/>/.test(xml),
    recordingCallback: recording ? attribute(recording, 'recordingStatusCallback') : undefined,
    messages: [...xml.matchAll(/<Message>([^<]*)<\/Message>/g)].map((m) => unescape(m[1] as string)),
    relay: relay
      ? { url: attribute(relay, 'url') ?? '', welcomeGreeting: attribute(relay, 'welcomeGreeting') ?? '', action: connect ? attribute(connect, 'action') : undefined }
      : undefined,
  };
}

/**
 * Plays Twilio: posts form-encoded webhooks to the app, signed with the official `twilio`
 * package over the public URL (what Twilio would have called), and follows the URLs in TwiML.
 */
export class TwilioSimulator {
  constructor(
    private readonly t: TestApp,
    private readonly authToken = TWILIO_AUTH_TOKEN,
  ) {}

  /** POSTs to a path or an absolute public URL; `signature: null` sends none, a string sends that one. */
  async post(target: string, params: Record<string, string>, options: { signature?: string | null; headers?: Record<string, string> } = {}): Promise<LightMyRequestResponse> {
    const url = target.startsWith('http') ? target : `${PUBLIC_URL}${target}`;
    assert.ok(url.startsWith(PUBLIC_URL), `Twilio only calls the public URL: ${url}`);
    const signature = options.signature === undefined ? twilio.getExpectedTwilioSignature(this.authToken, url, params) : options.signature;
    return this.t.app.inject({
      method: 'POST',
      url: url.slice(PUBLIC_URL.length),
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(signature === null ? {} : { 'x-twilio-signature': signature }),
        ...options.headers,
      },
      payload: new URLSearchParams(params).toString(),
    });
  }

  async twiml(target: string, params: Record<string, string>): Promise<Twiml> {
    const response = await this.post(target, params);
    assert.equal(response.statusCode, 200, `${target}: ${response.body}`);
    assert.match(String(response.headers['content-type']), /text\/xml/);
    return parseTwiml(response.body);
  }

  /** An incoming call from `from` (or a call Clara placed, answered). */
  call(from: string, options: { callSid?: string; url?: string; direction?: string; to?: string } = {}): SimulatedCall {
    return new SimulatedCall(this, options.callSid ?? twilioSid('CA'), from, options.to ?? TWILIO_NUMBER, options.url ?? '/webhooks/twilio/voice', options.direction ?? 'inbound');
  }
}

export class SimulatedCall {
  last: Twiml | undefined;

  constructor(
    readonly twilio: TwilioSimulator,
    readonly callSid: string,
    readonly from: string,
    readonly to: string,
    private readonly voiceUrl: string,
    readonly direction: string,
  ) {}

  params(extra: Record<string, string> = {}): Record<string, string> {
    return { AccountSid: TWILIO_ACCOUNT_SID, CallSid: this.callSid, From: this.from, To: this.to, Direction: this.direction, CallStatus: 'in-progress', ...extra };
  }

  async answer(): Promise<Twiml> {
    this.last = await this.twilio.twiml(this.voiceUrl, this.params());
    return this.last;
  }

  /** The caller speaks: Twilio posts the SpeechResult to the last Gather's action. */
  async say(speech: string): Promise<Twiml> {
    const action = this.last?.gatherAction;
    assert.ok(action, `Clara is not listening: ${this.last?.xml}`);
    this.lastRequest = { action, params: this.params({ SpeechResult: speech, Confidence: '0.92' }) };
    this.last = await this.twilio.twiml(action, this.lastRequest.params);
    return this.last;
  }

  private lastRequest: { action: string; params: Record<string, string> } | undefined;

  /** Twilio sends the last Gather result again (it timed out waiting for the answer). */
  async retry(): Promise<Twiml> {
    assert.ok(this.lastRequest, 'nothing to retry');
    return this.twilio.twiml(this.lastRequest.action, this.lastRequest.params);
  }

  /** The call ends: Twilio's status callback. */
  async status(status: string, extra: Record<string, string> = {}, url = '/webhooks/twilio/status'): Promise<LightMyRequestResponse> {
    return this.twilio.post(url, this.params({ CallStatus: status, ...extra }));
  }
}

export interface FakeTwilioRequest {
  method: string;
  path: string;
  form: Record<string, string>;
  authorization: string | undefined;
}

/**
 * A local stand-in for Twilio's REST API (api.twilio.com is outside this machine): the 2010-04-01
 * Calls and Recordings resources, answering JSON like Twilio. Calls to `failNumber` are refused
 * with Twilio's error format.
 */
export async function startFakeTwilio(options: { failNumber?: string } = {}) {
  const requests: FakeTwilioRequest[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0] as string;
      const form = Object.fromEntries(new URLSearchParams(body));
      requests.push({ method: req.method ?? '', path, form, authorization: req.headers.authorization });
      const json = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      const expected = `Basic ${Buffer.from(`${TWILIO_ACCOUNT_SID}:${TWILIO_AUTH_TOKEN}`).toString('base64')}`;
      if (req.headers.authorization !== expected) return json(401, { code: 20003, message: 'Authenticate', status: 401 });
      const base = `/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}`;
      if (req.method === 'POST' && path === `${base}/Calls.json`) {
        if (form.To === options.failNumber) {
          return json(400, { code: 21211, message: `The 'To' number ${form.To} is not a valid phone number.`, more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
        }
        return json(201, { sid: twilioSid('CA'), account_sid: TWILIO_ACCOUNT_SID, to: form.To, from: form.From, status: 'queued', direction: 'outbound-api' });
      }
      const recordingStart = new RegExp(`^${base}/Calls/(CA\\w+)/Recordings\\.json$`).exec(path);
      if (req.method === 'POST' && recordingStart) {
        return json(201, { sid: twilioSid('RE'), account_sid: TWILIO_ACCOUNT_SID, call_sid: recordingStart[1], status: 'in-progress' });
      }
      if (req.method === 'DELETE' && new RegExp(`^${base}/Recordings/RE\\w+\\.json$`).test(path)) {
        res.writeHead(204);
        return res.end();
      }
      return json(404, { code: 20404, message: 'The requested resource was not found', status: 404 });
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
