import { loadAgentSettings, withAgent } from './agent-transaction.js';
import { lockSession, transcriptOf } from './session-store.js';
import type { AgentEnvironment } from './start-session.js';

/**
 * The caller barged in while Clara was speaking (seed 001: interruption handling): the last
 * answer in the transcript becomes only what the caller actually heard, so the record, the
 * analysis and the next turn reflect the conversation that really happened.
 * Returns false when there is no answer to cut (nothing was said yet, or the caller spoke last).
 */
export async function interruptReply(env: AgentEnvironment, sessionId: string, heard: string): Promise<boolean> {
  return withAgent(env.db, env.agent, async (tx) => {
    const session = await lockSession(tx, sessionId);
    const last = session.messages.at(-1);
    if (!last || last.role !== 'assistant') return false;
    const spoken = heard.trim();
    // What was heard is a prefix of what was sent; anything longer is not a cut and changes nothing.
    if (spoken.length >= last.text.length) return false;
    const messages = [...session.messages.slice(0, -1), { ...last, text: spoken, interrupted: true }];
    const settings = await loadAgentSettings(tx);
    await tx.updateTable('conversations').set({ messages: JSON.stringify(messages) }).where('id', '=', session.id).execute();
    await tx
      .updateTable('calls')
      .set({ transcript: transcriptOf(messages, settings.agent_name) })
      .where('id', '=', session.call_id)
      .execute();
    return true;
  });
}
