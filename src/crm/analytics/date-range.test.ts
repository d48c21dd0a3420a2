import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bucketStarts, InvalidDateRangeError, resolveDateRange, resolveInterval } from './date-range.js';

const NOW = new Date('2026-12-01T05:30:00.000Z');

test('defaults to the last 30 days, today included, in the configured zone', () => {
  const utc = resolveDateRange({}, 'UTC', NOW);
  assert.deepEqual(utc, {
    from: '2026-11-02',
    to: '2026-12-01',
    time_zone: 'UTC',
    start: '2026-11-02T00:00:00.000Z',
    end: '2026-12-02T00:00:00.000Z',
    days: 30,
  });
  // 05:30 UTC is still November 30th in Los Angeles.
  const la = resolveDateRange({}, 'America/Los_Angeles', NOW);
  assert.equal(la.to, '2026-11-30');
  assert.equal(la.start, '2026-11-01T07:00:00.000Z', 'PDT until the change on November 1st at 02:00');
  assert.equal(la.end, '2026-12-01T08:00:00.000Z', 'PST');
});

test('a range across a daylight-saving change starts and ends at local midnight', () => {
  const paris = resolveDateRange({ from: '2026-03-01', to: '2026-03-31' }, 'UTC', NOW);
  assert.equal(paris.start, '2026-03-01T00:00:00.000Z');
  const local = resolveDateRange({ from: '2026-03-01', to: '2026-03-31', tz: 'Europe/Paris' }, 'UTC', NOW);
  assert.equal(local.start, '2026-02-28T23:00:00.000Z');
  assert.equal(local.end, '2026-03-31T22:00:00.000Z');
  assert.equal(local.days, 31);
});

test('one end given: the other is 30 days away, never past today', () => {
  assert.deepEqual(
    [resolveDateRange({ from: '2026-11-20' }, 'UTC', NOW).to, resolveDateRange({ from: '2026-01-01' }, 'UTC', NOW).to],
    ['2026-12-01', '2026-01-30'],
  );
  assert.equal(resolveDateRange({ to: '2026-06-30' }, 'UTC', NOW).from, '2026-06-01');
  assert.equal(resolveDateRange({ from: '2026-12-01', to: '2026-12-01' }, 'UTC', NOW).days, 1);
});

test('rejects impossible dates, reversed and too long ranges, and unknown zones', () => {
  const bad = [
    { from: '2026-02-30' },
    { from: '2026-13-01' },
    { from: '26-01-01' },
    { to: '2026-11-01T00:00:00Z' },
    { from: '2026-11-02', to: '2026-11-01' },
    { from: '2024-01-01', to: '2026-01-01' },
    { tz: 'Mars/Olympus_Mons' },
  ];
  for (const input of bad) {
    assert.throws(() => resolveDateRange(input, 'UTC', NOW), InvalidDateRangeError, JSON.stringify(input));
  }
  assert.equal(resolveDateRange({ from: '2024-12-01', to: '2026-11-30' }, 'UTC', NOW).days, 730);
});

test('picks a readable interval unless one is asked for, and refuses too many days', () => {
  const range = (days: number) => resolveDateRange({ from: '2025-01-01', to: new Date(Date.UTC(2025, 0, days)).toISOString().slice(0, 10) }, 'UTC', NOW);
  assert.equal(resolveInterval(range(30), undefined), 'day');
  assert.equal(resolveInterval(range(90), undefined), 'week');
  assert.equal(resolveInterval(range(400), undefined), 'month');
  assert.equal(resolveInterval(range(30), 'month'), 'month');
  assert.throws(() => resolveInterval(range(400), 'day'), InvalidDateRangeError);
});

test('bucket starts: days, Monday weeks and months that overlap the range', () => {
  const range = resolveDateRange({ from: '2026-11-01', to: '2026-11-30' }, 'UTC', NOW);
  assert.equal(bucketStarts(range, 'day').length, 30);
  assert.deepEqual(bucketStarts(range, 'week'), ['2026-10-26', '2026-11-02', '2026-11-09', '2026-11-16', '2026-11-23', '2026-11-30']);
  assert.deepEqual(bucketStarts(range, 'month'), ['2026-11-01']);
  const year = resolveDateRange({ from: '2025-12-15', to: '2026-02-01' }, 'UTC', NOW);
  assert.deepEqual(bucketStarts(year, 'month'), ['2025-12-01', '2026-01-01', '2026-02-01']);
  assert.equal(bucketStarts(resolveDateRange({ from: '2026-11-02', to: '2026-11-08' }, 'UTC', NOW), 'week').length, 1);
});
