import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * Test helper: a local server speaking the chat-completions protocol, so the client is
 * tested over real HTTP (headers, bodies, aborts) rather than against a mocked fetch.
 */

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, unchecked: tests assert on it (undefined if it was not JSON). */
  body: ChatRequestBody | undefined;
}

export interface ChatRequestBody {
  model?: string;
  stream?: boolean;
  messages?: { role: string; content: string }[];
  response_format?: { type: string; json_schema?: { name?: string; strict?: boolean; schema?: Record<string, unknown> } };
  temperature?: number;
  max_tokens?: number;
}

export interface CannedAnswer {
  status?: number;
  /** A string is sent as is (to test malformed bodies); anything else as JSON. */
  body: unknown;
  /** Wait this long before answering, to test timeouts. */
  delayMs?: number;
}

export interface FakeChatServer {
  /** Base URL as CLARA_LLM_BASE_URL would hold it: http://127.0.0.1:port/v1 */
  baseUrl: string;
  requests: ReceivedRequest[];
  /** How many requests the client abandoned before they were answered. */
  abortedCount(): number;
  /** Resolves once at least `count` requests have been abandoned by the client. */
  aborts(count?: number): Promise<void>;
  close(): Promise<void>;
}

export type Responder = (request: ReceivedRequest, index: number) => CannedAnswer;

export async function startFakeChatServer(respond: Responder): Promise<FakeChatServer> {
  const requests: ReceivedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let aborted = 0;
  const abortWaiters: { count: number; wake: () => void }[] = [];

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: ChatRequestBody | undefined;
      try {
        body = JSON.parse(raw) as ChatRequestBody;
      } catch {
        body = undefined;
      }
      const received: ReceivedRequest = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body };
      requests.push(received);
      const answer = respond(received, requests.length - 1);
      res.on('close', () => {
        if (res.writableFinished) return;
        aborted += 1;
        for (const waiter of abortWaiters.filter((w) => w.count <= aborted)) {
          abortWaiters.splice(abortWaiters.indexOf(waiter), 1);
          waiter.wake();
        }
      });
      const send = (): void => {
        if (res.destroyed) return;
        const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        res.writeHead(answer.status ?? 200, { 'content-type': 'application/json' });
        res.end(text);
      };
      if (answer.delayMs) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          send();
        }, answer.delayMs);
        timers.add(timer);
      } else send();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    requests,
    abortedCount: () => aborted,
    aborts: (count = 1) =>
      new Promise<void>((resolve) => {
        if (aborted >= count) resolve();
        else abortWaiters.push({ count, wake: resolve });
      }),
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A well-formed completion whose message content is `content`. */
export function completion(content: string | null, extra: { finish_reason?: string; refusal?: string } = {}): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model: 'test-model',
    choices: [
      {
        index: 0,
        finish_reason: extra.finish_reason ?? 'stop',
        message: { role: 'assistant', content, ...(extra.refusal !== undefined ? { refusal: extra.refusal } : {}) },
      },
    ],
    usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 },
  };
}
