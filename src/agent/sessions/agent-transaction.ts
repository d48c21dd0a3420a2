import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import type { FaqEntry } from '../dialogue/faq.js';

export interface AgentIdentity {
  /** The "Clara AI Agent" user: owner of the leads Clara creates and author of what it writes. */
  userId: string;
}

/**
 * Clara works the whole CRM on behalf of the company: it must match a caller to their lead
 * whoever owns it, so it writes as the owner role, with its own user id set so that the audit
 * trail and the lead timeline show Clara as the author. What a request may see of the result is
 * still decided by row-level security in the routes.
 */
export async function withAgent<T>(db: Db, agent: AgentIdentity, work: (tx: Db) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT set_config('app.user_id', ${agent.userId}, true)`.execute(tx);
    return work(tx);
  });
}

export async function findAgentIdentity(db: Db): Promise<AgentIdentity> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('is_ai', '=', true)
    .where('is_active', '=', true)
    .orderBy('created_at')
    .executeTakeFirst();
  if (!user) throw new Error('The Clara AI Agent user is missing; run clara migrate');
  return { userId: user.id };
}

export interface AgentSettings {
  agent_name: string;
  company_name: string;
  greeting: string | null;
  faq: FaqEntry[];
  stage_mapping: Record<string, string>;
  demo_minutes: number;
}

export async function loadAgentSettings(tx: Db): Promise<AgentSettings> {
  const row = await tx.selectFrom('agent_settings').selectAll().executeTakeFirstOrThrow();
  return {
    agent_name: row.agent_name,
    company_name: row.company_name,
    greeting: row.greeting,
    faq: (row.faq as unknown as FaqEntry[]) ?? [],
    stage_mapping: (row.stage_mapping as Record<string, string>) ?? {},
    demo_minutes: row.demo_minutes,
  };
}
