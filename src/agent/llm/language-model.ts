import { maskInjections } from '../extract/guards.js';
import type { Facts } from '../extract/index.js';
import { prepare } from '../extract/text.js';
import type { DialogueState } from '../dialogue/state.js';
import type { TurnOptions } from '../sessions/take-turn.js';
import { createChatClient, type ChatClient } from './chat-client.js';
import type { LlmConfig } from './config.js';
import { phraseReply, type PhrasingRejection } from './phrase-reply.js';
import { FACT_KEYS, proposeExtraction, type FactKey, type ProposedFacts } from './propose-extraction.js';
import { withFallback, type FallbackReport } from './with-fallback.js';

export type LanguageModelStep = 'propose' | 'phrase';

/** What the model adds to a turn: the engine's two language-model hooks. */
export type LanguageModelHooks = Pick<TurnOptions, LanguageModelStep>;

/**
 * Why a step gave the rules' answer instead of the model's: a failed call, a phrasing (or an
 * utterance) the guard rails kept from the model, or the model resting after repeated timeouts.
 */
export type FallbackReason = FallbackReport['reason'] | 'guard_rail' | 'circuit_open';

/**
 * After this many model calls in a row ran out of budget, the model rests: a hung or overloaded
 * server must not cost every turn its budget. Failures that come back at once cost no waiting.
 */
export const TIMEOUTS_BEFORE_REST = 3;
export const REST_MS = 30_000;

export interface LanguageModelOptions {
  /** For phone numbers said without a country code, when the session has no country of its own. */
  defaultCountry: string;
  /** Each step's budget: past it the rules' answer is used and the call is abandoned. */
  budgetMs: number;
  /** One line per fallback or dropped proposal: step, reason and field names, not the values proposed. */
  warn: (message: string, error: unknown) => void;
  /** Every time a step falls back to the rules, e.g. to count it. */
  onFallback?: (step: LanguageModelStep, reason: FallbackReason) => void;
  /** The clock for the rest after repeated timeouts (tests move it). */
  now?: () => number;
}

/**
 * The optional language model as the engine's turn options: nothing at all (the rules alone)
 * without configuration; otherwise `propose` fills facts the rules missed, validated by the
 * rules, and `phrase` rewords the rules' reply. Either falls back to the rules, within the
 * budget, on any failure: a turn never fails or waits past the budget because of the model.
 */
export function createLanguageModel(
  config: LlmConfig | undefined,
  options: Omit<LanguageModelOptions, 'budgetMs'>,
): LanguageModelHooks {
  if (!config) return {};
  return languageModelTurnOptions(createChatClient(config), { ...options, budgetMs: config.timeoutMs });
}

/** The turn options over any chat client (tests pass a stub). */
export function languageModelTurnOptions(client: ChatClient, options: LanguageModelOptions): Required<LanguageModelHooks> {
  const health = restAfterTimeouts(options.now ?? Date.now);

  /** Runs one model step within the budget: the rules' answer on any failure, and while the model rests. */
  const consult = async <T>(step: LanguageModelStep, work: (signal: AbortSignal) => Promise<T>, fallback: T): Promise<T> => {
    if (health.resting()) {
      options.onFallback?.(step, 'circuit_open');
      return fallback;
    }
    let timedOut = false;
    const result = await withFallback(work, fallback, {
      budgetMs: options.budgetMs,
      onError: (report) => {
        timedOut = report.reason === 'timeout';
        options.warn(`Language model ${step} step fell back to the rules (${report.reason} after ${report.elapsedMs} ms): ${report.message}`, report.error);
        options.onFallback?.(step, report.reason);
      },
    });
    if (!timedOut) health.answered();
    else if (health.timedOut()) {
      options.warn(`Language model ran out of budget ${TIMEOUTS_BEFORE_REST} times in a row: the rules answer alone for the next ${REST_MS / 1000} s`, undefined);
    }
    return result;
  };

  return {
    async propose({ text, state }) {
      // Instructions aimed at Clara ("mark me P1") are the rules' to ignore; the model does not get to interpret them.
      if (maskInjections(prepare(text).norm).found) {
        options.warn('Language model proposal skipped: the utterance holds instructions aimed at Clara', undefined);
        options.onFallback?.('propose', 'guard_rail');
        return {};
      }
      const dropped: string[] = [];
      const proposed = await consult(
        'propose',
        (signal) =>
          proposeExtraction(
            client,
            { transcript: [], latestUtterance: text, knownFacts: knownFacts(state), ...(state.expecting ? { expecting: state.expecting } : {}) },
            { signal, defaultCountry: state.country ?? options.defaultCountry, onDrop: (field, reason) => dropped.push(`${field} (${reason})`) },
          ),
        {},
      );
      if (dropped.length > 0) options.warn(`Language model proposal dropped by the rules: ${dropped.join(', ')}`, undefined);
      return toFacts(proposed);
    },

    async phrase({ draft, state, messages, agentName, companyName }) {
      let rejection: PhrasingRejection | undefined;
      const reply = await consult(
        'phrase',
        (signal) =>
          phraseReply(
            client,
            { draft, agentName, companyName, channel: state.channel, transcript: messages.map(({ role, text }) => ({ role, text })) },
            { signal, onReject: (reason) => (rejection = reason) },
          ),
        draft,
      );
      if (rejection) {
        options.warn(`Language model phrasing discarded for the rules' reply: ${rejection}`, undefined);
        options.onFallback?.('phrase', 'guard_rail');
      }
      return reply;
    },
  };
}

/**
 * A circuit breaker: after TIMEOUTS_BEFORE_REST timeouts in a row the model rests for REST_MS,
 * then gets a call again; an answer in time closes the circuit, another timeout rests it again.
 * It only saves waiting: correctness never depends on it (each process keeps its own).
 */
function restAfterTimeouts(now: () => number) {
  let timeouts = 0;
  let restUntil = 0;
  return {
    resting: () => now() < restUntil,
    answered: () => {
      timeouts = 0;
    },
    /** Counts a timeout; true when it starts a rest. */
    timedOut: () => {
      timeouts += 1;
      if (timeouts < TIMEOUTS_BEFORE_REST) return false;
      restUntil = now() + REST_MS;
      return true;
    },
  };
}

/** What Clara already knows, in the proposal's terms, so the model can read "yes, that's the one". */
function knownFacts(state: DialogueState): Partial<Record<FactKey, unknown>> {
  const all: Facts = { ...state.known, ...state.facts };
  return Object.fromEntries(FACT_KEYS.filter((key) => all[key] !== undefined).map((key) => [key, all[key]]));
}

/**
 * A validated proposal as engine facts. The types already agree (validation produced E.164
 * phones, lower-case emails, ISO currencies and in-range enums); names are title-cased like
 * the rules' when the model kept speech-to-text's lower case.
 */
export function toFacts(proposed: ProposedFacts): Facts {
  const facts: Facts = { ...proposed };
  const name = proposed.contact_person;
  if (name !== undefined && (name === name.toLowerCase() || name === name.toUpperCase())) {
    facts.contact_person = name.toLowerCase().replace(/(^|[\s'-])(\p{L})/gu, (_match, before: string, letter: string) => before + letter.toUpperCase());
  }
  return facts;
}
