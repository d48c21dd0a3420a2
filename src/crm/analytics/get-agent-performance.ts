import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';
import { selectAgentRows, type AgentRow as AgentFigures } from './queries.js';
import { ratio, type AgentRow } from './schemas.js';

export function agentRowsOf(rows: AgentFigures[]): AgentRow[] {
  return rows.map((row) => ({
    user_id: row.user_id,
    name: row.full_name,
    role: row.role,
    is_ai: row.is_ai,
    is_active: row.is_active,
    leads: row.leads,
    qualified: row.qualified,
    p1: row.p1,
    won: row.won,
    conversion_rate: ratio(row.won, row.leads),
    calls: row.calls,
    talk_time_seconds: row.talk_time_seconds,
    average_call_duration_seconds: row.average_duration_seconds,
    average_sentiment: row.average_sentiment,
    positive_sentiment_share: ratio(row.positive, row.scored),
    meetings: row.meetings,
  }));
}

/** One row per owner the caller can see work of: leads, conversion, calls, talk time, sentiment, meetings. */
export async function getAgentPerformance(tx: Db, range: DateRange): Promise<{ range: DateRange; agents: AgentRow[] }> {
  return { range, agents: agentRowsOf(await selectAgentRows(tx, range)) };
}
