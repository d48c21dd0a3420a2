import { z } from 'zod';

/** Twilio Programmable Voice and Messaging, as the TWILIO_* variables configure them. */
export interface TwilioConfig {
  /** Account SID (AC...): needed for Clara's own REST calls (outbound calls, recordings). */
  accountSid: string | undefined;
  /** Signs every webhook Twilio sends (X-Twilio-Signature); without it every webhook is refused. */
  authToken: string | undefined;
  /** The Twilio number Clara calls from (E.164). */
  phoneNumber: string | undefined;
  /** Twilio's REST API origin; a local fake in tests. */
  apiBaseUrl: string | undefined;
  /** `gather`: TwiML <Gather> turn by turn; `relay`: <Connect><ConversationRelay> over a WebSocket. */
  voiceMode: 'gather' | 'relay';
  /** `ask`: Clara asks consent and records only after a yes; `off`: never records. */
  recording: 'ask' | 'off';
  /** Language of speech recognition and text-to-speech (BCP 47). */
  language: string;
  /** The <Say> / ConversationRelay voice; Twilio's default when unset. */
  voice: string | undefined;
  /** An SMS conversation idle for this long is closed (analysis, follow-up) when the next text arrives. */
  smsIdleHours: number;
}

const envSchema = z.object({
  TWILIO_ACCOUNT_SID: z.string().trim().regex(/^AC[0-9a-fA-F]{32}$/, 'an account SID: AC followed by 32 hex digits').optional(),
  TWILIO_AUTH_TOKEN: z.string().trim().min(1).optional(),
  TWILIO_PHONE_NUMBER: z.string().trim().regex(/^\+[1-9]\d{6,14}$/, 'an E.164 number such as +14155550100').optional(),
  TWILIO_API_BASE_URL: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//i.test(url), 'must be an http(s) URL')
    .optional(),
  TWILIO_VOICE_MODE: z.enum(['gather', 'relay']).default('gather'),
  CLARA_CALL_RECORDING: z.enum(['ask', 'off']).default('ask'),
  TWILIO_LANGUAGE: z.string().trim().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'a language tag such as en-US').default('en-US'),
  TWILIO_VOICE: z.string().trim().min(1).optional(),
  CLARA_SMS_IDLE_HOURS: z.coerce.number().positive().max(24 * 365).default(24),
});

/** Empty variables count as unset; anything invalid fails at start-up rather than at the first call. */
export function twilioConfigFromEnv(env: NodeJS.ProcessEnv = process.env): TwilioConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid Twilio configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    accountSid: e.TWILIO_ACCOUNT_SID,
    authToken: e.TWILIO_AUTH_TOKEN,
    phoneNumber: e.TWILIO_PHONE_NUMBER,
    apiBaseUrl: e.TWILIO_API_BASE_URL?.replace(/\/+$/, ''),
    voiceMode: e.TWILIO_VOICE_MODE,
    recording: e.CLARA_CALL_RECORDING,
    language: e.TWILIO_LANGUAGE,
    voice: e.TWILIO_VOICE,
    smsIdleHours: e.CLARA_SMS_IDLE_HOURS,
  };
}
