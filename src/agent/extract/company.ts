/**
 * The caller's own company: "maria garcia from brightpath logistics", "i'm with acme", "i work at
 * northwind", "ceo of northwind analytics", "our company is called fastship", or a bare answer
 * when Clara has just asked for it.
 */
import type { Hit } from './email.js';
import { isThirdParty } from './guards.js';
import { COMMON_WORDS, COMPANY_SUFFIXES, STOP_WORDS, TITLES } from './lexicon.js';
import { words, type Token } from './text.js';

/** Cues that are followed by the company name. `person` cues need a self-introduction before them. */
const CUES: { re: RegExp; needsIntroduction: boolean; needsSuffix?: boolean }[] = [
  // "we're meridian infra & projects ltd": only a name that ends like a company's.
  { re: /\b(?:we're|we are|this is|it's|its)\s+/g, needsIntroduction: false, needsSuffix: true },
  { re: /\b(?:company|business|firm|agency|practice|store|shop|startup|organisation|organization)(?:'s| is|\s*:)\s*(?:called\s+|named\s+)?/g, needsIntroduction: false },
  { re: /\b(?:company|business|firm|agency|practice|startup) (?:called|named)\s+/g, needsIntroduction: false },
  { re: /\b(?:i|we)\s+(?:work|am|are)\s+(?:at|for|with)\s+/g, needsIntroduction: false },
  { re: /\b(?:i'm|i am|we're|we are)\s+(?:calling\s+)?(?:with|from|at)\s+/g, needsIntroduction: false },
  { re: /\b(?:reaching out|writing|messaging|texting|emailing|calling) (?:you )?from\s+/g, needsIntroduction: false },
  // An answer that starts with where they are from: "uh from webb and daughters roofing".
  { re: /^(?:\s*(?:uh|um|er|and|oh|yeah|yes|so|sorry|it's|its)[\s,]+)*(?:from|with)\s+/g, needsIntroduction: false },
  // "i run a small dental practice reyes family dentistry": the name after what the business is.
  { re: /\b(?:i|we) (?:run|own|have|manage|are) (?:a|an|the) (?:[a-z]+ ){0,3}(?:practice|company|business|firm|shop|agency|clinic|store|restaurant|cafe|bakery|salon|studio|office|startup) (?:called |named )?/g, needsIntroduction: false },
  { re: /\bcalling (?:from|on behalf of)\s+/g, needsIntroduction: false },
  { re: /\b(?:i|we)\s+(?:own|run|founded|started|manage)\s+(?:a\s+company\s+called\s+)?/g, needsIntroduction: false },
  { re: /\b(?:owner|co-owner|founder|cofounder|co-founder|ceo|cfo|coo|cto|cmo|president|director|head|vp|manager|partner|lead|officer|engineer|rep|representative|analyst|consultant|coordinator|specialist|executive|associate|intern|assistant)\s+(?:of|at)\s+/g, needsIntroduction: false },
  // "jordan reyes @ brightoak", but never the @ inside an address.
  { re: /(?:\bhere )?(?:\b(?:from|with|at)\b|(?<![\w.])@)\s*/g, needsIntroduction: true },
];

/** Words that cannot open a company name after "from" / "with" (places, sources, people). */
const NOT_COMPANY = new Set(
  `home work google facebook instagram linkedin twitter youtube tiktok reddit yelp search website site ad ads email mail
friend friends colleague referral reference you your yours here there now today tomorrow yesterday
morning afternoon evening night lunch the a an this that my our his her their
place premises building business company firm restaurant shop store salon clinic practice office agency bakery cafe gym franchise location
growth sales marketing operations ops engineering product finance hr it partnerships people technology procurement
business development customer success revenue strategy design data security legal compliance support
chicago london new york boston texas california florida city town state country area downtown`.split(/\s+/),
);

const COMPANY_WORD = /^[a-z0-9\u00c0-\u024f&][a-z0-9\u00c0-\u024f&'.-]*$/;
const FILLERS = new Set(['uh', 'um', 'er', 'erm', 'ah', 'uhm']);
/** Words after a number that make it a count or a time, not a name: "12 staff", "10 am". */
const UNITS = new Set(`am pm staff employees people users seats agents reps members folks guys days weeks months years hours minutes percent k grand dollars euros pounds rupees locations stores sites calls leads customers clients hotels restaurants shops clinics offices branches units warehouses trucks vans cars sites franchises properties buildings`.split(' '));
/** Counts and times are never the start of a company name ("with twelve staff", "at 10am"). */
const NUMBER_WORD = /^(?:\d.*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|dozen|noon|midnight)$/;
const MAX_WORDS = 5;

function companyAt(norm: string, from: number): Hit<string> | undefined {
  const tokens = words(norm, from, Math.min(norm.length, from + 120));
  let i = 0;
  while (tokens[i] && (FILLERS.has(tokens[i]!.text) || (tokens[i]!.text === 'the' && tokens[i + 1]))) i++;
  const first = tokens[i];
  if (!first || first.start - from > 12 || !COMPANY_WORD.test(first.text)) return undefined;
  if (STOP_WORDS.has(first.text) || NOT_COMPANY.has(first.text) || TITLES.has(first.text)) return undefined;
  const second = tokens[i + 1]?.text ?? '';
  // "3 rivers hvac", "forty two degrees labs": a number opens a name only when a name follows it.
  const numberOpens = tokens.slice(i + 1).find((token) => !NUMBER_WORD.test(token.text))?.text ?? '';
  if (NUMBER_WORD.test(first.text) && !COMPANY_SUFFIXES.has(numberOpens) && (COMMON_WORDS.has(numberOpens) || STOP_WORDS.has(numberOpens) || UNITS.has(numberOpens) || numberOpens === '')) {
    return undefined;
  }
  // A common word opens a company only when a name-like word follows it ("price hvac", "fresh cuts").
  const secondIsName = (second !== '' && !STOP_WORDS.has(second) && !COMMON_WORDS.has(second) && !TITLES.has(second)) || second === 'and';
  if (COMMON_WORDS.has(first.text) && !COMPANY_SUFFIXES.has(second) && !secondIsName) return undefined;
  const taken: Token[] = [first];
  for (let k = i + 1; k < tokens.length && taken.length < MAX_WORDS; k++) {
    const token = tokens[k]!;
    const gap = norm.slice(taken[taken.length - 1]!.end, token.start);
    // "smith and sons": the "and" was let through below only because a company word follows it.
    if (!/^\s+$/.test(gap) && !/^\s*&\s*$/.test(gap) && !/^\s+and\s+$/.test(gap)) break;
    const w = token.text;
    if (COMPANY_SUFFIXES.has(w)) {
      taken.push(token);
      continue;
    }
    // "and" joins a name only when a company word follows it: "smith and sons", "price and lowe architects".
    const next = tokens[k + 1]?.text ?? '';
    const nameLike = (word: string) => word !== '' && !STOP_WORDS.has(word) && !COMMON_WORDS.has(word) && !TITLES.has(word);
    if (w === 'and' && (COMPANY_SUFFIXES.has(next) || nameLike(next))) continue;
    // A number inside a name is part of it when a name word follows: "kraftwerk 7 gmbh".
    const numberInName = NUMBER_WORD.test(w) && (COMPANY_SUFFIXES.has(next) || (nameLike(next) && !UNITS.has(next)));
    if (!numberInName && (STOP_WORDS.has(w) || COMMON_WORDS.has(w) || TITLES.has(w) || NUMBER_WORD.test(w))) break;
    taken.push(token);
  }
  const last = taken[taken.length - 1]!;
  return { value: norm.slice(first.start, last.end), start: first.start, end: last.end };
}

/** A self-introduction in the same sentence before `pos`: "i'm maria", "this is tom", "maria garcia". */
function introducedBefore(norm: string, pos: number, sentenceStart: number, nameEnds: number[]): boolean {
  const before = norm.slice(sentenceStart, pos);
  if (/\b(?:i'm|i am|im|this is|it's|its|my name is|name's|calling|here)\b/.test(before)) return true;
  // The caller's name earlier in the same sentence: "rebecca stone, vp sales at quantum leap".
  return nameEnds.some((end) => end <= pos && end >= sentenceStart);
}

/**
 * Every company the caller names as their own, in order. `nameEnds`: where the caller's own
 * name ends, so that "maria garcia from brightpath" reads as an introduction.
 */
export function findCompanies(
  norm: string,
  options: { bare: boolean; nameEnds: number[]; sentenceStart: (pos: number) => number },
): Array<Hit<string>> {
  const hits: Array<Hit<string> & { generic: boolean }> = [];
  for (const { re, needsIntroduction, needsSuffix } of CUES) {
    re.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = re.exec(norm)) !== null) {
      const at = match.index + match[0].length;
      if (needsSuffix) {
        const hit = companyAt(norm, at);
        const lastWord = hit?.value.split(/\s+/).at(-1) ?? '';
        if (hit && COMPANY_SUFFIXES.has(lastWord) && hit.value.includes(' ') && !hits.some((other) => other.start === hit.start)) hits.push({ ...hit, generic: false });
        continue;
      }
      const sentenceStart = options.sentenceStart(match.index);
      if (needsIntroduction && !introducedBefore(norm, match.index, sentenceStart, options.nameEnds)) continue;
      if (isThirdParty(norm, match.index, sentenceStart)) continue;
      const hit = companyAt(norm, at);
      if (hit && !hits.some((other) => other.start === hit.start)) hits.push({ ...hit, generic: needsIntroduction });
    }
  }
  // "hi, sam park, parkside cafe": the company right after the caller's name and a comma.
  for (const end of options.nameEnds) {
    const comma = /^\s*(?:here\s*)?,\s*/.exec(norm.slice(end));
    if (!comma) continue;
    const hit = companyAt(norm, end + comma[0].length);
    // Only when the company ends the sentence: "ana lopez, ana.lopez@..." is an address, not a company.
    if (hit && /^\s*(?:[.,!?](?![\w@])|$|[^\w\s@.,])/.test(norm.slice(hit.end)) && !hits.some((other) => other.start === hit.start)) hits.push({ ...hit, generic: false });
  }
  // A loose "at ..." or "with ..." counts only when nothing said more clearly names the company.
  const clear = hits.filter((hit) => !hit.generic);
  if (clear.length > 0) hits.splice(0, hits.length, ...clear);
  if (options.bare && hits.length === 0) {
    const answer = norm.replace(/^[\s,]*(?:(?:sure|yes|yeah|ok|okay|um|uh|it's|its|it is|we're|we are|i'm with|i work for|i work at|the company is|company is|called|it's called)[\s,!.]+)*/, '');
    const hit = companyAt(norm, norm.length - answer.length);
    if (hit && /^[\s.!,]*$/.test(norm.slice(hit.end))) hits.push({ ...hit, generic: false });
  }
  return hits.sort((a, b) => a.start - b.start).map(({ value, start, end }) => ({ value, start, end }));
}
