import { z } from 'zod';
import type { Resource, Row } from '../records/resource.js';
import { assertOrdered, instant, ordered, requiredText, text, timestamp, uuid } from '../shared/fields.js';

export const MEETING_STATUSES = ['Scheduled', 'Completed', 'Cancelled', 'Rescheduled', 'No Show'] as const;

export const meetingSchema = z
  .object({
    id: uuid,
    lead_id: uuid.nullable(),
    client_id: uuid.nullable(),
    agent_id: uuid.nullable(),
    title: z.string(),
    start_time: timestamp,
    end_time: timestamp,
    status: z.enum(MEETING_STATUSES),
    location: z.string().nullable(),
    meeting_type: z.string(),
    notes: z.string().nullable(),
    scheduled_by_ai: z.boolean(),
    created_by: uuid.nullable(),
    created_at: timestamp,
    updated_at: timestamp,
    deleted_at: timestamp.nullable(),
  })
  .meta({ id: 'Meeting' });

const writable = {
  lead_id: uuid.nullable(),
  client_id: uuid.nullable(),
  agent_id: uuid.nullable().describe('Who attends for the team; defaults to the caller'),
  title: requiredText(300),
  start_time: instant,
  end_time: instant,
  status: z.enum(MEETING_STATUSES),
  location: text(1000).nullable().describe('An address or a video call link'),
  meeting_type: requiredText(50).describe('demo (default), call, onsite, ...'),
  notes: text(20_000).nullable(),
  scheduled_by_ai: z.boolean(),
};

const endAfterStart = ordered('start_time', 'end_time', false);

export const createMeetingSchema = z
  .object(writable)
  .partial()
  .extend({ title: writable.title, start_time: writable.start_time, end_time: writable.end_time })
  .strict()
  .refine(endAfterStart.check, endAfterStart.params)
  .meta({ id: 'MeetingCreate' });

export const updateMeetingSchema = z
  .object(writable)
  .partial()
  .strict()
  .refine(endAfterStart.check, endAfterStart.params)
  .meta({ id: 'MeetingUpdate', description: 'Reschedule by changing start_time and end_time' });

/** A meeting or demo with a lead or client, booked by a person or by Clara. */
export const meetingResource: Resource = {
  name: 'meetings',
  label: 'Meeting',
  entity: meetingSchema,
  create: createMeetingSchema,
  update: updateMeetingSchema,
  filters: {
    lead_id: 'uuid',
    client_id: 'uuid',
    agent_id: 'uuid',
    created_by: 'uuid',
    status: MEETING_STATUSES,
    meeting_type: 'text',
    scheduled_by_ai: 'boolean',
  },
  sortable: ['start_time', 'end_time', 'created_at', 'updated_at', 'title'],
  defaultSort: 'start_time',
  dateFilters: ['start_time', 'end_time', 'created_at'],
  softDelete: true,
  ownerColumn: 'agent_id',
  stampsCreator: true,
  prepare: (values: Row, { existing }) => {
    // A PATCH that moves only one end is checked against the stored other end.
    assertOrdered(values, existing, { start: 'start_time', end: 'end_time', allowEqual: false });
    return values;
  },
};
