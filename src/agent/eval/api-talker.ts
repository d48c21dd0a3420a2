import type { ScriptedConversation, Talker } from './evaluate.js';

/** Whatever carries a request to the API: HTTP to a server, or inject into an app in process. */
export interface ApiRequester {
  request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: T }>;
}

/** Talks to Clara through the conversation API, as the web console and the channels do. */
export function apiTalker(api: ApiRequester): Talker {
  const expectOk = <T>(response: { status: number; body: T }, what: string): T => {
    if (response.status >= 300) throw new Error(`${what} failed with ${response.status}: ${JSON.stringify(response.body)}`);
    return response.body;
  };
  return {
    async start(conversation: ScriptedConversation) {
      const body = expectOk(
        await api.request<{ id: string }>('POST', '/api/v1/agent/sessions', {
          channel: conversation.channel,
          ...(conversation.from ? { from: conversation.from } : {}),
          ...(conversation.default_country ? { country: conversation.default_country } : {}),
        }),
        'start',
      );
      return body.id;
    },
    async say(sessionId, text) {
      return expectOk(await api.request<{ extracted: Record<string, unknown> }>('POST', `/api/v1/agent/sessions/${sessionId}/turns`, { text }), 'turn').extracted;
    },
    async end(sessionId) {
      expectOk(await api.request('POST', `/api/v1/agent/sessions/${sessionId}/end`, {}), 'end');
    },
  };
}
