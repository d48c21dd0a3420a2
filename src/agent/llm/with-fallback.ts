import { LlmError, type LlmFailureReason } from './chat-client.js';

export interface FallbackReport {
  /** `error` for anything that is not a model failure (a bug in `work`, say). */
  reason: LlmFailureReason | 'error';
  message: string;
  error: unknown;
  elapsedMs: number;
}

export interface FallbackOptions {
  /** Called once per fallback, for logs and metrics; its own errors are swallowed. */
  onError: (report: FallbackReport) => void;
  /**
   * The per-turn budget: `work` gets a signal that aborts when it runs out, and the fallback
   * is returned then even if `work` ignores the signal. Covers a retry inside `work` too.
   */
  budgetMs?: number;
  /** The caller's own cancellation (e.g. the call ended). */
  signal?: AbortSignal;
}

/**
 * Runs an optional language-model step and returns `fallback` (the rules' answer) on any
 * error, timeout or cancellation, reporting why. The model is an enhancement: a turn never
 * fails, and never waits beyond its budget, because of it.
 */
export async function withFallback<T>(work: (signal: AbortSignal) => Promise<T>, fallback: T, options: FallbackOptions): Promise<T> {
  const started = performance.now();
  // A timer of our own rather than AbortSignal.timeout, whose unref'd timer lets a process with
  // nothing else to do exit before the budget runs out, leaving the turn pending for ever.
  const budget = new AbortController();
  const timer =
    options.budgetMs === undefined
      ? undefined
      : setTimeout(() => budget.abort(new DOMException(`The language model did not answer within ${options.budgetMs} ms`, 'TimeoutError')), options.budgetMs);
  const signal = options.signal ? AbortSignal.any([budget.signal, options.signal]) : budget.signal;
  let stopWaiting: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    stopWaiting = () => signal.removeEventListener('abort', onAbort);
  });
  // Whichever loses the race must not surface as an unhandled rejection.
  aborted.catch(() => {});
  // A turn already cancelled does not start a model call at all.
  const running = signal.aborted ? aborted : Promise.resolve().then(() => work(signal));
  running.catch(() => {});
  try {
    return await Promise.race([running, aborted]);
  } catch (error) {
    const report: FallbackReport = {
      reason: reasonOf(error),
      message: error instanceof Error ? error.message : String(error),
      error,
      elapsedMs: Math.round(performance.now() - started),
    };
    try {
      options.onError(report);
    } catch {
      // A failing logger must not turn a handled fallback into a failed turn.
    }
    return fallback;
  } finally {
    clearTimeout(timer);
    stopWaiting?.();
  }
}

function reasonOf(error: unknown): FallbackReport['reason'] {
  if (error instanceof LlmError) return error.reason;
  if (error instanceof DOMException) {
    if (error.name === 'TimeoutError') return 'timeout';
    if (error.name === 'AbortError') return 'aborted';
  }
  return 'error';
}
