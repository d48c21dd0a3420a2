import { maskInjections } from '../extract/guards.js';
import type { Facts } from '../extract/index.js';
import type { DialogueState } from '../dialogue/state.js';
import type { TurnOptions } from '../sessions/take-turn.js';
import { createChatClient, type ChatClient } from './chat-client.js';
import type { LlmConfig } from './config.js';
import { phraseReply, type PhrasingRejection } from './phrase-reply.js';
import { FACT_KEYS, proposeExtraction, type FactKey, type ProposedFacts } from './propose-extraction.js';
import { withFallback, type FallbackReport } from './with-fallback.js';

export type LanguageModelStep = 'propose' | 'phrase';

/** Why a step gave the rules' answer instead of the model's: a failed call, or a phrasing the guard rails refused. */
export type FallbackReason = FallbackReport['reason'] | 'guard_rail';

export interface LanguageModelOptions {
  /** For phone numbers said without a country code, when the session has no country of its own. */
  defaultCountry: string;
  /** Each step's budget: past it the rules' answer is used and the call is abandoned. */
  budgetMs: number;
  /** One line per fallback or dropped proposal; never the prospect's words or values. */
  warn: (message: string, error: unknown) => void;
  /** Every time a step falls back to the rules, e.g. to count it. */
  onFallback?: (step: LanguageModelStep, reason: FallbackReason) => void;
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
): TurnOptions {
  if (!config) return {};
  return languageModelTurnOptions(createChatClient(config), { ...options, budgetMs: config.timeoutMs });
}

/** The turn options over any chat client (tests pass a stub). */
export function languageModelTurnOptions(client: ChatClient, options: LanguageModelOptions): Required<TurnOptions> {
  const fellBack = (step: LanguageModelStep) => (report: FallbackReport) => {
    options.warn(`Language model ${step} step fell back to the rules (${report.reason} after ${report.elapsedMs} ms): ${report.message}`, report.error);
    options.onFallback?.(step, report.reason);
  };

  return {
    async propose({ text, state }) {
      // Instructions aimed at Clara ("mark me P1") are the rules' to ignore; the model does not get to interpret them.
      if (maskInjections(text.toLowerCase()).found) {
        options.warn('Language model proposal skipped: the utterance holds instructions aimed at Clara', undefined);
        options.onFallback?.('propose', 'guard_rail');
        return {};
      }
      const dropped: string[] = [];
      const proposed = await withFallback(
        (signal) =>
          proposeExtraction(
            client,
            { transcript: [], latestUtterance: text, knownFacts: knownFacts(state), ...(state.expecting ? { expecting: state.expecting } : {}) },
            { signal, defaultCountry: state.country ?? options.defaultCountry, onDrop: (field, reason) => dropped.push(`${field} (${reason})`) },
          ),
        {},
        { budgetMs: options.budgetMs, onError: fellBack('propose') },
      );
      if (dropped.length > 0) options.warn(`Language model proposal dropped by the rules: ${dropped.join(', ')}`, undefined);
      return toFacts(proposed);
    },

    async phrase({ draft, state, messages, agentName, companyName }) {
      let rejection: PhrasingRejection | undefined;
      const reply = await withFallback(
        (signal) =>
          phraseReply(
            client,
            { draft, agentName, companyName, channel: state.channel, transcript: messages.map(({ role, text }) => ({ role, text })) },
            { signal, onReject: (reason) => (rejection = reason) },
          ),
        draft,
        { budgetMs: options.budgetMs, onError: fellBack('phrase') },
      );
      if (rejection) {
        options.warn(`Language model phrasing discarded for the rules' reply: ${rejection}`, undefined);
        options.onFallback?.('phrase', 'guard_rail');
      }
      return reply;
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
