/**
 * Phone numbers as E.164, typed ("(415) 555-0123", "+44 20 7946 0958", "ph 415.555.0123") or
 * spoken ("four one five five five five zero one two three", "double five", "triple zero",
 * "oh" for zero, "eight hundred"), validated by libphonenumber-js against the caller's country.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import type { Hit } from './email.js';
import { DIGIT_WORDS, TENS_WORDS, UNIT_WORDS, lexTokens, type LexToken } from './numbers.js';

interface Piece {
  digits: string;
  start: number;
  end: number;
  plus: boolean;
}

const SEPARATORS = new Set(['-', '.', '(', ')', '/', 'dash', 'hyphen']);
const ZERO_WORDS = new Set(['oh', 'o']);
const MONEY_AFTER = /^(?:dollars?|bucks|usd|euros?|eur|pounds?|gbp|quid|rupees?|inr|k|grand|thousand|million|lakhs?|crores?)$/;
const MAX_RUN = 24;

function digitOf(t: string | undefined): string | undefined {
  if (t === undefined) return undefined;
  if (t in DIGIT_WORDS) return String(DIGIT_WORDS[t]);
  if (/^\d$/.test(t)) return t;
  return undefined;
}

/** Reads one spoken or typed group of digits at toks[i]; returns digits and the next index. */
function readPiece(toks: readonly LexToken[], i: number, inRun: boolean): { digits: string; next: number } | null {
  const t = toks[i]!.text;
  if (/^\d[\d.]*$/.test(t)) return { digits: t.replace(/\D/g, ''), next: i + 1 };
  if ((t === 'double' || t === 'triple') && digitOf(toks[i + 1]?.text) !== undefined) {
    return { digits: digitOf(toks[i + 1]!.text)!.repeat(t === 'double' ? 2 : 3), next: i + 2 };
  }
  if ((t === 'double' || t === 'triple') && ZERO_WORDS.has(toks[i + 1]?.text ?? '')) {
    return { digits: '0'.repeat(t === 'double' ? 2 : 3), next: i + 2 };
  }
  if (ZERO_WORDS.has(t)) {
    const nextIsDigit = toks[i + 1] !== undefined && readPiece(toks, i + 1, true) !== null && !ZERO_WORDS.has(toks[i + 1]!.text);
    return inRun || nextIsDigit ? { digits: '0', next: i + 1 } : null;
  }
  if (t in TENS_WORDS) {
    const u = toks[i + 1]?.text;
    const tens = TENS_WORDS[t] as number;
    if (u !== undefined && u in DIGIT_WORDS && DIGIT_WORDS[u] !== 0) return { digits: String(tens + (DIGIT_WORDS[u] as number)), next: i + 2 };
    return { digits: String(tens), next: i + 1 };
  }
  if (t in UNIT_WORDS) {
    const d = String(UNIT_WORDS[t]);
    const n = toks[i + 1]?.text;
    if (d.length === 1 && n === 'hundred') return { digits: `${d}00`, next: i + 2 };
    if (d.length === 1 && n === 'thousand') return { digits: `${d}000`, next: i + 2 };
    return { digits: d, next: i + 1 };
  }
  return null;
}

function parseValid(digits: string, plus: boolean, country: CountryCode): string | null {
  if (digits.length < 7 || digits.length > 17) return null;
  try {
    let input = plus ? `+${digits}` : digits;
    if (!plus && digits.startsWith('00')) input = `+${digits.slice(2)}`;
    const p = parsePhoneNumberFromString(input, country);
    if (p?.isValid()) return p.number;
    if (!plus && digits.length >= 11) {
      const q = parsePhoneNumberFromString(`+${digits}`);
      if (q?.isValid()) return q.number;
    }
  } catch {
    return null;
  }
  return null;
}

function runs(toks: readonly LexToken[]): Piece[][] {
  const out: Piece[][] = [];
  let cur: Piece[] = [];
  let plusPending = false;
  const flush = (): void => {
    if (cur.length > 0) out.push(cur);
    cur = [];
  };
  let i = 0;
  while (i < toks.length) {
    const t = toks[i]!.text;
    if ((t === '+' || t === 'plus') && cur.length === 0) {
      const p = toks[i + 1] !== undefined ? readPiece(toks, i + 1, true) : null;
      if (p !== null) {
        plusPending = true;
        i++;
        continue;
      }
    }
    if (cur.length > 0 && SEPARATORS.has(t)) {
      i++;
      continue;
    }
    if (t === '(' && cur.length === 0) {
      i++;
      continue;
    }
    // money, not a phone: "$1500000", "1,500,000 dollars"
    if (/^\d/.test(t) && (t.includes(',') || /[a-z]$/.test(t) || toks[i - 1]?.text === '$' || /^[$€£₹]$/.test(toks[i - 1]?.text ?? ''))) {
      flush();
      plusPending = false;
      i++;
      continue;
    }
    const p = readPiece(toks, i, cur.length > 0);
    if (p === null) {
      flush();
      plusPending = false;
      i++;
      continue;
    }
    if (MONEY_AFTER.test(toks[p.next]?.text ?? '')) {
      flush();
      plusPending = false;
      i = p.next + 1;
      continue;
    }
    cur.push({ digits: p.digits, start: toks[i]!.start, end: toks[p.next - 1]!.end, plus: plusPending && cur.length === 0 });
    plusPending = false;
    if (cur.length >= MAX_RUN) flush();
    i = p.next;
  }
  flush();
  return out;
}

/** Every valid phone number in the text as E.164, in order. */
export function findPhones(norm: string, country: CountryCode): Array<Hit<string>> {
  const hits: Array<Hit<string>> = [];
  if (!/\d|zero|one|two|three|four|five|six|seven|eight|nine|\boh?\b/.test(norm)) return hits;
  for (const run of runs(lexTokens(norm))) {
    const total = run.reduce((n, p) => n + p.digits.length, 0);
    if (total < 7) continue;
    let s = 0;
    while (s < run.length) {
      let found = false;
      let digits = '';
      const ends: number[] = [];
      for (let e = s; e < run.length; e++) {
        digits += run[e]!.digits;
        if (digits.length > 17) break;
        ends.push(e);
      }
      // longest valid number starting at piece s
      for (let x = ends.length - 1; x >= 0; x--) {
        const e = ends[x]!;
        const d = run.slice(s, e + 1).map((p) => p.digits).join('');
        const value = parseValid(d, run[s]!.plus, country);
        if (value !== null) {
          hits.push({ value, start: run[s]!.start, end: run[e]!.end });
          s = e + 1;
          found = true;
          break;
        }
      }
      if (!found) s++;
    }
  }
  return hits;
}
