import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import {
  createChatClient,
  LlmAbortedError,
  LlmHttpError,
  LlmNetworkError,
  LlmProtocolError,
  LlmRefusalError,
  LlmTimeoutError,
  type ChatRequest,
} from './chat-client.js';
import { completion, startFakeChatServer, type CannedAnswer, type FakeChatServer } from './fake-chat-server.js';

const request: ChatRequest = { messages: [{ role: 'user', content: 'hello' }], temperature: 0, max_tokens: 50 };

describe('chat-completions client', () => {
  let server: FakeChatServer;
  // Each test sets the answer the fake server gives next.
  let answer: CannedAnswer = { body: completion('hi') };
  before(async () => {
    server = await startFakeChatServer(() => answer);
  });
  after(async () => {
    await server.close();
  });
  const client = (overrides: { apiKey?: string; timeoutMs?: number } = {}) =>
    createChatClient({ baseUrl: server.baseUrl, model: 'test-model', timeoutMs: 2000, ...overrides });

  test('posts a non-streaming request for the configured model, with the API key as a bearer token', async () => {
    answer = { body: completion('Hello there') };
    const result = await client({ apiKey: 'sk-test' }).chatCompletion({ ...request, response_format: { type: 'json_object' } });
    assert.deepEqual(result, { content: 'Hello there', finishReason: 'stop', model: 'test-model' });
    const received = server.requests.at(-1);
    assert.equal(received?.method, 'POST');
    assert.equal(received?.path, '/v1/chat/completions');
    assert.equal(received?.headers.authorization, 'Bearer sk-test');
    assert.equal(received?.body?.model, 'test-model');
    assert.equal(received?.body?.stream, false);
    assert.deepEqual(received?.body?.messages, request.messages);
    assert.deepEqual(received?.body?.response_format, { type: 'json_object' });
  });

  test('sends no Authorization header when no API key is configured (local servers)', async () => {
    answer = { body: completion('ok') };
    await client().chatCompletion(request);
    assert.equal(server.requests.at(-1)?.headers.authorization, undefined);
  });

  test('gives up after the configured timeout and abandons the request', async () => {
    answer = { body: completion('too late'), delayMs: 5000 };
    const abortsBefore = server.abortedCount();
    const error = await client({ timeoutMs: 100 }).chatCompletion(request).catch((e: unknown) => e);
    assert.ok(error instanceof LlmTimeoutError, String(error));
    assert.equal(error.reason, 'timeout');
    assert.equal(error.timeoutMs, 100);
    await server.aborts(abortsBefore + 1);
  });

  test("a caller's timeout signal counts as a timeout, a caller's cancellation as aborted", async () => {
    answer = { body: completion('too late'), delayMs: 5000 };
    const timedOut = await client().chatCompletion(request, { signal: AbortSignal.timeout(50) }).catch((e: unknown) => e);
    assert.ok(timedOut instanceof LlmTimeoutError, String(timedOut));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    const cancelled = await client().chatCompletion(request, { signal: controller.signal }).catch((e: unknown) => e);
    assert.ok(cancelled instanceof LlmAbortedError, String(cancelled));
    assert.equal(cancelled.reason, 'aborted');
  });

  test('an HTTP error carries the status and a short single-line excerpt of the body', async () => {
    answer = { status: 500, body: `<html>\n<body>${'Internal error '.repeat(100)}</body>\n</html>` };
    const error = await client().chatCompletion(request).catch((e: unknown) => e);
    assert.ok(error instanceof LlmHttpError, String(error));
    assert.equal(error.status, 500);
    assert.equal(error.reason, 'http');
    assert.ok(error.bodyExcerpt.length <= 300);
    assert.doesNotMatch(error.bodyExcerpt, /\n/);
    assert.match(error.message, /HTTP 500/);

    answer = { status: 401, body: { error: { message: 'Incorrect API key provided' } } };
    const unauthorized = await client().chatCompletion(request).catch((e: unknown) => e);
    assert.ok(unauthorized instanceof LlmHttpError);
    assert.equal(unauthorized.status, 401);
    assert.match(unauthorized.bodyExcerpt, /Incorrect API key/);
  });

  test('a 200 whose body is not JSON is a protocol error', async () => {
    answer = { body: '{"choices": [' };
    const error = await client().chatCompletion(request).catch((e: unknown) => e);
    assert.ok(error instanceof LlmProtocolError, String(error));
    assert.equal(error.problem, 'invalid_json');
    assert.equal(error.reason, 'protocol');
  });

  test('JSON without choices is a protocol error', async () => {
    for (const body of [{ choices: [] }, { object: 'error' }, { choices: [{ text: 'legacy completion' }] }]) {
      answer = { body };
      const error = await client().chatCompletion(request).catch((e: unknown) => e);
      assert.ok(error instanceof LlmProtocolError, JSON.stringify(body));
      assert.equal(error.problem, 'missing_choices');
    }
  });

  test('a refusal, or an answer stopped by the content filter, is a refusal', async () => {
    answer = { body: completion(null, { refusal: "I'm sorry, I can't help with that." }) };
    const refused = await client().chatCompletion(request).catch((e: unknown) => e);
    assert.ok(refused instanceof LlmRefusalError, String(refused));
    assert.equal(refused.reason, 'refusal');
    assert.match(refused.refusal, /can't help/);

    answer = { body: completion('partial', { finish_reason: 'content_filter' }) };
    const filtered = await client().chatCompletion(request).catch((e: unknown) => e);
    assert.ok(filtered instanceof LlmRefusalError, String(filtered));
  });

  test('an answer cut off by the token limit is never used', async () => {
    answer = { body: completion('{"contact_person": "Mar', { finish_reason: 'length' }) };
    const error = await client().chatCompletion(request).catch((e: unknown) => e);
    assert.ok(error instanceof LlmProtocolError, String(error));
    assert.equal(error.problem, 'truncated');
  });

  test('an empty answer is a protocol error', async () => {
    for (const content of [null, '', '   ']) {
      answer = { body: completion(content) };
      const error = await client().chatCompletion(request).catch((e: unknown) => e);
      assert.ok(error instanceof LlmProtocolError, JSON.stringify(content));
      assert.equal(error.problem, 'empty_content');
    }
  });

  test('an answer beyond 1 MB is refused without reading it all', async () => {
    answer = { body: completion('x'.repeat(1_200_000)) };
    const error = await client().chatCompletion(request).catch((e: unknown) => e);
    assert.ok(error instanceof LlmProtocolError, String(error));
    assert.equal(error.problem, 'too_large');
  });

  test('an unreachable server is a network error naming the URL', async () => {
    // A port that was just free: nothing listens there any more.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const unreachable = createChatClient({ baseUrl: `http://127.0.0.1:${port}/v1`, model: 'm', timeoutMs: 2000 });
    const error = await unreachable.chatCompletion(request).catch((e: unknown) => e);
    assert.ok(error instanceof LlmNetworkError, String(error));
    assert.equal(error.reason, 'network');
    assert.match(error.message, new RegExp(`127\\.0\\.0\\.1:${port}/v1/chat/completions`));
  });
});
