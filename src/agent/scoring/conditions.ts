import { isMissing, toNumber } from './facts.js';
import type { RuleCondition, ScoredFacts } from './types.js';

/** Strings compare case- and space-insensitively: 'Decision_Maker ' is 'decision_maker'. */
function same(fact: string | number | boolean, expected: string | number | boolean): boolean {
  if (typeof fact === 'string' && typeof expected === 'string') {
    return fact.trim().toLowerCase() === expected.trim().toLowerCase();
  }
  if (typeof expected === 'number') return toNumber(fact) === expected;
  if (typeof expected === 'boolean') return fact === expected || (typeof fact === 'string' && fact.trim().toLowerCase() === String(expected));
  return String(fact) === expected;
}

export function evaluateCondition(condition: RuleCondition, facts: ScoredFacts): boolean {
  const fact = facts[condition.field];
  if (condition.op === 'absent') return isMissing(fact);
  if (fact === undefined || fact === null || isMissing(fact)) return false;
  switch (condition.op) {
    case 'present':
      return true;
    case 'eq':
      return same(fact, condition.value);
    case 'neq':
      return !same(fact, condition.value);
    case 'in':
      return condition.value.some((expected) => same(fact, expected));
    case 'gte':
    case 'lte':
    case 'gt':
    case 'lt': {
      const n = toNumber(fact);
      if (n === null) return false;
      const v = condition.value;
      return condition.op === 'gte' ? n >= v : condition.op === 'lte' ? n <= v : condition.op === 'gt' ? n > v : n < v;
    }
    case 'between': {
      const n = toNumber(fact);
      return n !== null && n >= condition.value[0] && n < condition.value[1];
    }
  }
}

/**
 * Checks a condition read from the database (jsonb is untyped). Throws a TypeError that
 * names what is wrong, so an admin's broken rule is reported instead of silently not firing.
 */
export function parseRuleCondition(input: unknown): RuleCondition {
  const fail = (why: string): never => {
    throw new TypeError(`Invalid scoring condition ${JSON.stringify(input)}: ${why}`);
  };
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return fail('not an object');
  const { field, op, value } = input as { field?: unknown; op?: unknown; value?: unknown };
  if (typeof field !== 'string' || field.trim() === '') return fail('field must be a non-empty string');
  const isScalar = (v: unknown) => typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));
  switch (op) {
    case 'present':
    case 'absent':
      return { field, op };
    case 'eq':
    case 'neq':
      if (!isScalar(value) && typeof value !== 'boolean') return fail('value must be a string, number or boolean');
      return { field, op, value: value as string | number | boolean };
    case 'in':
      if (!Array.isArray(value) || value.length === 0 || !value.every(isScalar)) {
        return fail('value must be a non-empty list of strings or numbers');
      }
      return { field, op, value: value as (string | number)[] };
    case 'gte':
    case 'lte':
    case 'gt':
    case 'lt':
      if (typeof value !== 'number' || !Number.isFinite(value)) return fail('value must be a number');
      return { field, op, value };
    case 'between': {
      if (!Array.isArray(value) || value.length !== 2) return fail('value must be [min, max]');
      const [min, max] = value as unknown[];
      if (typeof min !== 'number' || typeof max !== 'number' || !Number.isFinite(min) || !Number.isFinite(max) || min >= max) {
        return fail('value must be [min, max] with min < max');
      }
      return { field, op, value: [min, max] };
    }
    default:
      return fail(`unknown op ${JSON.stringify(op)}`);
  }
}
