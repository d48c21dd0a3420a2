import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Lead = Schemas['Lead'];
export type User = Schemas['User'];
export type PipelineStage = Schemas['PipelineStage'];
export type Meeting = Schemas['Meeting'];
export type Activity = Schemas['Activity'];
export type Note = Schemas['Note'];
export type FollowUp = Schemas['FollowUp'];
export type Todo = Schemas['Todo'];
export type Notification = Schemas['Notification'];
export type ApiKey = Schemas['ApiKey'];
export type ScoringRule = Schemas['ScoringRule'];
export type AgentSettings = Schemas['AgentSettings'];
export type AgentTurn = Schemas['AgentTurn'];
export type Role = User['role'];

/** An RFC 9457 problem document answered by the API, thrown by every call that fails. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
    readonly fieldErrors: { path: string; message: string }[] = [],
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

interface Problem {
  status?: number;
  code?: string;
  detail?: string;
  title?: string;
  errors?: { path: string; message: string }[];
}

/** Turns problem documents into ApiError so that callers (TanStack Query) see one kind of failure. */
const problems: Middleware = {
  async onResponse({ response }) {
    if (response.ok) return undefined;
    let problem: Problem = {};
    try {
      problem = (await response.clone().json()) as Problem;
    } catch {
      // Not JSON (a proxy's page): the status says enough.
    }
    if (response.status === 401) window.dispatchEvent(new Event('clara:unauthorized'));
    throw new ApiError(
      response.status,
      problem.code ?? 'http_error',
      problem.detail ?? problem.title ?? response.statusText,
      problem.errors ?? [],
    );
  },
};

export const api = createClient<paths>({ baseUrl: '', credentials: 'same-origin' });
api.use(problems);

/** The data of a successful openapi-fetch answer (failures already threw in the middleware). */
export function must<T>(result: { data?: T; error?: unknown }): T {
  if (result.error !== undefined || result.data === undefined) {
    if (result.error instanceof Error) throw result.error;
    // 204 answers have no body; callers that expect one never get here.
    return undefined as T;
  }
  return result.data;
}

export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    const fields = error.fieldErrors.map((e) => `${e.path.replace(/^body\./, '')}: ${e.message}`);
    return fields.length ? `${error.message} (${fields.join('; ')})` : error.message;
  }
  return error instanceof Error ? error.message : String(error);
}
