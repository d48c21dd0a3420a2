import { z } from 'zod';
import type { Actor } from '../../auth/actor.js';
import { bulkUpdateLeads } from '../../crm/leads/bulk-update-leads.js';
import { leadResource, QUALIFICATION_STATUSES, updateLeadSchema } from '../../crm/leads/lead-resource.js';
import { updateRecord } from '../../crm/records/queries.js';
import type { Db } from '../../db/database.js';
import { NotFoundError, UnprocessableError } from '../../server/errors.js';
import { findLiveLead, findStageByName, findUserByEmail, recordInboundEvent } from './queries.js';

const envelope = {
  id: z.string().max(200).optional().describe("The sender's event id; webhook-id is the one used"),
  timestamp: z.string().max(40).optional().describe('When the change happened in the external CRM'),
};
const leadId = z.uuid().describe("Clara's id of the lead (outbound webhooks and the API carry it)");

/** The external CRM's events (seed 004: lead_updated, lead_assigned, lead_status_changed). */
export const crmWebhookBody = z
  .discriminatedUnion('type', [
    z
      .object({
        ...envelope,
        type: z.literal('lead_updated'),
        data: z
          .object({
            lead_id: leadId,
            changes: z
              .object(updateLeadSchema.shape)
              .strict()
              .refine((changes) => Object.keys(changes).length > 0, 'Name at least one field to change'),
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        ...envelope,
        type: z.literal('lead_assigned'),
        data: z
          .object({
            lead_id: leadId,
            agent_email: z.email().max(320).nullable().describe('The Clara user who now owns the lead; null returns it to the pool'),
          })
          .strict(),
      })
      .strict(),
    z
      .object({
        ...envelope,
        type: z.literal('lead_status_changed'),
        data: z
          .object({
            lead_id: leadId,
            new_status: z.enum(QUALIFICATION_STATUSES),
            pipeline_stage: z.string().trim().min(1).max(100).optional().describe('A stage name, e.g. "Negotiation"'),
          })
          .strict(),
      })
      .strict(),
  ])
  .meta({ id: 'CrmWebhookEvent' });
export type CrmWebhookEvent = z.infer<typeof crmWebhookBody>;

export const crmWebhookResult = z
  .object({
    received: z.literal(true),
    status: z.enum(['applied', 'duplicate']).describe('duplicate: this event id was applied before; nothing changed'),
    lead_id: z.uuid(),
  })
  .meta({ id: 'CrmWebhookResult' });
export type CrmWebhookResult = z.infer<typeof crmWebhookResult>;

/**
 * Applies one event of the external CRM as its integration user, through the same lead rules as
 * the API (validation, phone normalisation, assignment checks, row-level security, audit), once
 * per event id: the event is recorded in the same transaction, and a repeat changes nothing.
 */
export async function applyCrmWebhook(
  tx: Db,
  actor: Actor,
  eventId: string,
  event: CrmWebhookEvent,
  settings: { defaultCountry: string },
): Promise<CrmWebhookResult> {
  const id = event.data.lead_id;
  if (!(await findLiveLead(tx, id))) throw new NotFoundError('Lead');
  const fresh = await recordInboundEvent(tx, { source: 'crm', eventId, type: event.type, leadId: id, payload: event });
  if (!fresh) return { received: true, status: 'duplicate', lead_id: id };

  const leads = leadResource(settings);
  switch (event.type) {
    case 'lead_updated':
      await updateRecord(tx, leads, actor, id, event.data.changes);
      break;
    case 'lead_assigned': {
      let agentId: string | null = null;
      if (event.data.agent_email !== null) {
        const user = await findUserByEmail(tx, event.data.agent_email);
        if (!user) throw new UnprocessableError('unknown_agent', `No Clara user has the email ${event.data.agent_email}`);
        agentId = user.id;
      }
      const result = await bulkUpdateLeads(tx, { ids: [id], action: 'assign', agent_id: agentId });
      if (result.not_found.length) throw new NotFoundError('Lead');
      break;
    }
    case 'lead_status_changed': {
      const values: Record<string, unknown> = { qualification_status: event.data.new_status };
      if (event.data.pipeline_stage) {
        const stage = await findStageByName(tx, event.data.pipeline_stage);
        if (!stage) throw new UnprocessableError('unknown_stage', `No pipeline stage is named "${event.data.pipeline_stage}"`);
        values.pipeline_stage_id = stage.id;
      }
      await updateRecord(tx, leads, actor, id, values);
      break;
    }
  }
  return { received: true, status: 'applied', lead_id: id };
}
