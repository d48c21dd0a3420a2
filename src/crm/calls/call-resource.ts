import { z } from 'zod';
import type { Resource, Row } from '../records/resource.js';
import { toE164 } from '../shared/contact-points.js';
import { assertOrdered, effective, instant, jsonObject, ordered, text, timestamp, uuid, webUrl } from '../shared/fields.js';

export const CALL_TYPES = ['ai_voice', 'ai_chat', 'ai_sms', 'manual', 'outbound'] as const;
export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;

export const callSchema = z
  .object({
    id: uuid,
    lead_id: uuid.nullable(),
    user_id: uuid.nullable(),
    session_id: z.string().nullable(),
    call_type: z.enum(CALL_TYPES),
    direction: z.enum(CALL_DIRECTIONS),
    from_number: z.string().nullable(),
    to_number: z.string().nullable(),
    provider: z.string().nullable(),
    provider_call_id: z.string().nullable(),
    call_start_time: timestamp,
    call_end_time: timestamp.nullable(),
    duration_seconds: z.number().int().nullable(),
    outcome: z.string().nullable(),
    transcript: z.string().nullable(),
    sentiment_score: z.number().nullable().describe('-1 (negative) to 1 (positive)'),
    summary: z.string().nullable(),
    analysis: jsonObject,
    recording_url: z.string().nullable(),
    recording_consent: z.boolean().nullable().describe('Whether the caller agreed to be recorded (null: not asked or not answered); set by Clara'),
    notes: z.string().nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Call' });
export type Call = z.infer<typeof callSchema>;

const writable = {
  lead_id: uuid.nullable(),
  user_id: uuid.nullable().describe('Who took or made the call; defaults to the caller'),
  session_id: text(200).nullable(),
  call_type: z.enum(CALL_TYPES),
  direction: z.enum(CALL_DIRECTIONS),
  from_number: text(100).nullable().describe('Stored as E.164 when it is a phone number'),
  to_number: text(100).nullable().describe('Stored as E.164 when it is a phone number'),
  provider: text(50).nullable().describe('twilio, ...'),
  provider_call_id: text(200).nullable().describe("The provider's id (Twilio CallSid); unique per provider"),
  call_start_time: instant.describe('Default now'),
  call_end_time: instant.nullable(),
  duration_seconds: z.number().int().nonnegative().max(10_000_000).nullable().describe('Derived from the start and end times when not given'),
  outcome: text(100).nullable(),
  transcript: text(500_000).nullable(),
  sentiment_score: z.number().min(-1).max(1).nullable(),
  summary: text(20_000).nullable(),
  analysis: jsonObject,
  recording_url: webUrl.nullable(),
  notes: text(50_000).nullable(),
};

const endAfterStart = ordered('call_start_time', 'call_end_time', true);

export const createCallSchema = z
  .object(writable)
  .partial()
  .strict()
  .refine(endAfterStart.check, endAfterStart.params)
  .meta({ id: 'CallCreate' });

export const updateCallSchema = z
  .object(writable)
  .partial()
  .strict()
  .refine(endAfterStart.check, endAfterStart.params)
  .meta({ id: 'CallUpdate' });

/** Calls, chats and SMS conversations, by Clara or by people, with their transcripts; `q` searches them. */
export function callResource(settings: { defaultCountry: string }): Resource {
  // Not every caller id is a phone number ("anonymous", a SIP or client: address): keep those as given.
  const number = (raw: unknown) => (typeof raw === 'string' && raw.trim() ? (toE164(raw, settings.defaultCountry) ?? raw.trim()) : null);
  return {
    name: 'calls',
    label: 'Call',
    entity: callSchema,
    create: createCallSchema,
    update: updateCallSchema,
    filters: {
      lead_id: 'uuid',
      user_id: 'uuid',
      call_type: CALL_TYPES,
      direction: CALL_DIRECTIONS,
      outcome: 'text',
      provider: 'text',
      provider_call_id: 'text',
      session_id: 'text',
    },
    sortable: ['call_start_time', 'created_at', 'updated_at', 'duration_seconds', 'sentiment_score'],
    defaultSort: '-call_start_time',
    dateFilters: ['call_start_time', 'created_at'],
    searchable: true,
    // Transcripts are long: without it a search read every call's tsvector (migration 019).
    searchFunction: 'app.search_call_ids',
    softDelete: true,
    ownerColumn: 'user_id',
    prepare: (values, { existing }) => {
      const prepared: Row = { ...values };
      if ('from_number' in values) prepared.from_number = number(values.from_number);
      if ('to_number' in values) prepared.to_number = number(values.to_number);
      // The table's default start is now(); say so here so an end time can be checked against it.
      if (!existing && prepared.call_start_time === undefined) prepared.call_start_time = new Date().toISOString();
      assertOrdered(prepared, existing, { start: 'call_start_time', end: 'call_end_time', allowEqual: true });
      if (!('duration_seconds' in values) && ('call_start_time' in values || 'call_end_time' in values)) {
        const start = effective(prepared, existing, 'call_start_time');
        const end = effective(prepared, existing, 'call_end_time');
        if (typeof start === 'string' && typeof end === 'string') {
          prepared.duration_seconds = Math.round((Date.parse(end) - Date.parse(start)) / 1000);
        }
      }
      return prepared;
    },
  };
}
