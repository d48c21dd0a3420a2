/**
 * The caller's own name: "my name is maria garcia", "this is tom", "hi im sam park from ...",
 * "maria here", or a bare answer ("priya shah") when Clara has just asked for it.
 */
import type { Hit } from './email.js';
import { COMMON_WORDS, STOP_WORDS, TITLES } from './lexicon.js';
import { isThirdParty } from './guards.js';
import { words, type Token } from './text.js';

/** Cues after which a name is all but certain. */
const STRONG_CUES = /(?:^|[\s;,])(?:name\s*:\s*|full name\s*:\s*)|\b(?:my name is|my name's|(?<!(?:company|business|website|brand|firm|store|shop|practice|account|user|file|domain|team|product|app)\s)(?:name is|name's)|the name is|call me|you can call me|you're speaking (?:with|to)|you are speaking (?:with|to)|this is|it's|its|it is)\s+(?:actually\s+|just\s+|mister\s+|missus\s+|mr\.?\s+|mrs\.?\s+|ms\.?\s+|dr\.?\s+|doctor\s+|prof\.?\s+|professor\s+)?/g;
/** "i'm X" also says "i'm happy", "i'm calling": the name must look like one. */
const WEAK_CUES = /\b(?:i'm|i am|im)\s+(?:actually\s+|mister\s+|mr\.?\s+|mrs\.?\s+|ms\.?\s+|dr\.?\s+|doctor\s+|prof\.?\s+|professor\s+)?/g;

/** Greetings a self-introduction may open with, in the languages callers mix in. */
const GREETING = "(?:hi|hiya|hello|hey|heya|yo|howdy|g'day|morning|afternoon|evening|good (?:morning|afternoon|evening|day)|bonjour|hallo|hola|ciao|salut|namaste|hej|greetings)";

/** Hesitations a speech-to-text transcript keeps: "my name is uh derek". */
const FILLERS = new Set(['uh', 'um', 'er', 'erm', 'ah', 'uhm', 'hmm', 'mm']);
/** What may follow a self-introduction: "maria here", "tom from ridgeline", "sam park, parkside cafe". */
const INTRODUCTION_FOLLOWS = new RegExp(
  `^(?:[,.!?;:@-]|from\\b|with\\b|at\\b|and\\b|here\\b|again\\b|calling\\b|of\\b|over\\b|speaking\\b|the\\b|i\\b|i'm\\b|we\\b|we're\\b|our\\b|my\\b|but\\b|chief\\b|(?:${[...TITLES].join('|')})\\b|$)`,
);

/** Words that describe a state or a thing, not a person, after "i'm" or "this is". */
const NOT_NAMES = new Set(
  `oops whoops ugh lol haha omg btw jk yikes wow cool hmm nope yep hiya bonjour hallo hola ciao salut namaste
urgent important exciting perfect amazing awesome cool weird odd crazy frustrating ridiculous expensive cheap helpful useful
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

/** Name particles: "maria de los angeles ruiz", "ludwig van beethoven". */
const PARTICLES = new Set(['de', 'del', 'della', 'de la', 'los', 'las', 'la', 'le', 'van', 'von', 'der', 'den', 'da', 'di', 'du', 'dos', 'das', 'bin', 'ibn', 'al', 'el', 'y', 'ter', 'ten']);

/** First names that are also everyday words. */
const FIRST_NAMES_THAT_ARE_WORDS = new Set(['will', 'may', 'june', 'april', 'august', 'bill', 'mark', 'pat', 'grace', 'hope', 'joy', 'faith', 'guy', 'sue', 'ray', 'eve', 'dawn', 'rose', 'summer', 'frank', 'rich', 'don', 'art']);

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
  const tokens = words(norm, from, Math.min(norm.length, from + 100));
  let i = 0;
  while (tokens[i] && FILLERS.has(tokens[i]!.text)) i++;
  const first = tokens[i];
  if (!first || first.start - from > 12) return undefined;
  // "it's will cooper": a first name that is also a grammar word counts when a surname follows.
  const namedLikeAWord = FIRST_NAMES_THAT_ARE_WORDS.has(first.text) && isNameWord(tokens[i + 1]);
  if (!isNameWord(first) && !namedLikeAWord) return undefined;
  const taken: Token[] = [first];
  for (let k = i + 1; k < tokens.length && taken.filter((token) => !PARTICLES.has(token.text)).length < 3; k++) {
    const token = tokens[k]!;
    const gap = norm.slice(taken[taken.length - 1]!.end, token.start);
    if (!/^\s+$/.test(gap)) break;
    // A surname that is also a common word ("owen price", "ana lopez") counts when an
    // introduction follows it ("owen price from price hvac").
    const surnameLike = NAME_WORD.test(token.text) && !STOP_WORDS.has(token.text) && !TITLES.has(token.text) &&
      !NON_NAME_ENDING.test(token.text) &&
      INTRODUCTION_FOLLOWS.test(norm.slice(token.end).trimStart());
    if (!isNameWord(token) && !surnameLike) break;
    taken.push(token);
  }
  const last = taken[taken.length - 1]!;
  const after = norm.slice(last.end).trimStart();
  if (!strong) {
    // After "i'm" or "this is", a name is followed by what a self-introduction has, and a lone
    // word at the very end must not look like a feeling ("i'm thrilled").
    if (!INTRODUCTION_FOLLOWS.test(after)) return undefined;
    if (taken.length === 1 && NON_NAME_ENDING.test(first.text) && /^[.!?]*$/.test(after)) return undefined;
  }
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
export function findPersonNames(
  norm: string,
  options: { bare: boolean; sentenceStart: (pos: number) => number; sentenceStarts: number[] },
): Array<Hit<string>> {
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
      if (!new RegExp(`^[\\s,]*(?:(?:${GREETING}|yes|yeah|yep|sure|ok|okay|oh|um|uh|er|well|sorry|no|actually|and|so|there)[\\s,!.]+)*$`).test(lead)) continue;
      consider(at, false, cueStart);
      continue;
    }
    consider(at, true, at);
  }
  for (const at of cueMatches(norm, WEAK_CUES)) consider(at, false, at);

  // "maria here", "tom from ridgeline", "hi, sam park, parkside cafe": a name opening the utterance.
  // A typed signature counts too: "olivia bennett, harbourline shipping", "jordan reyes @ brightoak".
  for (const sentence of options.sentenceStarts) {
    const opening = norm.slice(sentence).match(new RegExp(`^[\\s,]*(?:(${GREETING})[\\s,!.]+)?(?:there[\\s,!.]+)?`));
    if (!opening) continue;
    const hit = nameAt(norm, sentence + opening[0].length, true);
    const after = hit ? norm.slice(hit.end) : '';
    const fullName = hit !== undefined && /\s/.test(hit.value);
    if (hit && (/^\s*(?:here\b|from\b|calling\b|with\b|at\b)/.test(after) || ((opening[1] !== undefined || fullName) && /^\s*[,@]/.test(after)))) {
      if (!hits.some((other) => other.start === hit.start)) hits.push(hit);
    }
  }

  if (options.bare && hits.length === 0) {
    const answer = norm.replace(/^[\s,]*(?:(?:sure|yes|yeah|ok|okay|of course|um|uh|it's|its|i'm|im|me|hi|hello)[\s,!.]+)*/, '');
    const start = norm.length - answer.length;
    const hit = nameAt(norm, start, true);
    if (hit && /^[\s.!,]*(?:thanks|thank you)?[\s.!]*$/.test(norm.slice(hit.end))) hits.push(hit);
  }
  return hits.sort((a, b) => a.start - b.start);
}
