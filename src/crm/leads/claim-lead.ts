import type { Actor } from '../../auth/actor.js';
import type { Db } from '../../db/database.js';
import { ConflictError, NotFoundError } from '../../server/errors.js';
import { isPoolOwner, lockLiveLeads, updateLead, type Lead } from './queries.js';

/**
 * The caller takes a lead from the shared pool (unassigned, or owned by the AI agent). Claiming
 * one's own lead again changes nothing. A lead another person owns is theirs: 409. (An agent
 * cannot see other agents' leads at all, so for them such a lead is simply not found.)
 */
export async function claimLead(tx: Db, actor: Actor, leadId: string): Promise<Lead> {
  const [lead] = await lockLiveLeads(tx, [leadId]);
  if (!lead) throw new NotFoundError('Lead');
  if (lead.agent_id === actor.userId) return lead;
  if (!(await isPoolOwner(tx, lead.agent_id))) {
    throw new ConflictError('This lead already belongs to someone; ask them or a manager to reassign it');
  }
  return updateLead(tx, lead.id, { agent_id: actor.userId });
}
