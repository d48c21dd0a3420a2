import type { FastifyBaseLogger } from 'fastify';
import type { AgentEnvironment } from '../../agent/sessions/start-session.js';
import type { TurnOptions } from '../../agent/sessions/take-turn.js';
import type { TwilioConfig } from './config.js';
import type { Speech } from './twiml.js';
import type { TwilioRestClient } from './twilio-client.js';

/** What every Twilio use case needs: Clara's engine, the channel's settings and Twilio's REST API. */
export interface TwilioChannel {
  env: AgentEnvironment;
  config: TwilioConfig;
  /** PUBLIC_URL: every URL handed to Twilio (actions, callbacks, the relay socket) starts with it. */
  publicUrl: string;
  /** The optional language model's hooks for each turn. */
  turnOptions: Pick<TurnOptions, 'propose' | 'phrase'>;
  /** Twilio's REST API, or undefined when TWILIO_ACCOUNT_SID / TWILIO_AUTH_TOKEN are not set. */
  rest: () => TwilioRestClient | undefined;
  log: FastifyBaseLogger;
}

export const WEBHOOK_PATHS = {
  voice: '/webhooks/twilio/voice',
  turn: '/webhooks/twilio/voice/turn',
  relayEnded: '/webhooks/twilio/voice/relay-ended',
  status: '/webhooks/twilio/status',
  recording: '/webhooks/twilio/recording',
  sms: '/webhooks/twilio/sms',
  relay: '/webhooks/twilio/relay',
} as const;

export const speechOf = (config: TwilioConfig): Speech => ({ language: config.language, voice: config.voice });

/** An absolute URL for Twilio to call back, with its query. */
export function callbackUrl(channel: TwilioChannel, path: string, query: Record<string, string | number | undefined> = {}): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) search.set(name, String(value));
  const suffix = search.toString();
  return `${channel.publicUrl}${path}${suffix ? `?${suffix}` : ''}`;
}

/** The number of things the caller has said: the next Gather is turn count + 1. */
export const callerTurns = (messages: { role: string }[]): number => messages.filter((m) => m.role === 'user').length;

/** What Clara said last (the question the caller is answering). */
export const lastReply = (messages: { role: string; text: string }[]): string =>
  [...messages].reverse().find((m) => m.role === 'assistant')?.text ?? '';
