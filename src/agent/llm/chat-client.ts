import { z } from 'zod';
import type { LlmConfig } from './config.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export type ResponseFormat =
  | { type: 'json_schema'; json_schema: { name: string; strict?: boolean; schema: Record<string, unknown> } }
  | { type: 'json_object' }
  | { type: 'text' };

export interface ChatRequest {
  messages: ChatMessage[];
  response_format?: ResponseFormat;
  temperature: number;
  max_tokens: number;
}

export interface ChatResult {
  content: string;
  finishReason: string | null;
  /** The model the server says answered, which may differ from the one asked for. */
  model: string | undefined;
}

export interface ChatClient {
  readonly model: string;
  chatCompletion(request: ChatRequest, options?: { signal?: AbortSignal }): Promise<ChatResult>;
}

/** Why a model call failed: the label withFallback reports to logs and metrics. */
export type LlmFailureReason = 'timeout' | 'aborted' | 'network' | 'http' | 'protocol' | 'refusal';

export abstract class LlmError extends Error {
  abstract readonly reason: LlmFailureReason;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The per-call budget (or a caller's timeout signal) ran out before the answer arrived. */
export class LlmTimeoutError extends LlmError {
  readonly reason = 'timeout';
  constructor(readonly timeoutMs: number | undefined) {
    super(timeoutMs === undefined ? 'The language model timed out' : `The language model did not answer within ${timeoutMs} ms`);
  }
}

/** The caller cancelled (e.g. the prospect hung up). */
export class LlmAbortedError extends LlmError {
  readonly reason = 'aborted';
  constructor(cause: unknown) {
    super('The language-model call was cancelled', { cause });
  }
}

/** No HTTP answer at all: connection refused, DNS failure, reset. */
export class LlmNetworkError extends LlmError {
  readonly reason = 'network';
  constructor(url: string, cause: unknown) {
    super(`Could not reach the language model at ${url}: ${describe(cause)}`, { cause });
  }
}

/** A non-2xx answer; `bodyExcerpt` is short and single-line, safe for a log line. */
export class LlmHttpError extends LlmError {
  readonly reason = 'http';
  constructor(
    readonly status: number,
    readonly bodyExcerpt: string,
  ) {
    super(`The language model answered HTTP ${status}${bodyExcerpt ? `: ${bodyExcerpt}` : ''}`);
  }
}

export type LlmProtocolProblem = 'invalid_json' | 'missing_choices' | 'truncated' | 'empty_content' | 'too_large' | 'invalid_output';

/** A 2xx answer that is not a usable chat completion. */
export class LlmProtocolError extends LlmError {
  readonly reason = 'protocol';
  constructor(
    readonly problem: LlmProtocolProblem,
    message: string,
  ) {
    super(message);
  }
}

/** The model declined to answer (a `refusal`, or a content filter stopped it). */
export class LlmRefusalError extends LlmError {
  readonly reason = 'refusal';
  constructor(readonly refusal: string) {
    super(`The language model refused: ${excerpt(refusal)}`);
  }
}

/** Far beyond any answer we ask for; bounds the memory a misbehaving server can make us use. */
const MAX_RESPONSE_BYTES = 1_000_000;
const EXCERPT_CHARS = 300;

const completionSchema = z.object({
  model: z.string().optional(),
  choices: z
    .array(
      z.object({
        finish_reason: z.string().nullish(),
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
      }),
    )
    .min(1),
});

export interface ChatClientDependencies {
  fetch?: typeof fetch;
}

/**
 * A minimal OpenAI-compatible chat-completions client: one non-streaming POST per call,
 * aborted when the config's timeout or the caller's signal fires, every failure a typed
 * LlmError so the caller can fall back to the rules and say why.
 */
export function createChatClient(config: LlmConfig, dependencies: ChatClientDependencies = {}): ChatClient {
  const doFetch = dependencies.fetch ?? fetch;
  const url = `${config.baseUrl}/chat/completions`;
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (config.apiKey) headers.authorization = `Bearer ${config.apiKey}`;

  return {
    model: config.model,
    async chatCompletion(request, options = {}) {
      const budget = AbortSignal.timeout(config.timeoutMs);
      const signal = options.signal ? AbortSignal.any([budget, options.signal]) : budget;
      const body = JSON.stringify({ model: config.model, stream: false, ...request });
      let status: number;
      let text: string;
      try {
        const response = await doFetch(url, { method: 'POST', headers, body, signal });
        status = response.status;
        text = await readCapped(response);
      } catch (error) {
        if (budget.aborted) throw new LlmTimeoutError(config.timeoutMs);
        if (options.signal?.aborted) {
          const why: unknown = options.signal.reason;
          if (why instanceof DOMException && why.name === 'TimeoutError') throw new LlmTimeoutError(undefined);
          throw new LlmAbortedError(why);
        }
        if (error instanceof LlmError) throw error;
        throw new LlmNetworkError(url, error);
      }
      if (status < 200 || status > 299) throw new LlmHttpError(status, excerpt(text));
      return parseCompletion(text);
    },
  };
}

function parseCompletion(text: string): ChatResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new LlmProtocolError('invalid_json', `The language model's answer is not JSON: ${excerpt(text)}`);
  }
  const parsed = completionSchema.safeParse(json);
  if (!parsed.success) {
    throw new LlmProtocolError('missing_choices', `The language model's answer has no usable choices: ${excerpt(text)}`);
  }
  const [choice] = parsed.data.choices;
  // Checked by min(1); restated for the type checker.
  if (!choice) throw new LlmProtocolError('missing_choices', 'The language model returned no choices');
  const { content, refusal } = choice.message;
  const finishReason = choice.finish_reason ?? null;
  if (refusal) throw new LlmRefusalError(refusal);
  if (finishReason === 'content_filter') throw new LlmRefusalError('stopped by the content filter');
  // A cut-off answer is half a JSON object or half a sentence: never usable.
  if (finishReason === 'length') {
    throw new LlmProtocolError('truncated', 'The language model ran out of tokens before finishing its answer');
  }
  if (content === null || content === undefined || content.trim() === '') {
    throw new LlmProtocolError('empty_content', `The language model returned no content (finish_reason ${finishReason ?? 'none'})`);
  }
  return { content, finishReason, model: parsed.data.model };
}

async function readCapped(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel();
      throw new LlmProtocolError('too_large', `The language model's answer exceeds ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** One line, bounded: error bodies can be HTML pages or echo the whole prompt. */
export function excerpt(text: string, max = EXCERPT_CHARS): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? ` (${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}
