import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toIsoInstant } from './timestamps.js';

const viaDate = (value: string) => new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00')).toISOString();

test('UTC timestamps become ISO instants with milliseconds, as Date would print them', () => {
  for (const value of [
    '2026-11-23 08:30:00+00',
    '2026-11-23 08:30:00.1+00',
    '2026-11-23 08:30:00.12+00',
    '2026-11-23 08:30:00.123+00',
    '2026-11-23 08:30:00.123456+00',
    '2024-02-29 23:59:59.999+00',
    '1970-01-01 00:00:00+00',
  ]) {
    assert.equal(toIsoInstant(value), viaDate(value), value);
  }
  assert.equal(toIsoInstant('2026-11-23 08:30:00.1+00'), '2026-11-23T08:30:00.100Z');
});

test('other offsets are converted to UTC', () => {
  assert.equal(toIsoInstant('2026-11-23 08:30:00.5+02'), '2026-11-23T06:30:00.500Z');
  assert.equal(toIsoInstant('2026-11-23 08:30:00-05'), '2026-11-23T13:30:00.000Z');
});
