/**
 * Text preparation shared by every extractor.
 *
 * Extractors match against `norm`: lowercase, straight apostrophes, SMS shorthand expanded
 * ("im" -> "i'm", "w/" -> "with"). `map` sends every index of `norm` back to the original
 * text so evidence is quoted exactly as the prospect wrote or said it.
 */

export interface Span {
  start: number;
  end: number;
}

export interface Doc {
  text: string;
  norm: string;
  /** map[i] = index in `text` of norm[i]; map[norm.length] = text.length */
  map: number[];
  sentences: Span[];
}

/** Longest input we look at; beyond this a chat message is not a conversation turn. */
export const MAX_INPUT = 20_000;

const SHORTHAND: Record<string, string> = {
  im: "i'm",
  ive: "i've",
  dont: "don't",
  cant: "can't",
  wont: "won't",
  isnt: "isn't",
  doesnt: "doesn't",
  didnt: "didn't",
  wouldnt: "wouldn't",
  couldnt: "couldn't",
  shouldnt: "shouldn't",
  thats: "that's",
  whats: "what's",
  theres: "there's",
  lets: "let's",
  u: 'you',
  ur: 'your',
  pls: 'please',
  plz: 'please',
  thx: 'thanks',
  thnx: 'thanks',
  tx: 'thanks',
  ty: 'thank you',
  frm: 'from',
  'w/': 'with',
  'w/o': 'without',
  b4: 'before',
  '2day': 'today',
  tmrw: 'tomorrow',
  tmr: 'tomorrow',
  tmro: 'tomorrow',
  tmrow: 'tomorrow',
  '2moro': 'tomorrow',
  '2mrw': 'tomorrow',
  '2morrow': 'tomorrow',
  nxt: 'next',
  wk: 'week',
  wks: 'weeks',
  mo: 'month',
  mos: 'months',
  mth: 'month',
  mths: 'months',
  yr: 'year',
  yrs: 'years',
  ppl: 'people',
  emps: 'employees',
  mgr: 'manager',
  biz: 'business',
  abt: 'about',
  approx: 'approximately',
  bc: 'because',
  'b/c': 'because',
  cuz: 'because',
  coz: 'because',
  ya: 'yeah',
  yea: 'yeah',
  yeh: 'yeah',
  txt: 'text',
  msg: 'message',
  eod: 'end of day',
  eow: 'end of week',
  eom: 'end of month',
  rn: 'right now',
  idk: "i don't know",
  dunno: "don't know",
  gonna: 'going to',
  wanna: 'want to',
  gotta: 'got to',
  lemme: 'let me',
  acct: 'account',
  lookin: 'looking',
  tryin: 'trying',
  gettin: 'getting',
  cust: 'customer',
  mob: 'mobile',
  tel: 'phone',
  ph: 'phone',
  cel: 'cell',
  // digits-as-words that are SMS-only; kept out of the number parsers on purpose
};

const SHORTHAND_RE = /[a-z0-9/_]+/y;

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[a-z0-9\u00c0-\u024f']/.test(c);
}

function lowerChar(c: string): string {
  switch (c) {
    case '\u2019':
    case '\u2018':
    case '\u02bc':
    case '`':
      return "'";
    case '\u201c':
    case '\u201d':
      return '"';
    case '\u2013':
    case '\u2014':
    case '\u2212':
      return '-';
    case '\u00a0':
    case '\t':
    case '\r':
      return ' ';
    default: {
      const l = c.toLowerCase();
      return l.length === 1 ? l : c;
    }
  }
}

/** A lone letter next to other lone letters is being spelled out ("j u l i a"), not shorthand. */
function spelledNeighbour(s: string, i: number): boolean {
  const before = /(?:^|\s)[a-z0-9]\s+$/.test(s.slice(Math.max(0, i - 3), i));
  const after = /^\s+[a-z0-9](?:\s|$)/.test(s.slice(i + 1, i + 5));
  return before || after;
}

/** Lowercases, normalises punctuation and expands SMS shorthand, keeping an index map. */
export function prepare(input: string): Doc {
  const text = input.length > MAX_INPUT ? input.slice(0, MAX_INPUT) : input;
  const low: string[] = [];
  for (let i = 0; i < text.length; i++) low.push(lowerChar(text[i] as string));
  const lowered = low.join('');

  let norm = '';
  const map: number[] = [];
  let i = 0;
  while (i < lowered.length) {
    const prev = i > 0 ? lowered[i - 1] : undefined;
    if (!isWordChar(prev)) {
      SHORTHAND_RE.lastIndex = i;
      const m = SHORTHAND_RE.exec(lowered);
      if (m) {
        const word = m[0];
        const next = lowered[i + word.length];
        const rep = Object.hasOwn(SHORTHAND, word) && !(word.length === 1 && spelledNeighbour(lowered, i)) ? SHORTHAND[word] : undefined;
        if (rep !== undefined && !isWordChar(next) && next !== '@' && !(next === '.' && /[a-z0-9]/.test(lowered[i + word.length + 1] ?? ''))) {
          for (let k = 0; k < rep.length; k++) {
            norm += rep[k];
            map.push(i + Math.min(k, word.length - 1));
          }
          i += word.length;
          continue;
        }
        // copy the word unchanged
        for (let k = 0; k < word.length; k++) {
          norm += word[k];
          map.push(i + k);
        }
        i += word.length;
        continue;
      }
    }
    norm += lowered[i];
    map.push(i);
    i++;
  }
  map.push(text.length);
  return { text, norm, map, sentences: sentenceSpans(norm) };
}

/**
 * Sentence boundaries: . ! ? ; and newlines followed by whitespace or the end. Dots inside
 * "acme.com" or "1.5" do not split.
 */
export function sentenceSpans(norm: string): Span[] {
  const spans: Span[] = [];
  const re = /[.!?;]+(?=\s|$)|\n+/g;
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(norm)) !== null) {
    const end = m.index;
    if (end > start) spans.push({ start, end });
    start = m.index + m[0].length;
  }
  if (start < norm.length) spans.push({ start, end: norm.length });
  return spans.filter((s) => norm.slice(s.start, s.end).trim().length > 0);
}

export function sentenceAt(doc: Doc, pos: number): Span {
  for (const s of doc.sentences) if (pos >= s.start && pos < s.end) return s;
  return { start: 0, end: doc.norm.length };
}

/** The original text behind a span of `norm`, trimmed. */
export function original(doc: Doc, start: number, end: number): string {
  if (end <= start) return '';
  const a = doc.map[start] ?? 0;
  const b = (doc.map[end - 1] ?? doc.text.length - 1) + 1;
  return doc.text.slice(a, b).trim();
}

/** Replaces a span with spaces so later matching ignores it while keeping indices. */
export function maskSpan(s: string, start: number, end: number): string {
  return s.slice(0, start) + ' '.repeat(Math.max(0, end - start)) + s.slice(end);
}

export interface Token {
  text: string;
  start: number;
  end: number;
}

/** Words (letters, digits, inner apostrophes and hyphens) with their positions. */
export function words(s: string, from = 0, to = s.length): Token[] {
  const out: Token[] = [];
  const re = /[a-z0-9\u00c0-\u024f]+(?:['-][a-z0-9\u00c0-\u024f]+)*/g;
  re.lastIndex = from;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null && m.index < to) {
    out.push({ text: m[0], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const SMALL_WORDS = new Set(['of', 'and', 'the', 'for', 'de', 'da', 'van', 'von', 'der', 'del', 'la', 'le', 'los', 'las', 'di', 'dos', 'du', 'at', 'in', 'on', 'bin', 'al', 'y']);
const UPPER_WORDS: Record<string, string> = {
  llc: 'LLC',
  llp: 'LLP',
  plc: 'PLC',
  gmbh: 'GmbH',
  ag: 'AG',
  inc: 'Inc',
  ltd: 'Ltd',
  pty: 'Pty',
  pvt: 'Pvt',
  corp: 'Corp',
  co: 'Co',
  sa: 'SA',
  bv: 'BV',
  nv: 'NV',
  ai: 'AI',
  it: 'IT',
  hvac: 'HVAC',
  usa: 'USA',
  uk: 'UK',
  us: 'US',
  '3pl': '3PL',
};

function capWord(w: string): string {
  // "o'connor" and "ellison-hart" capitalise after the mark; "jake's" does not.
  return w.replace(/(^|-|'(?!s\b))([a-z\u00e0-\u024f])/g, (_m, p: string, c: string) => p + c.toUpperCase());
}

/**
 * Title-cases a person or company name. When the original already carries deliberate mixed
 * case ("McDonald", "FastShip"), it is kept.
 */
export function titleCase(orig: string, opts: { company?: boolean } = {}): string {
  const cleaned = orig.replace(/\s+/g, ' ').trim();
  const hasUpper = /[A-Z]/.test(cleaned);
  const hasLower = /[a-z]/.test(cleaned);
  if (hasUpper && hasLower) {
    // keep typed casing, but make sure every word starts with a capital (except small words)
    const typed = cleaned.split(' ');
    return typed.map((w, i) => (i > 0 && i < typed.length - 1 && SMALL_WORDS.has(w) ? w : w.charAt(0).toUpperCase() + w.slice(1))).join(' ');
  }
  const lowered = cleaned.toLowerCase().split(' ');
  return lowered
    .map((w, i) => {
      if (opts.company) {
        const bare = w.replace(/\.$/, '');
        const up = UPPER_WORDS[bare];
        if (up !== undefined && (i > 0 || bare.length <= 2 || bare === 'hvac')) return up + (w.endsWith('.') ? '.' : '');
      }
      // "tran le": a last word is a surname, never a particle.
      if (i > 0 && i < lowered.length - 1 && SMALL_WORDS.has(w)) return w;
      return capWord(w);
    })
    .join(' ');
}

export function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
