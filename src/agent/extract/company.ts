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
const CUES: { re: RegExp; needsIntroduction: boolean }[] = [
  { re: /\b(?:company|business|firm|agency|practice|store|shop|startup|organisation|organization)(?:'s| is)\s+(?:called\s+|named\s+)?/g, needsIntroduction: false },
  { re: /\b(?:company|business|firm|agency|practice|startup) (?:called|named)\s+/g, needsIntroduction: false },
  { re: /\b(?:i|we)\s+(?:work|am|are)\s+(?:at|for|with)\s+/g, needsIntroduction: false },
  { re: /\b(?:i'm|i am|we're|we are)\s+(?:calling\s+)?(?:with|from)\s+/g, needsIntroduction: false },
  { re: /\bcalling (?:from|on behalf of)\s+/g, needsIntroduction: false },
  { re: /\b(?:i|we)\s+(?:own|run|founded|started|manage)\s+(?:a\s+company\s+called\s+)?/g, needsIntroduction: false },
  { re: /\b(?:owner|co-owner|founder|cofounder|co-founder|ceo|cfo|coo|cto|cmo|president|director|head|vp|manager|partner)\s+(?:of|at)\s+/g, needsIntroduction: false },
  { re: /\b(?:here )?(?:from|with|at)\s+/g, needsIntroduction: true },
];

/** Words that cannot open a company name after "from" / "with" (places, sources, people). */
const NOT_COMPANY = new Set(
  `home work google facebook instagram linkedin twitter youtube tiktok reddit yelp search website site ad ads email mail
friend friends colleague referral reference you your yours here there now today tomorrow yesterday
morning afternoon evening night lunch the a an this that my our his her their
chicago london new york boston texas california florida city town state country area downtown`.split(/\s+/),
);

const COMPANY_WORD = /^[a-z0-9\u00c0-\u024f&][a-z0-9\u00c0-\u024f&'.-]*$/;
const MAX_WORDS = 5;

function companyAt(norm: string, from: number): Hit<string> | undefined {
  const tokens = words(norm, from, Math.min(norm.length, from + 120));
  let i = 0;
  if (tokens[0]?.text === 'the' && tokens[1] && tokens[0].start - from <= 1) i = 1;
  const first = tokens[i];
  if (!first || first.start - from > 5 || !COMPANY_WORD.test(first.text)) return undefined;
  if (STOP_WORDS.has(first.text) || NOT_COMPANY.has(first.text) || TITLES.has(first.text)) return undefined;
  if (COMMON_WORDS.has(first.text) && !COMPANY_SUFFIXES.has(tokens[i + 1]?.text ?? '')) return undefined;
  const taken: Token[] = [first];
  for (let k = i + 1; k < tokens.length && taken.length < MAX_WORDS; k++) {
    const token = tokens[k]!;
    const gap = norm.slice(taken[taken.length - 1]!.end, token.start);
    if (!/^\s+$/.test(gap) && gap !== ' & ') break;
    const w = token.text;
    if (COMPANY_SUFFIXES.has(w)) {
      taken.push(token);
      continue;
    }
    // "and" joins a name ("smith and sons") only when a company word follows it.
    if (w === 'and' && tokens[k + 1] && COMPANY_SUFFIXES.has(tokens[k + 1]!.text)) continue;
    if (STOP_WORDS.has(w) || COMMON_WORDS.has(w) || TITLES.has(w) || /^\d+$/.test(w)) break;
    taken.push(token);
  }
  const last = taken[taken.length - 1]!;
  return { value: norm.slice(first.start, last.end), start: first.start, end: last.end };
}

/** A self-introduction in the same sentence before `pos`: "i'm maria", "this is tom", "maria garcia". */
function introducedBefore(norm: string, pos: number, sentenceStart: number, nameEnds: number[]): boolean {
  const before = norm.slice(sentenceStart, pos);
  if (/\b(?:i'm|i am|im|this is|it's|its|my name is|name's|calling|here)\b/.test(before)) return true;
  return nameEnds.some((end) => end <= pos && pos - end <= 2);
}

/**
 * Every company the caller names as their own, in order. `nameEnds`: where the caller's own
 * name ends, so that "maria garcia from brightpath" reads as an introduction.
 */
export function findCompanies(
  norm: string,
  options: { bare: boolean; nameEnds: number[]; sentenceStart: (pos: number) => number },
): Array<Hit<string>> {
  const hits: Array<Hit<string>> = [];
  for (const { re, needsIntroduction } of CUES) {
    re.lastIndex = 0;
    let match: RegExpExecArray | null;
    while ((match = re.exec(norm)) !== null) {
      const at = match.index + match[0].length;
      const sentenceStart = options.sentenceStart(match.index);
      if (needsIntroduction && !introducedBefore(norm, match.index, sentenceStart, options.nameEnds)) continue;
      if (isThirdParty(norm, match.index, sentenceStart)) continue;
      const hit = companyAt(norm, at);
      if (hit && !hits.some((other) => other.start === hit.start)) hits.push(hit);
    }
  }
  if (options.bare && hits.length === 0) {
    const answer = norm.replace(/^[\s,]*(?:(?:sure|yes|yeah|ok|okay|um|uh|it's|its|it is|we're|we are|i'm with|i work for|i work at|the company is|company is|called|it's called)[\s,!.]+)*/, '');
    const hit = companyAt(norm, norm.length - answer.length);
    if (hit && /^[\s.!,]*$/.test(norm.slice(hit.end))) hits.push(hit);
  }
  return hits.sort((a, b) => a.start - b.start);
}
