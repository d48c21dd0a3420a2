import { authorityOf, bantKnown, textFact, type FactsLike } from './facts.js';
import { P2_MIN_SCORE } from './score-lead.js';

export type QualificationStatus = 'unqualified' | 'marketing_qualified' | 'sales_qualified' | 'opportunity';

/**
 * - marketing_qualified (MQL): reachable (an email or a phone) and a stated need;
 * - sales_qualified (SQL): an MQL with at least 3 of Budget, Authority, Need, Timeline known,
 *   who is not someone without buying authority, and whose score is at least 50 (P2 or P1);
 * - opportunity: an SQL with a demo booked;
 * - unqualified: anything less. A demo booked by someone who is not yet an SQL does not make
 *   an opportunity: the demo is on the calendar either way, the qualification is not.
 * A stated budget of zero does not count as a known budget.
 */
export function qualificationStatus(facts: FactsLike, score: number, demoBooked: boolean): QualificationStatus {
  const reachable = textFact(facts, 'email') !== null || textFact(facts, 'phone') !== null;
  const bant = bantKnown(facts);
  if (!reachable || !bant.need) return 'unqualified';
  if (bant.count < 3 || authorityOf(facts) === 'no_authority' || score < P2_MIN_SCORE) return 'marketing_qualified';
  return demoBooked ? 'opportunity' : 'sales_qualified';
}

/**
 * Pipeline stage for each qualification status (stage names of migration 003).
 *
 * Seed 001 iteration 2.3 maps unqualified -> New Lead, marketing_qualified -> Qualified,
 * sales_qualified -> Demo Scheduled, opportunity -> Proposal Sent, and lets a score of 80+
 * jump to Negotiation and 60+ to Proposal Sent. Both parts put a lead in a stage that names
 * something that has not happened: Negotiation and Proposal Sent are steps a salesperson
 * takes (no proposal exists after one phone call), and Demo Scheduled without a demo on
 * the calendar sends a rep looking for a meeting that is not there. So:
 * - the score does not choose the stage at all (it already decides the P1/P2/P3 bucket and
 *   gates SQL); the 80/60 jumps are dropped;
 * - each status maps to the stage that is true when it is reached: an MQL has been
 *   Contacted, an SQL is Qualified (BANT), an opportunity has a Demo Scheduled.
 * Proposal Sent, Negotiation and Closed are left to people. An admin can still choose other
 * stage names per status (agent settings' stage_mapping); missing entries fall back here.
 */
export const DEFAULT_STAGE_MAPPING: Readonly<Record<QualificationStatus, string>> = Object.freeze({
  unqualified: 'New Lead',
  marketing_qualified: 'Contacted',
  sales_qualified: 'Qualified',
  opportunity: 'Demo Scheduled',
});

/** The name of the stage a lead with this status belongs in. */
export function targetStage(
  status: QualificationStatus,
  mapping: Readonly<Partial<Record<string, string>>> = DEFAULT_STAGE_MAPPING,
): string {
  const chosen = mapping[status]?.trim();
  return chosen ? chosen : DEFAULT_STAGE_MAPPING[status];
}

/**
 * Clara only moves a lead forward (a higher order_position), never back, never sideways, and
 * never off a stage a person chose: that stage is the person's until they change it. A lead
 * with no stage yet (null) may be placed anywhere. Won and lost stages sit at the end of the
 * pipeline, so a closed lead is never reopened by Clara.
 */
export function shouldMoveStage(currentOrder: number | null | undefined, targetOrder: number, stageSetByPerson: boolean): boolean {
  if (stageSetByPerson || !Number.isFinite(targetOrder)) return false;
  if (currentOrder === null || currentOrder === undefined) return true;
  return targetOrder > currentOrder;
}
