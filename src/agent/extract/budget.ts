/**
 * A budget: an amount of money the caller says they can spend. "our budget is around 20k",
 * "a hundred and twenty grand", "€50.000", "5 lakh rupees", "between 10 and 20 thousand" (the
 * lower bound), "we have fifty thousand dollars set aside". A number only counts as a budget
 * when the sentence talks about spending, or when Clara has just asked for the budget: "we lose
 * 10k a month in missed calls" is not one.
 */
import type { Hit } from './email.js';
import { lexTokens, parseNumber, type LexToken } from './numbers.js';

export interface Money {
  amount: number;
  currency: string;
}

const SYMBOLS: Readonly<Record<string, string>> = {
  $: 'USD', '€': 'EUR', '£': 'GBP', '₹': 'INR', '¥': 'JPY', '₦': 'NGN', '₩': 'KRW', '₱': 'PHP', '₺': 'TRY', '₽': 'RUB', '₫': 'VND', '₪': 'ILS',
};

/** Currency words after the amount, one or two tokens. */
const CURRENCY_WORDS: ReadonlyArray<[RegExp, string]> = [
  [/^(?:usd|dollars?|bucks|us dollars?|american dollars?)$/, 'USD'],
  [/^(?:eur|euros?)$/, 'EUR'],
  [/^(?:gbp|pounds?|quid|sterling|pounds sterling)$/, 'GBP'],
  [/^(?:inr|rupees?|rs)$/, 'INR'],
  [/^(?:cad|canadian dollars?|canadian)$/, 'CAD'],
  [/^(?:aud|australian dollars?|australian)$/, 'AUD'],
  [/^(?:nzd|new zealand dollars?)$/, 'NZD'],
  [/^(?:sgd|singapore dollars?)$/, 'SGD'],
  [/^(?:chf|swiss francs?|francs?)$/, 'CHF'],
  [/^(?:jpy|yen)$/, 'JPY'],
  [/^(?:aed|dirhams?)$/, 'AED'],
  [/^(?:zar|rand)$/, 'ZAR'],
  [/^(?:mxn|pesos?|mexican pesos?)$/, 'MXN'],
  [/^(?:brl|reais|reals?)$/, 'BRL'],
  [/^(?:sek|kronor|swedish kronor)$/, 'SEK'],
  [/^(?:ngn|naira)$/, 'NGN'],
  [/^(?:kes|shillings?|kenyan shillings?)$/, 'KES'],
];

/** Bare amounts are in the currency of the caller's country. */
const COUNTRY_CURRENCY: Readonly<Record<string, string>> = {
  US: 'USD', GB: 'GBP', IN: 'INR', CA: 'CAD', AU: 'AUD', NZ: 'NZD', SG: 'SGD', CH: 'CHF', JP: 'JPY', AE: 'AED', ZA: 'ZAR',
  MX: 'MXN', BR: 'BRL', SE: 'SEK', IE: 'EUR', DE: 'EUR', FR: 'EUR', ES: 'EUR', IT: 'EUR', NL: 'EUR', BE: 'EUR', AT: 'EUR',
  PT: 'EUR', FI: 'EUR', GR: 'EUR', LU: 'EUR',
};

export function currencyOfCountry(country: string): string {
  return COUNTRY_CURRENCY[country] ?? 'USD';
}

/** Talk about spending: the amounts in such a sentence are a budget. */
const BUDGET_CONTEXT =
  /\b(?:budget\w*|spend\w*|afford|set aside|put aside|earmarked|allocat\w*|invest\w*|pay|paying|price range|range|ballpark|up to|max(?:imum)?|cap|willing|approved|sign off on|looking at|thinking|expect\w*|plan(?:ning)? to|can do|could do|have about|have around|got about|got around|around|about|roughly|approximately|between|somewhere|have|got|more like|closer to|realistically|ideally|maybe|probably|like|i meant|meant|make (?:that|it)|change (?:that|it) to|set aside|for (?:this|it|the (?:whole )?project)|at least|at most|no more than|under|below)\b/;
/** Money that is not what they can spend: losses, revenue, salaries, prices of others. */
const NOT_BUDGET = /\b(?:competitors?|pays|they pay|charge[sd]?|los(?:e|ing|t|s)|revenue|sales of|turnover|(?:we|they|i) make|making|made|earn\w*|salary|salaries|cost(?:s|ing)? us|wast\w*|per lead|per call|fine|penalty|raised|valuation|worth)\b/;

const SCALE_VALUES: Readonly<Record<string, number>> = {
  k: 1e3, grand: 1e3, thousand: 1e3, m: 1e6, mm: 1e6, mn: 1e6, mil: 1e6, million: 1e6, millions: 1e6, b: 1e9, bn: 1e9, billion: 1e9,
  l: 1e5, lakh: 1e5, lakhs: 1e5, lac: 1e5, lacs: 1e5, cr: 1e7, crore: 1e7, crores: 1e7,
};

/** The multiplier that scale words and suffixes apply ("20 thousand" -> 1000). */
function scaleOf(scales: readonly string[]): number {
  return scales.reduce((factor, scale) => factor * (SCALE_VALUES[scale] ?? 1), 1);
}

const SCALE_AFTER = /^(?:k|grand|thousand|million|mil|mn|m|lakhs?|lacs?|crores?|cr|bn|billion)$/;

function currencyAfter(tokens: readonly LexToken[], i: number): { currency: string; next: number } | undefined {
  const one = tokens[i]?.text;
  const two = one !== undefined && tokens[i + 1] ? `${one} ${tokens[i + 1]!.text}` : undefined;
  for (const [re, code] of CURRENCY_WORDS) {
    if (two !== undefined && re.test(two)) return { currency: code, next: i + 2 };
  }
  for (const [re, code] of CURRENCY_WORDS) {
    if (one !== undefined && re.test(one)) return { currency: code, next: i + 1 };
  }
  return undefined;
}

interface AmountHit extends Hit<Money> {
  /** A currency was said or written (not assumed from the country). */
  explicit: boolean;
}

const ISO_BEFORE = /^(?:usd|eur|gbp|inr|cad|aud|nzd|sgd|chf|jpy|aed|zar|mxn|brl|sek|ngn|kes|php|krw)$/;

/**
 * Rewrites, keeping every index in place, what the number reader does not know: thousands
 * grouped by spaces ("30 000 €" -> "30,000 €") and "a couple (of) hundred" (-> "two hundred").
 */
function normaliseAmounts(norm: string): string {
  return norm
    .replace(/(?<![\d,.])\d{1,3}(?: \d{3})+(?![\d,.])(?=\s*(?:€|\$|£|₹|eur|euros?|dollars?|pounds?|usd|gbp|inr|cad|aud|rupees?)\b|\s*[€$£₹])/g, (amount) => amount.replace(/ /g, ','))
    .replace(/(?<=[€$£₹]\s?)\d{1,3}(?: \d{3})+(?![\d,.])/g, (amount) => amount.replace(/ /g, ','))
    .replace(/\ba couple(?: of)? (?=hundred|thousand|million|grand|lakhs?|crores?)/g, (phrase) => `${' '.repeat(phrase.length - 4)}two `);
}

/** Every amount of money in the text, in order, with the lower bound of a range. */
function findAmounts(norm: string, country: string, requireMarker: boolean): AmountHit[] {
  const tokens = lexTokens(normaliseAmounts(norm));
  const hits: AmountHit[] = [];
  for (let i = 0; i < tokens.length; i++) {
    // "€50k", and the ISO code in front as invoices write it: "CAD 75,000".
    const symbol = SYMBOLS[tokens[i]!.text] ?? (ISO_BEFORE.test(tokens[i]!.text) && /^\d/.test(tokens[i + 1]?.text ?? '') ? tokens[i]!.text.toUpperCase() : undefined);
    const startIndex = symbol ? i + 1 : i;
    const parsed = parseNumber(tokens, startIndex);
    if (!parsed) continue;
    let value = parsed.value;
    let next = parsed.next;
    let scaled = parsed.scales.length > 0;
    // "twenty five k", "ten grand", "two mil": a scale said as its own word after spoken digits.
    const unit = tokens[next]?.text;
    if (!scaled && unit !== undefined && /^(?:grand|k|mil)$/.test(unit)) {
      value *= unit === 'mil' ? 1e6 : 1000;
      next++;
      scaled = true;
    }
    // A range: "10 to 20k", "between 10 and 20 thousand", "10-20k": the lower bound, scaled like the upper.
    const joiner = tokens[next]?.text;
    if (joiner === 'to' || joiner === '-' || joiner === 'and' || joiner === 'or') {
      const upperStart = tokens[next + 1] && SYMBOLS[tokens[next + 1]!.text] ? next + 2 : next + 1;
      const upper = parseNumber(tokens, upperStart);
      if (upper) {
        let upperValue = upper.value;
        let upperNext = upper.next;
        const upperScales = [...upper.scales];
        if (tokens[upperNext]?.text === 'grand') {
          upperValue *= 1000;
          upperNext++;
          upperScales.push('grand');
        }
        const lower = scaled ? value : value * scaleOf(upperScales);
        if (upperValue > value && lower <= upperValue) {
          value = lower;
          scaled = scaled || upperScales.length > 0;
          next = upperNext;
        }
      }
    }
    let currency = symbol;
    // "30 000 €": the symbol after the amount, as much of Europe writes it.
    if (!currency && SYMBOLS[tokens[next]?.text ?? ''] !== undefined) {
      currency = SYMBOLS[tokens[next]!.text];
      next++;
    }
    const after = currencyAfter(tokens, next);
    if (after) {
      currency = currency ?? after.currency;
      next = after.next;
    }
    const usesIndianScale = parsed.scales.some((s) => /^(?:lakhs?|lacs?|crores?|cr|l)$/.test(s));
    if (!currency && usesIndianScale) currency = 'INR';
    const marked = Boolean(currency) || scaled || tokens[next - 1]?.text === 'grand' || SCALE_AFTER.test(tokens[parsed.next - 1]?.text ?? '');
    if (requireMarker && !marked) continue;
    if (!Number.isFinite(value) || value <= 0 || value >= 1e12) continue;
    const start = tokens[i]!.start;
    const end = tokens[next - 1]!.end;
    hits.push({ value: { amount: Math.round(value * 100) / 100, currency: currency ?? currencyOfCountry(country) }, start, end, explicit: Boolean(currency) });
    i = next - 1;
  }
  return hits;
}

/**
 * The caller's budget, if they state one: the last amount said in a sentence about spending
 * (a correction comes later), or any amount when Clara has just asked for the budget.
 */
export function findBudget(
  norm: string,
  options: { country: string; expecting: boolean; sentenceOf: (pos: number) => { start: number; end: number } },
): Hit<Money> | undefined {
  let found: Hit<Money> | undefined;
  const marked = new Set(findAmounts(norm, options.country, true).map((hit) => hit.start));
  for (const hit of findAmounts(norm, options.country, false)) {
    // A bare number counts only right after the word budget: "budget like 300/mo max".
    // Money said with a currency or a scale outranks bare numbers ("half a million for year one").
    if (!marked.has(hit.start) && marked.size > 0) continue;
    if (!options.expecting && !marked.has(hit.start) && !/\bbudget(?:'s|s|ed)?\b(?!_)[^.?!\d]{0,20}$/.test(norm.slice(Math.max(0, hit.start - 30), hit.start))) continue;
    const sentence = options.sentenceOf(hit.start);
    // The words around the amount, within its sentence, decide what it is.
    // Not cut at the sentence start: "budget: max. 25.000 eur" splits at the abbreviation.
    const before = norm.slice(Math.max(0, hit.start - 60), hit.start).split(/[?!\n]/).at(-1) ?? '';
    const after = norm.slice(hit.end, Math.min(sentence.end, hit.end + 40));
    const around = `${before} ${after}`;
    if (NOT_BUDGET.test(around) && !/\bbudget/.test(around)) continue;
    if (/^\s*(?:%|percent|people|employees|staff|users|seats|agents|calls|leads|locations|stores|years?|months?|weeks?|days?|hours?|minutes?)\b/.test(after)) continue;
    if (!options.expecting && !BUDGET_CONTEXT.test(around)) continue;
    // "sixty thousand not eighty": the amount after "not" is the one taken back.
    if (/\bnot\s*$/.test(norm.slice(Math.max(0, hit.start - 6), hit.start))) continue;
    found = hit;
  }
  return found;
}
