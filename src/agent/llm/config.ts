import { z } from 'zod';

/**
 * An OpenAI-compatible chat-completions endpoint: OpenAI (`https://api.openai.com/v1`),
 * Ollama (`http://localhost:11434/v1`), vLLM, LM Studio. Requests go to
 * `${baseUrl}/chat/completions`.
 */
export interface LlmConfig {
  baseUrl: string;
  /** Sent as `Authorization: Bearer`; local servers usually need none. */
  apiKey?: string;
  model: string;
  /**
   * The per-turn budget in milliseconds: every call is aborted when it runs out, and the
   * caller should give the whole turn the same budget (withFallback's `budgetMs`), so a slow
   * model costs the prospect at most this long before the rules answer instead.
   */
  timeoutMs: number;
}

export const DEFAULT_LLM_TIMEOUT_MS = 2500;

const envSchema = z.object({
  CLARA_LLM_BASE_URL: z
    .string()
    .url()
    .refine((url) => /^https?:\/\//i.test(url), 'must be an http(s) URL such as http://localhost:11434/v1'),
  CLARA_LLM_API_KEY: z.string().optional(),
  CLARA_LLM_MODEL: z.string({ error: 'is required when CLARA_LLM_BASE_URL is set' }).trim().min(1),
  CLARA_LLM_TIMEOUT_MS: z.coerce.number().int().positive().max(120_000).default(DEFAULT_LLM_TIMEOUT_MS),
});

/**
 * The language-model settings, or undefined when CLARA_LLM_BASE_URL is unset: then Clara
 * runs on the rules alone. Empty variables count as unset; anything else invalid throws,
 * so a typo fails at start-up rather than silently disabling the model.
 */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): LlmConfig | undefined {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''));
  if (present.CLARA_LLM_BASE_URL === undefined) return undefined;
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid language-model configuration:\n  ${problems.join('\n  ')}`);
  }
  const e = parsed.data;
  return {
    baseUrl: e.CLARA_LLM_BASE_URL.trim().replace(/\/+$/, ''),
    ...(e.CLARA_LLM_API_KEY ? { apiKey: e.CLARA_LLM_API_KEY.trim() } : {}),
    model: e.CLARA_LLM_MODEL,
    timeoutMs: e.CLARA_LLM_TIMEOUT_MS,
  };
}
