/**
 * Numbers as people type and say them: "20,000", "1.5", "20k", "twenty five",
 * "a hundred and twenty", "one point five million", "half a million", "5 lakh".
 */

export interface LexToken {
  text: string;
  start: number;
  end: number;
}

/** Numeric runs (with inner , and . and a letter suffix), words, and single symbols. */
export function lexTokens(s: string, from = 0, to = s.length): LexToken[] {
  const out: LexToken[] = [];
  const re = /\d+(?:[.,]\d+)*[a-z]*|[a-z\u00c0-\u024f]+(?:'[a-z]+)*|[^\s\w]/g;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    if (m.index >= to) break;
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

export const DIGIT_WORDS: Readonly<Record<string, number>> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
};

export const UNIT_WORDS: Readonly<Record<string, number>> = {
  ...DIGIT_WORDS,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
};

export const TENS_WORDS: Readonly<Record<string, number>> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
};

export const SCALE_WORDS: Readonly<Record<string, number>> = {
  thousand: 1e3,
  million: 1e6,
  millions: 1e6,
  billion: 1e9,
  lakh: 1e5,
  lakhs: 1e5,
  lac: 1e5,
  lacs: 1e5,
  crore: 1e7,
  crores: 1e7,
};

const SUFFIX_MULT: Readonly<Record<string, number>> = {
  k: 1e3,
  m: 1e6,
  mm: 1e6,
  mn: 1e6,
  mil: 1e6,
  b: 1e9,
  bn: 1e9,
  l: 1e5,
  lakh: 1e5,
  lakhs: 1e5,
  cr: 1e7,
  crore: 1e7,
  crores: 1e7,
};

export interface NumericToken {
  value: number;
  /** the letter suffix, e.g. "k" in "20k" ("" if none) */
  suffix: string;
  /** value before the suffix multiplier */
  base: number;
  /** digits only, e.g. "5551234567" for "555.123.4567" */
  digits: string;
}

/** Reads "20,000", "1.5", "20k", "2cr". Ordinals and clock suffixes ("3rd", "3pm") are not amounts. */
export function readNumeric(tok: string): NumericToken | null {
  const m = /^(\d+(?:[.,]\d+)*)([a-z]*)$/.exec(tok);
  if (!m) return null;
  const body = m[1] as string;
  const suffix = m[2] as string;
  const digits = body.replace(/\D/g, '');
  let base: number;
  const parts = body.split(/([.,])/);
  if (parts.length === 1) base = Number(body);
  else {
    const seps = parts.filter((_p, i) => i % 2 === 1);
    const groups = parts.filter((_p, i) => i % 2 === 0);
    const lastGroup = groups[groups.length - 1] as string;
    const thousandsOnly = groups.slice(1).every((g) => g.length === 3) && new Set(seps).size === 1;
    // three digits after a lone dot are thousands ("€50.000"): prices never carry three decimals
    if (thousandsOnly) base = Number(groups.join(''));
    else if (seps.length === 1) base = Number(`${groups[0]}.${lastGroup}`);
    else if (seps.length === 2 && seps[0] === ',' && seps[1] === '.' && groups[1]?.length === 3)
      base = Number(`${groups[0]}${groups[1]}.${lastGroup}`);
    else if (seps.length === 2 && seps[0] === '.' && seps[1] === ',' && groups[1]?.length === 3)
      base = Number(`${groups[0]}${groups[1]}.${lastGroup}`);
    else base = Number.NaN;
  }
  if (!Number.isFinite(base)) return { value: Number.NaN, suffix, base: Number.NaN, digits };
  if (suffix === '') return { value: base, suffix, base, digits };
  const mult = SUFFIX_MULT[suffix];
  if (mult === undefined) return null;
  return { value: base * mult, suffix, base, digits };
}

export interface ParsedNumber {
  value: number;
  /** index of the first token after the number */
  next: number;
  /** the scale words and suffixes used ("thousand", "lakh", "k") */
  scales: string[];
  /** true if written with digits */
  numeric: boolean;
}

function isNumberWord(t: string | undefined): boolean {
  return t !== undefined && (t in UNIT_WORDS || t in TENS_WORDS);
}

/**
 * Parses the number starting at toks[i]; null if none. Stops before anything it does not
 * understand, so "five five five" reads as 5 (phone digits are handled elsewhere).
 */
export function parseNumber(toks: readonly LexToken[], i: number): ParsedNumber | null {
  let total = 0;
  let current = 0;
  let consumed = false;
  let numeric = false;
  let last = '';
  const scales: string[] = [];
  let j = i;
  const at = (k: number): string | undefined => toks[k]?.text;

  while (j < toks.length) {
    const t = at(j) as string;
    if (!consumed && /^\d/.test(t)) {
      const n = readNumeric(t);
      if (n === null || !Number.isFinite(n.value)) return null;
      current = n.value;
      if (n.suffix !== '') scales.push(n.suffix);
      consumed = true;
      numeric = true;
      last = n.suffix !== '' ? 'suffix' : 'num';
      j++;
      if (n.suffix !== '') break;
      continue;
    }
    if (!consumed && (t === 'a' || t === 'an') && (at(j + 1) === 'hundred' || (at(j + 1) ?? '') in SCALE_WORDS)) {
      current = 1;
      consumed = true;
      last = 'unit';
      j++;
      continue;
    }
    if (!consumed && t === 'half' && (at(j + 1) === 'a' || at(j + 1) === 'an') && (at(j + 2) ?? '') in SCALE_WORDS) {
      current = 0.5;
      consumed = true;
      last = 'unit';
      j += 2;
      continue;
    }
    if (t in UNIT_WORDS) {
      const u = UNIT_WORDS[t] as number;
      if (!consumed) current = u;
      else if (last === 'tens' && u < 10) current += u;
      else if ((last === 'hundred' || last === 'scale' || last === 'and') && current % 100 === 0) current += u;
      else break;
      consumed = true;
      last = u < 10 ? 'digit' : 'teen';
      j++;
      continue;
    }
    if (t in TENS_WORDS) {
      const v = TENS_WORDS[t] as number;
      if (!consumed) current = v;
      else if ((last === 'hundred' || last === 'scale' || last === 'and') && current % 100 === 0) current += v;
      else break;
      consumed = true;
      last = 'tens';
      j++;
      continue;
    }
    if (t === '-' && last === 'tens' && (at(j + 1) ?? '') in DIGIT_WORDS) {
      j++;
      continue;
    }
    if (t === 'hundred' && consumed && current >= 1 && current < 100 && last !== 'hundred') {
      current *= 100;
      last = 'hundred';
      j++;
      continue;
    }
    if (t in SCALE_WORDS && consumed && last !== 'scale') {
      const sc = SCALE_WORDS[t] as number;
      if (current === 0 && total === 0) break;
      total += (current === 0 ? 1 : current) * sc;
      current = 0;
      scales.push(t);
      last = 'scale';
      j++;
      continue;
    }
    if (t === 'and' && consumed && at(j + 1) === 'a' && at(j + 2) === 'half' && last !== 'scale') {
      current += 0.5;
      j += 3;
      last = 'half';
      continue;
    }
    if (t === 'and' && (last === 'hundred' || last === 'scale') && isNumberWord(at(j + 1))) {
      last = 'and';
      j++;
      continue;
    }
    if ((t === 'point' || t === '.') && consumed && !numeric && Number.isInteger(current) && (at(j + 1) ?? '') in DIGIT_WORDS) {
      let frac = '';
      let k = j + 1;
      while ((at(k) ?? '') in DIGIT_WORDS) {
        frac += String(DIGIT_WORDS[at(k) as string]);
        k++;
      }
      current = Number(`${current}.${frac}`);
      last = 'point';
      j = k;
      continue;
    }
    break;
  }
  if (!consumed) return null;
  return { value: total + current, next: j, scales, numeric };
}

/** The whole string must be one number ("twelve", "about 50", "200"). */
export function parseWholeNumber(s: string): number | null {
  const toks = lexTokens(s.replace(/\b(?:about|around|roughly|approximately|maybe|like|just|over|under|nearly|almost)\b/g, ' '));
  if (toks.length === 0) return null;
  const p = parseNumber(toks, 0);
  if (p === null) return null;
  const rest = toks.slice(p.next).filter((t) => !/^[.,!?+~]$/.test(t.text));
  return rest.length === 0 ? p.value : null;
}
