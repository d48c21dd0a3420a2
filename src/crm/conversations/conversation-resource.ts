import { z } from 'zod';
import type { Resource, Row } from '../records/resource.js';
import { instant, jsonObject, text, timestamp, uuid } from '../shared/fields.js';

export const CONVERSATION_CHANNELS = ['web', 'sms', 'voice', 'email'] as const;
export const CONVERSATION_STATUSES = ['active', 'ended'] as const;

const message = z
  .object({
    role: z.string().describe('user (the prospect) or assistant (Clara)'),
    text: z.string(),
    at: z.string().optional(),
  })
  .catchall(z.unknown());

export const conversationSchema = z
  .object({
    id: uuid,
    lead_id: uuid.nullable(),
    user_id: uuid.nullable(),
    channel: z.enum(CONVERSATION_CHANNELS),
    external_session_id: z.string().nullable(),
    messages: z.array(jsonObject),
    language: z.string().nullable(),
    sentiment: z.number().nullable(),
    status: z.enum(CONVERSATION_STATUSES),
    state: jsonObject.describe("Clara's dialogue state (what it has learnt and still has to ask)"),
    call_id: uuid.nullable(),
    site_id: uuid.nullable().describe('The landing-page site whose chat widget opened it'),
    ended_at: timestamp.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Conversation' });

// Clara's dialogue state is its own: integrations record conversations, they do not steer them.
const writable = {
  lead_id: uuid.nullable(),
  user_id: uuid.nullable().describe('Owner; defaults to the caller'),
  channel: z.enum(CONVERSATION_CHANNELS),
  external_session_id: text(200).nullable().describe("The channel's own id; unique per channel"),
  messages: z.array(message).max(5000),
  language: z.string().regex(/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/, 'A language tag such as en or en-US').nullable(),
  sentiment: z.number().min(-1).max(1).nullable(),
  status: z.enum(CONVERSATION_STATUSES),
  call_id: uuid.nullable(),
  ended_at: instant.nullable(),
};

export const createConversationSchema = z
  .object(writable)
  .partial()
  .extend({ channel: writable.channel })
  .strict()
  .meta({ id: 'ConversationCreate' });

export const updateConversationSchema = z.object(writable).partial().strict().meta({ id: 'ConversationUpdate' });

/** A conversation on one channel (web chat, SMS, voice, email), with its messages. */
export const conversationResource: Resource = {
  name: 'conversations',
  label: 'Conversation',
  entity: conversationSchema,
  create: createConversationSchema,
  update: updateConversationSchema,
  filters: {
    lead_id: 'uuid',
    user_id: 'uuid',
    call_id: 'uuid',
    site_id: 'uuid',
    channel: CONVERSATION_CHANNELS,
    status: CONVERSATION_STATUSES,
    external_session_id: 'text',
  },
  sortable: ['created_at', 'updated_at', 'ended_at'],
  defaultSort: '-created_at',
  dateFilters: ['created_at', 'ended_at'],
  softDelete: true,
  ownerColumn: 'user_id',
  prepare: (values, { existing }) => {
    const prepared: Row = { ...values };
    // The engine would send an empty array as text[]; a JSON string is cast to the jsonb column.
    if (Array.isArray(values.messages)) prepared.messages = JSON.stringify(values.messages);
    if (values.status === 'ended' && existing?.status !== 'ended' && !('ended_at' in values)) {
      prepared.ended_at = new Date().toISOString();
    }
    return prepared;
  },
};
