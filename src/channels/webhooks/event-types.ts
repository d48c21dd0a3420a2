/**
 * The events a subscription may choose (docs/webhooks.md has their payloads). The database
 * trigger of migration 013 emits them; this list is what the API accepts and documents.
 */
export const WEBHOOK_EVENT_TYPES = {
  'lead.created': 'A lead was created: by a person, an import, Clara on a call or chat, a web form or the external CRM',
  'lead.updated': 'Any field of a lead changed; data.changes holds each changed field with its from and to',
  'lead.assigned': "The lead's owner (agent_id) changed",
  'lead.status_changed': 'qualification_status, status_bucket or pipeline_stage_id changed',
  'lead.qualified': 'qualification_status became marketing_qualified or sales_qualified',
  'lead.deleted': 'The lead was moved to the trash',
  'call.created': 'A call was logged or started',
  'call.updated': 'A call changed (transcript, outcome, recording, ...)',
  'call.completed': 'A call ended (call_end_time was set): duration, outcome, transcript, summary',
  'meeting.scheduled': 'A meeting (a demo) was booked',
  'meeting.updated': 'A meeting changed (time, status, notes, ...)',
  'meeting.cancelled': 'A meeting was cancelled',
  'follow_up.created': 'A follow-up was scheduled (by a person or suggested by Clara)',
  'follow_up.updated': 'A follow-up changed',
  'follow_up.completed': 'A follow-up was completed',
} as const;

export type WebhookEventType = keyof typeof WEBHOOK_EVENT_TYPES;
export const webhookEventTypes = Object.keys(WEBHOOK_EVENT_TYPES) as [WebhookEventType, ...WebhookEventType[]];
