import type { Db } from '../../db/database.js';
import type { Facts } from '../extract/index.js';
import { toUsd } from '../scoring/convert-currency.js';
import { qualificationStatus, shouldMoveStage, targetStage } from '../scoring/qualify.js';
import { parseRuleCondition } from '../scoring/conditions.js';
import { scoreLead } from '../scoring/score-lead.js';
import type { LeadScore, ScoringRule } from '../scoring/types.js';
import type { DialogueState } from '../dialogue/state.js';
import type { AgentSettings } from './agent-transaction.js';
import { engagementOf } from './lead-writer.js';

const QUALIFICATION_ORDER = ['unqualified', 'marketing_qualified', 'sales_qualified', 'opportunity'];

export interface Rescored extends LeadScore {
  qualification_status: string;
  /** The lead reached P1 with this turn: its owner is told. */
  became_p1: boolean;
}

/**
 * Scores the lead from rules over the extracted facts only (never from what the prospect asks
 * for), then moves its qualification and stage forward: never backwards, and never over a
 * stage a person chose.
 */
export async function rescoreLead(
  tx: Db,
  leadId: string,
  state: DialogueState,
  settings: AgentSettings,
  demoBooked: boolean,
): Promise<Rescored> {
  const lead = await tx
    .selectFrom('leads')
    .leftJoin('pipeline_stages', 'pipeline_stages.id', 'leads.pipeline_stage_id')
    .select(['leads.status_bucket', 'leads.qualification_status', 'pipeline_stages.order_position'])
    .where('leads.id', '=', leadId)
    .executeTakeFirstOrThrow();
  const rules: ScoringRule[] = (await tx.selectFrom('lead_scoring_criteria').selectAll().where('is_active', '=', true).execute()).map(
    (row) => ({ ...row, category: row.category as ScoringRule['category'], condition: parseRuleCondition(row.condition) }),
  );
  const facts: Facts & { budget_amount_usd?: number; meeting_booked?: boolean } = { ...state.known, ...state.facts };
  if (facts.budget_amount !== undefined) facts.budget_amount_usd = toUsd(facts.budget_amount, facts.budget_currency ?? 'USD');
  facts.meeting_booked = demoBooked;
  // Asking for a demo is stated once, but it stays true for the lead: the dialogue state keeps it.
  if (state.demo === 'accepted' || state.demo === 'booked') facts.wants_demo = true;
  const engagement = await engagementOf(tx, leadId);
  const score = scoreLead(rules, facts as Record<string, string | number | boolean | undefined>, state.evidence as Record<string, string>, {
    ...engagement,
    now: new Date().toISOString(),
  });

  const status = qualificationStatus(facts, score.score, demoBooked);
  const keepStatus =
    !QUALIFICATION_ORDER.includes(lead.qualification_status) ||
    QUALIFICATION_ORDER.indexOf(status) <= QUALIFICATION_ORDER.indexOf(lead.qualification_status);
  const qualification = keepStatus ? lead.qualification_status : status;

  const update: Record<string, unknown> = {
    lead_score: score.score,
    score_breakdown: JSON.stringify(score.breakdown),
    status_bucket: score.status_bucket,
    qualification_status: qualification,
  };
  const stageName = targetStage(qualification as Parameters<typeof targetStage>[0], settings.stage_mapping);
  const stage = stageName
    ? await tx.selectFrom('pipeline_stages').select(['id', 'order_position']).where('name', '=', stageName).executeTakeFirst()
    : undefined;
  // Whether a person chose the current stage is only asked when Clara would move the lead forward.
  if (stage && shouldMoveStage(lead.order_position, stage.order_position, false) && !(await stageSetByPerson(tx, leadId))) {
    update.pipeline_stage_id = stage.id;
  }
  await tx.updateTable('leads').set(update).where('id', '=', leadId).execute();
  return { ...score, qualification_status: qualification, became_p1: score.status_bucket === 'P1' && lead.status_bucket !== 'P1' };
}

/** A stage chosen by a person (the last stage change made by a human) is theirs to change. */
async function stageSetByPerson(tx: Db, leadId: string): Promise<boolean> {
  const last = await tx
    .selectFrom('activities')
    .leftJoin('users', 'users.id', 'activities.created_by')
    .select(['users.is_ai'])
    .where('activities.lead_id', '=', leadId)
    .where('activities.activity_type', '=', 'stage_changed')
    .orderBy('activities.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  return last !== undefined && last.is_ai === false;
}
