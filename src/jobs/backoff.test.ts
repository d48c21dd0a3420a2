import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { backoffDelayMs, JITTER } from './backoff.js';

const policy = { baseMs: 1000, maxMs: 60_000 };

describe('backoff schedule', () => {
  test('doubles from the base after each failure, without jitter in the middle of the range', () => {
    const middle = () => 0.5;
    assert.deepEqual(
      [1, 2, 3, 4, 5, 6].map((failures) => backoffDelayMs(failures, policy, middle)),
      [1000, 2000, 4000, 8000, 16_000, 32_000],
    );
  });

  test('stops growing at the ceiling', () => {
    assert.equal(backoffDelayMs(7, policy, () => 0.5), 60_000);
    assert.equal(backoffDelayMs(40, policy, () => 0.5), 60_000);
    assert.equal(backoffDelayMs(10_000, policy, () => 0.5), 60_000, 'no overflow to Infinity');
  });

  test('jitter stays within its spread either side', () => {
    assert.equal(backoffDelayMs(3, policy, () => 0), 4000 * (1 - JITTER));
    assert.equal(backoffDelayMs(3, policy, () => 1), 4000 * (1 + JITTER));
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelayMs(2, policy);
      assert.ok(delay >= 2000 * (1 - JITTER) && delay <= 2000 * (1 + JITTER), String(delay));
    }
  });

  test('a first failure (or a nonsense count) waits the base delay', () => {
    assert.equal(backoffDelayMs(1, policy, () => 0.5), 1000);
    assert.equal(backoffDelayMs(0, policy, () => 0.5), 1000);
  });
});
