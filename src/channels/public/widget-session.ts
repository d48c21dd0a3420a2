import type { Db } from '../../db/database.js';
import { withAgent } from '../../agent/sessions/agent-transaction.js';
import { startSession, type AgentEnvironment } from '../../agent/sessions/start-session.js';
import { NotFoundError } from '../../server/errors.js';
import type { PublicSite } from './resolve-site.js';

export interface WidgetSession {
  id: string;
  messages: Array<{ role: 'assistant' | 'user'; text: string }>;
}

/**
 * Opens the chat widget's conversation, or resumes it: the widget keeps its own session id in the
 * visitor's browser, and the same id on the same site is the same conversation (upsert by
 * external_session_id, seed 003 section 1.1), so a page reload does not start over.
 */
export async function openWidgetSession(env: AgentEnvironment, site: PublicSite, visitorSessionId: string | undefined): Promise<WidgetSession> {
  const external = visitorSessionId ? `${site.id}:${visitorSessionId}` : undefined;
  if (external) {
    const existing = await withAgent(env.db, env.agent, (tx) =>
      tx
        .selectFrom('conversations')
        .select(['id', 'messages'])
        .where('channel', '=', 'web')
        .where('external_session_id', '=', external)
        .where('site_id', '=', site.id)
        .where('status', '=', 'active')
        .executeTakeFirst(),
    );
    if (existing) return { id: existing.id, messages: publicMessages(existing.messages) };
  }
  const session = await startSession(env, { channel: 'web', opened_by: env.agent.userId, external_session_id: external });
  await withAgent(env.db, env.agent, (tx) => tx.updateTable('conversations').set({ site_id: site.id }).where('id', '=', session.id).execute());
  return { id: session.id, messages: [{ role: 'assistant', text: session.reply }] };
}

/** A widget may only drive the conversations its own site opened. */
export async function assertWidgetSession(db: Db, site: PublicSite, id: string): Promise<void> {
  const row = await db.selectFrom('conversations').select('id').where('id', '=', id).where('site_id', '=', site.id).executeTakeFirst();
  if (!row) throw new NotFoundError('Session');
}

/** The chat session becomes the lead's session (leads.voice_session_id), as the seed's CRM shows it. */
export async function linkSessionToLead(env: AgentEnvironment, sessionId: string, leadId: string): Promise<void> {
  await withAgent(env.db, env.agent, (tx) =>
    tx
      .updateTable('leads')
      .set({ voice_session_id: sessionId })
      .where('id', '=', leadId)
      .where((eb) => eb.or([eb('voice_session_id', 'is', null), eb('voice_session_id', '!=', sessionId)]))
      .execute(),
  );
}

function publicMessages(messages: unknown): WidgetSession['messages'] {
  return (messages as Array<{ role: 'assistant' | 'user'; text: string }>).map(({ role, text }) => ({ role, text }));
}
