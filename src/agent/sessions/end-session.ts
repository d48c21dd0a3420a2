import { sql } from 'kysely';
import type { Db } from '../../db/database.js';
import { analyzeConversation } from '../analysis/analyze-conversation.js';
import { followUpDueDate } from '../scoring/follow-up.js';
import { factOf } from '../dialogue/state.js';
import { loadAgentSettings, withAgent, type AgentIdentity } from './agent-transaction.js';
import { lockSession, transcriptOf } from './session-store.js';
import type { AgentEnvironment } from './start-session.js';

export const CALL_OUTCOMES = ['completed', 'qualified', 'not_interested', 'callback_requested', 'voicemail', 'busy', 'no-answer', 'failed', 'canceled', 'abandoned'] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

/**
 * Closes a session: the call record gets its end time, duration, outcome, sentiment and post-call
 * analysis (seed 004), the lead its summary, and the lead one AI follow-up due by its timeline
 * (seed 001 iteration 2.1), updated rather than duplicated when the lead talks again.
 * Ending an ended session changes nothing and answers the same.
 */
export async function endSession(env: AgentEnvironment, sessionId: string, outcome?: CallOutcome): Promise<{ call_id: string; lead_id: string | null }> {
  return withAgent(env.db, env.agent, async (tx) => {
    const session = await lockSession(tx, sessionId);
    if (session.status === 'ended') return { call_id: session.call_id, lead_id: session.lead_id };
    const settings = await loadAgentSettings(tx);
    const { state, messages } = session;
    const facts = { ...state.known, ...state.facts };
    const analysis = analyzeConversation(
      messages.map((m) => ({ role: m.role, text: m.text })),
      facts,
      { demoBooked: Boolean(state.meeting_id), now: new Date() },
    );
    const call = await tx.selectFrom('calls').select(['call_start_time']).where('id', '=', session.call_id).executeTakeFirstOrThrow();
    const end = new Date();
    const duration = Math.max(0, Math.round((end.getTime() - new Date(call.call_start_time).getTime()) / 1000));
    const finalOutcome = outcome ?? (state.meeting_id ? 'qualified' : 'completed');

    await tx
      .updateTable('calls')
      .set({
        call_end_time: end.toISOString(),
        duration_seconds: duration,
        outcome: finalOutcome,
        transcript: transcriptOf(messages, settings.agent_name),
        sentiment_score: Math.max(-1, Math.min(1, Number(analysis.sentiment_score.toFixed(3)))),
        summary: analysis.summary,
        analysis: JSON.stringify(analysis),
      })
      .where('id', '=', session.call_id)
      .execute();
    await tx
      .updateTable('conversations')
      .set({ status: 'ended', ended_at: end.toISOString(), sentiment: Number(analysis.sentiment_score.toFixed(3)) })
      .where('id', '=', session.id)
      .execute();

    if (session.lead_id) {
      await tx
        .updateTable('leads')
        .set({ conversation_summary: analysis.summary, next_step: analysis.suggested_next_action, last_touch_date: sql`now()` })
        .where('id', '=', session.lead_id)
        .execute();
      const lead = await tx.selectFrom('leads').select('do_not_contact').where('id', '=', session.lead_id).executeTakeFirst();
      // A lead who opted out (SMS STOP) gets no follow-up: nobody should reach out to them.
      if (state.route !== 'support' && !lead?.do_not_contact) await scheduleFollowUp(tx, env.agent, session.lead_id, factOf(state, 'timeline') ?? 'unknown', analysis.suggested_next_action);
      await tx
        .insertInto('activities')
        .values({
          activity_type: 'ai_interaction',
          subject: `Clara ${state.channel === 'voice' ? 'call' : state.channel === 'sms' ? 'SMS conversation' : 'chat'}: ${finalOutcome}`,
          description: analysis.summary,
          lead_id: session.lead_id,
          created_by: env.agent.userId,
          metadata: JSON.stringify({
            channel: state.channel,
            call_id: session.call_id,
            session_id: session.id,
            outcome: finalOutcome,
            sentiment: analysis.sentiment_label,
            key_topics: analysis.key_topics,
          }),
        })
        .execute();
    }
    return { call_id: session.call_id, lead_id: session.lead_id };
  });
}

/** One pending AI follow-up per lead: a later conversation moves its date instead of adding one. */
async function scheduleFollowUp(tx: Db, agent: AgentIdentity, leadId: string, timeline: string, nextAction: string): Promise<void> {
  const due = followUpDueDate(timeline as Parameters<typeof followUpDueDate>[0], new Date());
  const lead = await tx.selectFrom('leads').select('agent_id').where('id', '=', leadId).executeTakeFirstOrThrow();
  const pending = await tx
    .selectFrom('follow_ups')
    .select('id')
    .where('lead_id', '=', leadId)
    .where('status', '=', 'Pending')
    .where('suggested_by_ai', '=', true)
    .where('deleted_at', 'is', null)
    .forUpdate()
    .executeTakeFirst();
  const values = {
    due_date: due.dueDate.toISOString(),
    ai_recommendation: `${due.recommendation} ${nextAction}`.trim(),
    notes: nextAction,
  };
  if (pending) {
    await tx.updateTable('follow_ups').set(values).where('id', '=', pending.id).execute();
  } else {
    await tx
      .insertInto('follow_ups')
      .values({ ...values, lead_id: leadId, agent_id: lead.agent_id ?? agent.userId, suggested_by_ai: true, created_by: agent.userId })
      .execute();
  }
  await tx.updateTable('leads').set({ follow_up_due_date: values.due_date }).where('id', '=', leadId).execute();
}
