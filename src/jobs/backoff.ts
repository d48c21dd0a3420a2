/** How long a failed job waits before its next attempt. */
export interface BackoffPolicy {
  /** Delay after the first failure; each further failure doubles it. */
  baseMs: number;
  /** Ceiling of the doubled delay (jitter may add up to JITTER of it). */
  maxMs: number;
}

/**
 * Spread of the random jitter: 0.2 means each delay lands within 20% either side of the
 * exponential value, so that jobs which failed together (a receiver that was down) do not all
 * come back in the same instant and knock it over again.
 */
export const JITTER = 0.2;

/**
 * The delay before the next attempt of a job that has failed `failedAttempts` times (1 after the
 * first failure): base * 2^(failedAttempts - 1), capped at maxMs, then jittered.
 */
export function backoffDelayMs(failedAttempts: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.max(0, Math.min(failedAttempts - 1, 52));
  const capped = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(capped * (1 - JITTER + 2 * JITTER * random()));
}
