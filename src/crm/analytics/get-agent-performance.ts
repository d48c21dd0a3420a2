import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';
import {
  selectCallGroups,
  selectLeadGroups,
  selectMeetingsByOwner,
  selectUsers,
  tuneAnalyticsTransaction,
  type CallGroups,
  type LeadGroups,
  type UserBrief,
} from './queries.js';
import { ratio, type AgentRow } from './schemas.js';

/**
 * One row per owner of a lead, a call or a meeting in the range: the leads they own among those
 * created in it, the calls they took, the meetings on their calendar. Most leads first, then
 * most calls, then by name; null is the leads nobody owns.
 */
export function agentRowsOf(
  leads: LeadGroups['owners'],
  calls: CallGroups['owners'],
  meetings: Map<string | null, number>,
  users: Map<string, UserBrief>,
): AgentRow[] {
  const owners = new Set<string | null>([...leads.keys(), ...calls.keys(), ...meetings.keys()]);
  const rows = [...owners].map((id): AgentRow => {
    const user = id === null ? undefined : users.get(id);
    const lead = leads.get(id);
    const call = calls.get(id);
    return {
      user_id: id,
      name: user?.full_name ?? null,
      role: user?.role ?? null,
      is_ai: user?.is_ai ?? false,
      is_active: user?.is_active ?? null,
      leads: lead?.leads ?? 0,
      qualified: lead?.qualified ?? 0,
      p1: lead?.p1 ?? 0,
      won: lead?.won ?? 0,
      conversion_rate: ratio(lead?.won ?? 0, lead?.leads ?? 0),
      calls: call?.calls ?? 0,
      talk_time_seconds: call?.talk_time_seconds ?? 0,
      average_call_duration_seconds: call?.average_duration_seconds ?? null,
      average_sentiment: call?.average_sentiment ?? null,
      positive_sentiment_share: ratio(call?.positive ?? 0, call?.scored ?? 0),
      meetings: meetings.get(id) ?? 0,
    };
  });
  return rows.sort(
    (a, b) =>
      b.leads - a.leads ||
      b.calls - a.calls ||
      (a.name === null ? 1 : 0) - (b.name === null ? 1 : 0) ||
      (a.name ?? '').localeCompare(b.name ?? ''),
  );
}

/** The owners' ids that name a user, for one look-up of their names. */
export const userIdsOf = (...maps: Map<string | null, unknown>[]) =>
  [...new Set(maps.flatMap((map) => [...map.keys()]))].filter((id): id is string => id !== null);

/** Per-owner performance: leads, conversion, calls, talk time, sentiment, meetings. */
export async function getAgentPerformance(tx: Db, range: DateRange): Promise<{ range: DateRange; agents: AgentRow[] }> {
  await tuneAnalyticsTransaction(tx);
  const leads = await selectLeadGroups(tx, range, { byOwner: true });
  const calls = await selectCallGroups(tx, range, { byOwner: true });
  const meetings = await selectMeetingsByOwner(tx, range);
  const users = await selectUsers(tx, userIdsOf(leads.owners, calls.owners, meetings));
  return { range, agents: agentRowsOf(leads.owners, calls.owners, meetings, users) };
}
