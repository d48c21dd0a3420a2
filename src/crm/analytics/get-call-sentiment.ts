import type { Db } from '../../db/database.js';
import type { DateRange } from './date-range.js';
import { selectCallGroups, tuneAnalyticsTransaction, type CallFigures } from './queries.js';
import { ratio, type SentimentBody } from './schemas.js';

export function sentimentOf(calls: CallFigures): SentimentBody {
  return {
    calls: calls.calls,
    scored: calls.scored,
    average_score: calls.average_sentiment,
    breakdown: (['positive', 'neutral', 'negative'] as const).map((sentiment) => ({
      sentiment,
      calls: calls[sentiment],
      share: ratio(calls[sentiment], calls.scored),
    })),
  };
}

/** How the calls started in the range felt: positive, neutral, negative (the agent's +-0.15 band). */
export async function getCallSentiment(tx: Db, range: DateRange): Promise<SentimentBody & { range: DateRange }> {
  await tuneAnalyticsTransaction(tx);
  const calls = await selectCallGroups(tx, range, { total: true });
  return { range, ...sentimentOf(calls.total as CallFigures) };
}
