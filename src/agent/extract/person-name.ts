/**
 * The caller's own name: "my name is maria garcia", "this is tom", "hi im sam park from ...",
 * "maria here", or a bare answer ("priya shah") when Clara has just asked for it.
 */
import type { Hit } from './email.js';
import { COMMON_WORDS, STOP_WORDS, TITLES } from './lexicon.js';
import { isThirdParty } from './guards.js';
import { words, type Token } from './text.js';

/** Cues after which a name is all but certain. */
const STRONG_CUES = /\b(?:my name is|my name's|(?<!(?:company|business|website|brand|firm|store|shop|practice|account|user|file|domain|team|product|app)\s)(?:name is|name's)|the name is|call me|you can call me|you're speaking (?:with|to)|you are speaking (?:with|to)|this is|it's|its|it is)\s+(?:actually\s+|just\s+|mister\s+|mr\.?\s+|mrs\.?\s+|ms\.?\s+|dr\.?\s+)?/g;
/** "i'm X" also says "i'm happy", "i'm calling": the name must look like one. */
const WEAK_CUES = /\b(?:i'm|i am|im)\s+(?:actually\s+)?/g;

/** Words that describe a state or a thing, not a person, after "i'm" or "this is". */
const NOT_NAMES = new Set(
  `urgent important exciting perfect amazing awesome cool weird odd crazy frustrating ridiculous expensive cheap helpful useful
super keen eager excited keen stressed swamped overwhelmed unsure uncertain positive negative certain confused unhappy
calling phoning texting messaging emailing reaching following wondering hoping trying looking interested
existing current former new potential prospective returning regular loyal long-time longtime
fine ok okay good great well alright here there back home out away in on off up down
regarding about re concerning also still already definitely probably interested
gonna going want wanting need needing have having had get getting got run running own owning
the a an just only not no yes sure glad happy sorry afraid able unable allowed supposed meant
responsible charge charged involved based located working looking considering evaluating comparing
customer client user member subscriber partner vendor supplier buyer owner founder ceo manager`.split(/\s+/),
);

const NAME_WORD = /^[a-z\u00c0-\u024f][a-z\u00c0-\u024f'-]*$/;

function isNameWord(token: Token | undefined): token is Token {
  if (!token) return false;
  const w = token.text;
  return NAME_WORD.test(w) && w.length > 1 && !COMMON_WORDS.has(w) && !STOP_WORDS.has(w) && !TITLES.has(w) && !NOT_NAMES.has(w);
}

/** Adjective and verb endings: "i'm thrilled", "i'm curious". Names rarely end like this. */
const NON_NAME_ENDING = /(?:ing|ed|ly|ful|ous|ive|able|ible|less|ish)$/;

/** One to three name words starting at `from`, stopping at the first word that cannot be a name. */
function nameAt(norm: string, from: number, strong: boolean): Hit<string> | undefined {
  const tokens = words(norm, from, Math.min(norm.length, from + 80));
  const first = tokens[0];
  if (!first || first.start - from > 2 || !isNameWord(first)) return undefined;
  if (!strong && NON_NAME_ENDING.test(first.text)) return undefined;
  const taken: Token[] = [first];
  for (let i = 1; i < tokens.length && taken.length < 3; i++) {
    const token = tokens[i]!;
    const gap = norm.slice(taken[taken.length - 1]!.end, token.start);
    if (!/^\s+$/.test(gap) || !isNameWord(token) || NON_NAME_ENDING.test(token.text)) break;
    taken.push(token);
  }
  // After "i'm", a lone word must be followed by something a self-introduction has.
  if (!strong) {
    const after = norm.slice(taken[taken.length - 1]!.end).trimStart();
    const introduces = after === '' || /^(?:[,.!?;-]|from\b|with\b|at\b|and\b|here\b|calling\b|of\b|over\b|speaking\b|the\b|i\b|i'm\b|ceo\b|owner\b|founder\b|we\b|our\b|my\b)/.test(after);
    if (!introduces) return undefined;
  }
  const last = taken[taken.length - 1]!;
  return { value: norm.slice(first.start, last.end), start: first.start, end: last.end };
}

function* cueMatches(norm: string, cue: RegExp): Generator<number> {
  cue.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = cue.exec(norm)) !== null) {
    yield match.index + match[0].length;
    if (match[0].length === 0) cue.lastIndex++;
  }
}

/**
 * Every name the caller gives for themself, in order (a correction comes later and wins).
 * `bare`: Clara just asked for the name, so an utterance that is only a name is one.
 */
export function findPersonNames(norm: string, options: { bare: boolean; sentenceStart: (pos: number) => number }): Array<Hit<string>> {
  const hits: Array<Hit<string>> = [];
  const consider = (at: number, strong: boolean, cueStart: number) => {
    const hit = nameAt(norm, at, strong);
    if (!hit || isThirdParty(norm, cueStart, options.sentenceStart(cueStart))) return;
    // "this is" / "it's" only introduce someone at the start of what they say.
    hits.push(hit);
  };
  for (const at of cueMatches(norm, STRONG_CUES)) {
    const cue = norm.slice(0, at).match(/(?:this is|it's|its|it is)\s+(?:actually\s+|just\s+)?$/);
    if (cue) {
      const cueStart = at - cue[0].length;
      const lead = norm.slice(options.sentenceStart(cueStart), cueStart);
      // "this is X" introduces only at the start ("hi, this is maria"), not "this is important".
      if (!/^[\s,]*(?:(?:hi|hello|hey|yes|yeah|sure|ok|okay|oh|um|uh|well|good (?:morning|afternoon|evening)|sorry|no|actually|and|so)[\s,!.]+)*$/.test(lead)) continue;
      consider(at, false, cueStart);
      continue;
    }
    consider(at, true, at);
  }
  for (const at of cueMatches(norm, WEAK_CUES)) consider(at, false, at);

  // "maria here", "tom from ridgeline": a name opening the utterance.
  const opening = norm.match(/^[\s,]*(?:(?:hi|hello|hey|yo|good (?:morning|afternoon|evening))[\s,!.]+)?(?:there[\s,!.]+)?/);
  if (opening) {
    const hit = nameAt(norm, opening[0].length, true);
    if (hit && /^\s*(?:here\b|from\b|calling\b|with\b|at\b|of\b)/.test(norm.slice(hit.end))) hits.push(hit);
  }

  if (options.bare && hits.length === 0) {
    const answer = norm.replace(/^[\s,]*(?:(?:sure|yes|yeah|ok|okay|of course|um|uh|it's|its|i'm|im|me|hi|hello)[\s,!.]+)*/, '');
    const start = norm.length - answer.length;
    const hit = nameAt(norm, start, true);
    if (hit && /^[\s.!,]*(?:thanks|thank you)?[\s.!]*$/.test(norm.slice(hit.end))) hits.push(hit);
  }
  return hits.sort((a, b) => a.start - b.start);
}
