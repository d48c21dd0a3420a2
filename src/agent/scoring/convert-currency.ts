/**
 * US dollars per unit of each currency: static approximations (late 2025, rounded) used only
 * to put a prospect's stated budget into a scoring band. They are not exchange rates for
 * money: a budget said on a call is itself an estimate, and a score must not change
 * overnight because a market moved. Update the table when a rate drifts by more than ~10%.
 */
export const USD_PER_UNIT: Readonly<Record<string, number>> = Object.freeze({
  USD: 1,
  EUR: 1.16,
  GBP: 1.33,
  CHF: 1.25,
  CAD: 0.72,
  AUD: 0.66,
  NZD: 0.58,
  SGD: 0.77,
  JPY: 0.0066,
  CNY: 0.14,
  INR: 0.0113,
  AED: 0.2723,
  BRL: 0.19,
  MXN: 0.055,
  ZAR: 0.058,
  SEK: 0.105,
  NOK: 0.099,
  DKK: 0.155,
});

/**
 * The amount in US dollars (to the cent), or undefined when the amount is not a
 * non-negative number or the currency is not in the table: an unknown currency scores no
 * budget points rather than a guessed number.
 */
export function toUsd(amount: number, currency: string): number | undefined {
  if (!Number.isFinite(amount) || amount < 0) return undefined;
  const rate = USD_PER_UNIT[currency.trim().toUpperCase()];
  if (rate === undefined) return undefined;
  return Math.round(amount * rate * 100) / 100;
}
