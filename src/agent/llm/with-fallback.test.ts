import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { LlmHttpError, LlmTimeoutError } from './chat-client.js';
import { withFallback, type FallbackReport } from './with-fallback.js';

const recorder = () => {
  const reports: FallbackReport[] = [];
  return { reports, onError: (report: FallbackReport) => void reports.push(report) };
};

/** Work that only ends when its signal aborts, like a well-behaved model call; `ignored` never ends. */
const hang = (signal: AbortSignal) =>
  new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(new LlmTimeoutError(undefined)), { once: true }));
const ignored = () => new Promise<string>(() => {});

describe('withFallback', () => {
  test("returns the model's answer when it arrives in time, reporting nothing", async () => {
    const { reports, onError } = recorder();
    assert.equal(await withFallback(async () => 'model', 'rules', { onError, budgetMs: 1000 }), 'model');
    assert.deepEqual(reports, []);
  });

  test('returns the fallback on a model error and reports why', async () => {
    const { reports, onError } = recorder();
    const result = await withFallback(
      async () => {
        throw new LlmHttpError(500, 'boom');
      },
      'rules',
      { onError },
    );
    assert.equal(result, 'rules');
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.reason, 'http');
    assert.match(reports[0]?.message ?? '', /HTTP 500/);
    assert.ok(reports[0]?.error instanceof LlmHttpError);
  });

  test('any other error, even one thrown synchronously, falls back as `error`', async () => {
    const { reports, onError } = recorder();
    const result = await withFallback(
      () => {
        throw new TypeError('a bug');
      },
      'rules',
      { onError },
    );
    assert.equal(result, 'rules');
    assert.equal(reports[0]?.reason, 'error');
  });

  test('stops waiting when the budget runs out, and aborts the work', async () => {
    const { reports, onError } = recorder();
    let workSignal: AbortSignal | undefined;
    const result = await withFallback(
      (signal) => {
        workSignal = signal;
        return hang(signal);
      },
      'rules',
      { onError, budgetMs: 50 },
    );
    assert.equal(result, 'rules');
    assert.equal(workSignal?.aborted, true);
    assert.equal(reports.length, 1);
    assert.equal(reports[0]?.reason, 'timeout');
    assert.ok((reports[0]?.elapsedMs ?? 0) >= 40, `elapsed ${reports[0]?.elapsedMs}`);
  });

  test('returns at the budget even when the work ignores its signal', async () => {
    const { reports, onError } = recorder();
    assert.equal(await withFallback(ignored, 'rules', { onError, budgetMs: 50 }), 'rules');
    assert.equal(reports[0]?.reason, 'timeout');
  });

  test("the caller's cancellation falls back as `aborted`", async () => {
    const { reports, onError } = recorder();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    assert.equal(await withFallback(ignored, 'rules', { onError, signal: controller.signal, budgetMs: 5000 }), 'rules');
    assert.equal(reports[0]?.reason, 'aborted');

    const alreadyCancelled = AbortSignal.abort();
    let started = false;
    const result = await withFallback(
      async () => {
        started = true;
        return 'model';
      },
      'rules',
      { onError, signal: alreadyCancelled },
    );
    assert.equal(result, 'rules', 'a cancelled turn does not use the model');
    assert.equal(started, false);
  });

  test('a failing logger does not turn a fallback into a failure', async () => {
    const result = await withFallback(
      async () => {
        throw new Error('model down');
      },
      'rules',
      {
        onError: () => {
          throw new Error('logger down');
        },
      },
    );
    assert.equal(result, 'rules');
  });

  test('a late rejection after the budget is not an unhandled rejection', async () => {
    const unhandled: unknown[] = [];
    const listener = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', listener);
    try {
      const { onError } = recorder();
      const late = () =>
        new Promise<string>((_, reject) => {
          setTimeout(() => reject(new Error('late failure')), 80);
        });
      assert.equal(await withFallback(late, 'rules', { onError, budgetMs: 20 }), 'rules');
      await new Promise((resolve) => setTimeout(resolve, 150));
      assert.deepEqual(unhandled, []);
    } finally {
      process.off('unhandledRejection', listener);
    }
  });
});
