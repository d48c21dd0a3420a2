import { test } from 'node:test';
import assert from 'node:assert/strict';
import { USD_PER_UNIT, toUsd } from './convert-currency.js';

test('US dollars are returned as they are', () => {
  assert.equal(toUsd(50_000, 'USD'), 50_000);
});

test('common currencies convert at the static table rate, to the cent', () => {
  assert.equal(toUsd(40_000, 'EUR'), 46_400);
  assert.equal(toUsd(10_000, 'GBP'), 13_300);
  assert.equal(toUsd(1_000_000, 'INR'), 11_300);
  assert.equal(toUsd(5_000_000, 'JPY'), 33_000);
  assert.equal(toUsd(100, 'AED'), 27.23);
});

test('currency codes are matched case- and space-insensitively', () => {
  assert.equal(toUsd(1000, ' eur '), 1160);
});

test('an unknown currency or an impossible amount gives no value rather than a guess', () => {
  assert.equal(toUsd(1000, 'XYZ'), undefined);
  assert.equal(toUsd(1000, ''), undefined);
  assert.equal(toUsd(-5, 'USD'), undefined);
  assert.equal(toUsd(Number.NaN, 'USD'), undefined);
  assert.equal(toUsd(Number.POSITIVE_INFINITY, 'USD'), undefined);
});

test('the table covers the currencies prospects commonly quote', () => {
  for (const code of ['USD', 'EUR', 'GBP', 'INR', 'CAD', 'AUD', 'JPY', 'CNY', 'BRL', 'MXN', 'ZAR', 'SGD', 'AED', 'CHF', 'SEK', 'NOK', 'DKK', 'NZD']) {
    const rate = USD_PER_UNIT[code];
    assert.ok(rate !== undefined && rate > 0, code);
  }
});

test('a budget quoted in rupees lands in the same band as its dollar value', () => {
  // 45 lakh rupees is about $50k: a real Indian enterprise budget must not read as 4.5 million dollars.
  const usd = toUsd(4_500_000, 'INR');
  assert.ok(usd !== undefined && usd > 40_000 && usd < 60_000);
});
