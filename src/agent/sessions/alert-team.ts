import type { Db } from '../../db/database.js';
import { notifyUser } from '../../crm/notifications/notify-user.js';
import type { AgentIdentity } from './agent-transaction.js';

/**
 * The people to tell about a lead: its owner, or, while Clara itself owns it (the shared pool),
 * the managers and admins who dispatch pool leads.
 */
async function responsibleUsers(tx: Db, agent: AgentIdentity, leadId: string): Promise<string[]> {
  const lead = await tx.selectFrom('leads').select('agent_id').where('id', '=', leadId).executeTakeFirstOrThrow();
  if (lead.agent_id && lead.agent_id !== agent.userId) return [lead.agent_id];
  const dispatchers = await tx
    .selectFrom('users')
    .select('id')
    .where('role', 'in', ['admin', 'manager'])
    .where('is_active', '=', true)
    .where('is_service', '=', false)
    .execute();
  return dispatchers.map((user) => user.id);
}

export async function announceHotLead(tx: Db, agent: AgentIdentity, leadId: string, who: string, score: number): Promise<void> {
  for (const userId of await responsibleUsers(tx, agent, leadId)) {
    await notifyUser(tx, {
      user_id: userId,
      type: 'lead_p1',
      title: `New P1 lead: ${who}`,
      body: `Clara qualified ${who} with a score of ${score}.`,
      link: `/leads/${leadId}`,
      entity_type: 'lead',
      entity_id: leadId,
    });
  }
}

/** An existing customer with a problem: a task for whoever owns the account, and a heads-up. */
export async function openSupportTask(tx: Db, agent: AgentIdentity, leadId: string | undefined, problem: string): Promise<string> {
  const owners = leadId ? await responsibleUsers(tx, agent, leadId) : [];
  const todo = await tx
    .insertInto('todos')
    .values({
      title: 'Support request taken by Clara',
      description: problem.slice(0, 5000),
      priority: 'high',
      lead_id: leadId ?? null,
      assigned_to: owners.length === 1 ? (owners[0] ?? null) : null,
      due_date: new Date(Date.now() + 86_400_000).toISOString(),
      created_by: agent.userId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  for (const userId of owners) {
    await notifyUser(tx, {
      user_id: userId,
      type: 'support_request',
      title: 'A customer needs help',
      body: problem.slice(0, 300),
      link: `/tasks/${todo.id}`,
      entity_type: 'todo',
      entity_id: todo.id,
    });
  }
  return todo.id;
}
