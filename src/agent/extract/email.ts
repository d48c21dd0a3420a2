/**
 * Email addresses, typed ("John.Smith@Acme.com") and spoken ("john dot smith at acme dot com",
 * "j o h n at gmail dot com", "johnsmith all one word at ...", "at the rate" in Indian English).
 */
import { COMMON_WORDS } from './lexicon.js';
import { DIGIT_WORDS, TENS_WORDS, lexTokens, type LexToken } from './numbers.js';
import { maskSpan } from './text.js';

export interface Hit<T> {
  value: T;
  start: number;
  end: number;
}

const TLDS = new Set(
  `com net org io co ai us uk in de au ca edu gov info biz me app dev tech nz ie fr es it nl se ch sg jp br mx za ae eu tv
xyz online store shop site cloud agency email pro health law realty global solutions digital media group ltd llc inc`.split(/\s+/),
);

const PROVIDERS_WITHOUT_TLD: Readonly<Record<string, string>> = {
  gmail: 'gmail.com',
  googlemail: 'googlemail.com',
  yahoo: 'yahoo.com',
  hotmail: 'hotmail.com',
  outlook: 'outlook.com',
  icloud: 'icloud.com',
  aol: 'aol.com',
};

const EMAIL_SHAPE =
  /^[a-z0-9](?:[a-z0-9._%+-]{0,62}[a-z0-9])?@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.){1,6}[a-z]{2,24}$/;

/** A plausible mailbox: RFC-ish shape, no doubled dots, a real-looking top-level domain. */
export function isPlausibleEmail(s: string): boolean {
  if (s.length > 254 || !EMAIL_SHAPE.test(s) || s.includes('..') || s.includes('.@')) return false;
  const tld = s.slice(s.lastIndexOf('.') + 1);
  return TLDS.has(tld) || tld.length === 2;
}

const TYPED = /[a-z0-9][a-z0-9._%+-]{0,63}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,6}/g;

const CONNECTORS: Readonly<Record<string, string>> = {
  dot: '.',
  '.': '.',
  period: '.',
  point: '.',
  underscore: '_',
  '_': '_',
  dash: '-',
  '-': '-',
  hyphen: '-',
  minus: '-',
  plus: '+',
  '+': '+',
};

/** Words that end a spoken local part when walking back from "at". */
const LOCAL_STOP = new Set([
  'is', "it's", 'its', 'email', 'mail', "email's", 'address', "address's", 'me', 'at', 'my', 'was', 'to', 'the',
  'and', 'or', 'use', 'try', 'on', 'reach', 'write', 'send', 'contact', 'be', 'should', 'would', 'will', 'via', 'by',
]);

/** Stop words that introduce an address: after them, "john smith at ..." is one mailbox. */
const INTRODUCERS = new Set(['is', "it's", 'its', 'email', "email's", 'address', "address's", 'was', 'mail']);

const DOMAIN_STOP = new Set(['and', 'or', 'my', 'is', 'the', 'but', 'so', 'thanks', 'thank', 'please', 'or', 'at']);

function isDigitish(t: string | undefined): boolean {
  return t !== undefined && (/^\d+$/.test(t) || t in DIGIT_WORDS || t in TENS_WORDS);
}

function isWordTok(t: string): boolean {
  return /^[a-z0-9\u00c0-\u024f][a-z0-9'\u00c0-\u024f]*$/.test(t);
}

interface AtMarker {
  first: number;
  next: number;
}

function atMarkerAt(toks: readonly LexToken[], i: number): AtMarker | null {
  const t = toks[i]?.text;
  if (t === '@') return { first: i, next: i + 1 };
  if (t !== 'at') return null;
  const n1 = toks[i + 1]?.text;
  const n2 = toks[i + 2]?.text;
  const n3 = toks[i + 3]?.text;
  if (n1 === 'the' && n2 === 'rate') return { first: i, next: n3 === 'of' ? i + 4 : i + 3 };
  if (n1 === 'sign' || n1 === 'symbol') return { first: i, next: i + 2 };
  return { first: i, next: i + 1 };
}

function connectorAt(toks: readonly LexToken[], i: number): string | undefined {
  const t = toks[i]?.text;
  return t === undefined ? undefined : CONNECTORS[t];
}

/** Domain after the at-marker: label (dot label)+, the last one a top-level domain. */
function parseDomain(toks: readonly LexToken[], i: number): { domain: string; end: number } | null {
  const labels: string[] = [];
  let k = i;
  let endPos = -1;
  // first label may be several spoken words or spelled letters: "acme logistics", "a c m e"
  let first = '';
  let words = 0;
  while (k < toks.length && words < 30) {
    const t = toks[k]!.text;
    const c = connectorAt(toks, k);
    if (c === '.') break;
    if (c === '-' && first !== '') {
      first += '-';
      k++;
      continue;
    }
    // "haldengroup all one word dot co dot uk": the words are joined anyway; the phrase is not part of it.
    if (t === 'all' && toks[k + 1]?.text === 'one' && toks[k + 2]?.text === 'word') {
      k += 3;
      continue;
    }
    if (t === 'one' && toks[k + 1]?.text === 'word' && first !== '') {
      k += 2;
      continue;
    }
    if (!isWordTok(t) || DOMAIN_STOP.has(t) || t.includes("'")) break;
    first += t;
    endPos = toks[k]!.end;
    words += t.length > 1 ? 3 : 1;
    k++;
    if (words > 9) break;
  }
  if (first === '') return null;
  labels.push(first);
  while (connectorAt(toks, k) === '.' && toks[k + 1] !== undefined && isWordTok(toks[k + 1]!.text) && !DOMAIN_STOP.has(toks[k + 1]!.text)) {
    let label = toks[k + 1]!.text;
    endPos = toks[k + 1]!.end;
    k += 2;
    while (connectorAt(toks, k) === '-' && toks[k + 1] !== undefined && isWordTok(toks[k + 1]!.text)) {
      label += `-${toks[k + 1]!.text}`;
      endPos = toks[k + 1]!.end;
      k += 2;
    }
    labels.push(label);
  }
  if (labels.length === 1) {
    const provider = PROVIDERS_WITHOUT_TLD[first];
    if (provider === undefined) return null;
    return { domain: provider, end: endPos };
  }
  if (!TLDS.has(labels[labels.length - 1]!)) {
    // "acme dot com thanks" would have made "comthanks" only in the first label; later labels are single words
    return null;
  }
  return { domain: labels.join('.'), end: endPos };
}

interface Piece {
  kind: 'word' | 'letter' | 'digit' | 'conn';
  text: string;
  start: number;
}

/** Local part before the at-marker, walking back until a word like "is" or "me". */
function parseLocal(toks: readonly LexToken[], atIdx: number): { local: string; start: number } | null {
  const pieces: Piece[] = [];
  let k = atIdx - 1;
  let joinAll = false;
  let steps = 0;
  let stopWord: string | undefined;
  while (k >= 0 && steps < 40) {
    steps++;
    const t = toks[k]!.text;
    if (t === 'word' && toks[k - 1]?.text === 'one') {
      joinAll = true;
      k -= toks[k - 2]?.text === 'all' ? 3 : 2;
      continue;
    }
    if ((t === 'spaces' || t === 'space') && toks[k - 1]?.text === 'no') {
      joinAll = true;
      k -= 2;
      continue;
    }
    const c = connectorAt(toks, k);
    if (c !== undefined) {
      if (pieces.length === 0) return null;
      pieces.unshift({ kind: 'conn', text: c, start: toks[k]!.start });
      k--;
      continue;
    }
    if (!isWordTok(t) || (t.includes("'") && !LOCAL_STOP.has(t))) {
      stopWord = t === ':' ? 'is' : t;
      break;
    }
    if (LOCAL_STOP.has(t)) {
      stopWord = t;
      break;
    }
    // Spoken digits join the address as digits when they come in a run: "lopez two four",
    // "young eighty eight"; a lone digit word stays a word ("john one" is rare, "one" is not).
    const rightIsDigit = pieces[0]?.kind === 'digit';
    const leftIsDigit = isDigitish(toks[k - 1]?.text);
    if (/^\d+$/.test(t)) pieces.unshift({ kind: 'digit', text: t, start: toks[k]!.start });
    else if (t in DIGIT_WORDS && (rightIsDigit || leftIsDigit)) pieces.unshift({ kind: 'digit', text: String(DIGIT_WORDS[t]), start: toks[k]!.start });
    else if (t in TENS_WORDS && rightIsDigit && pieces[0]!.text.length === 1) {
      pieces[0] = { kind: 'digit', text: String((TENS_WORDS[t] as number) + Number(pieces[0]!.text)), start: toks[k]!.start };
    } else if (t in TENS_WORDS && (rightIsDigit || leftIsDigit)) pieces.unshift({ kind: 'digit', text: String(TENS_WORDS[t]), start: toks[k]!.start });
    else if (t.length === 1) pieces.unshift({ kind: 'letter', text: t, start: toks[k]!.start });
    else pieces.unshift({ kind: 'word', text: t, start: toks[k]!.start });
    k--;
  }
  while (pieces.length > 0 && pieces[0]!.kind === 'conn') pieces.shift();
  if (pieces.length === 0) return null;

  // Split into chains separated by two plain words standing side by side without a connector.
  if (!joinAll) {
    let cut = 0;
    for (let i = pieces.length - 1; i > 0; i--) {
      const a = pieces[i - 1]!;
      const b = pieces[i]!;
      if (a.kind === 'conn' || b.kind === 'conn') continue;
      const aPlain = a.kind === 'word';
      const bPlain = b.kind === 'word';
      if (aPlain && bPlain) {
        // "john smith at gmail" after "is": join two uncommon words; otherwise keep the right one
        const left = pieces.slice(0, i).filter((p) => p.kind === 'word');
        const right = pieces.slice(i).filter((p) => p.kind === 'word');
        const introduced = stopWord === undefined ? k < 0 : INTRODUCERS.has(stopWord);
        const joinable =
          introduced && left.length + right.length <= 2 && !COMMON_WORDS.has(a.text) && !COMMON_WORDS.has(b.text);
        if (!joinable) {
          cut = i;
          break;
        }
      }
      if (aPlain && COMMON_WORDS.has(a.text)) {
        cut = i;
        break;
      }
    }
    pieces.splice(0, cut);
  }
  while (pieces.length > 0 && pieces[0]!.kind === 'conn') pieces.shift();
  if (pieces.length === 0) return null;
  if (pieces.length === 1 && pieces[0]!.kind === 'word' && COMMON_WORDS.has(pieces[0]!.text)) return null;
  return { local: pieces.map((p) => p.text).join(''), start: pieces[0]!.start };
}

/** All email addresses in the text, in order of appearance. */
export function findEmails(norm: string): Array<Hit<string>> {
  const hits: Array<Hit<string>> = [];
  let rest = norm;
  TYPED.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = TYPED.exec(norm)) !== null) {
    const raw = m[0].replace(/[.-]+$/, '');
    const value = raw.replace(/^[._%+-]+/, '');
    if (isPlausibleEmail(value)) hits.push({ value, start: m.index + (raw.length - value.length), end: m.index + raw.length });
    rest = maskSpan(rest, m.index, m.index + m[0].length);
  }
  // only look at the neighbourhood of spoken "at"s: cheap on long texts
  if (/\bat\b|@/.test(rest)) {
    const toks = lexTokens(rest);
    for (let i = 0; i < toks.length; i++) {
      const marker = atMarkerAt(toks, i);
      if (marker === null) continue;
      const domain = parseDomain(toks, marker.next);
      if (domain === null) continue;
      const local = parseLocal(toks, marker.first);
      if (local === null) continue;
      const value = `${local.local}@${domain.domain}`;
      if (isPlausibleEmail(value)) hits.push({ value, start: local.start, end: domain.end });
    }
  }
  return hits.sort((a, b) => a.start - b.start);
}
