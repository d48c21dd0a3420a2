/**
 * Speech-to-text and chat arrive in every shape ("Don't", "dont", "DON'T!"); analysis works
 * on one: lowercase words of letters (any script) and digits, without apostrophes or
 * punctuation, so "Don't!" is "dont" and "$50k," is "50k".
 */
export function normalizeText(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`']/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function wordsOf(text: string): string[] {
  const normalized = normalizeText(text);
  return normalized === '' ? [] : normalized.split(' ');
}

export const NEGATORS: ReadonlySet<string> = new Set([
  'not', 'no', 'never', 'dont', 'doesnt', 'didnt', 'isnt', 'wasnt', 'arent', 'werent', 'cant', 'cannot',
  'couldnt', 'wont', 'wouldnt', 'shouldnt', 'havent', 'hasnt', 'hadnt', 'aint', 'hardly', 'neither', 'nor',
  'without', 'nothing', 'nobody',
]);

/** Words that end a clause in unpunctuated speech: a negation does not reach past them. */
export const CLAUSE_BREAKS: ReadonlySet<string> = new Set(['but', 'and', 'so', 'because', 'though', 'although', 'however', 'yet']);

/**
 * How much a word strengthens (> 1) or softens (< 1) the sentiment word after it. "too" is
 * here because in sales "too expensive" is worse than "expensive".
 */
export const INTENSITY: ReadonlyMap<string, number> = new Map([
  ['very', 1.5], ['really', 1.4], ['so', 1.3], ['extremely', 1.8], ['super', 1.5], ['totally', 1.5],
  ['absolutely', 1.6], ['incredibly', 1.8], ['highly', 1.5], ['truly', 1.4], ['quite', 1.2], ['pretty', 1.2],
  ['too', 1.5], ['way', 1.3], ['definitely', 1.3], ['especially', 1.3], ['that', 1], ['just', 1],
  ['slightly', 0.6], ['somewhat', 0.6], ['kinda', 0.6], ['bit', 0.6], ['little', 0.6], ['fairly', 0.8],
  ['barely', 0.4],
]);

/** Words a negation reaches across: "not a problem", "not that bad". */
const FILLERS: ReadonlySet<string> = new Set(['a', 'an', 'the', 'any', 'at', 'all', 'of', 'kind', 'sort']);

/**
 * Whether the words just before `index` negate it: "its not too expensive", "i dont think
 * its good", "no problems". "no" reaches only the next word ("no i love it" is not negative),
 * other negators three words; fillers and intensifiers are not counted; a clause break stops.
 */
export function negatedAt(words: readonly string[], index: number): boolean {
  let distance = 0;
  for (let i = index - 1; i >= 0 && i >= index - 8; i--) {
    const word = words[i] as string;
    // Modifiers right before the word belong to it: "not [so] bad", "not [that] expensive".
    if (FILLERS.has(word) || (distance === 0 && INTENSITY.has(word))) continue;
    distance += 1;
    if (CLAUSE_BREAKS.has(word)) return false;
    if (word === 'no') return distance === 1;
    if (NEGATORS.has(word)) return true;
    if (distance >= 3) return false;
  }
  return false;
}

/**
 * Start indexes where `phrase` (space-separated words; "*" matches any one word) occurs in
 * `words`, matched whole-word.
 */
export function findPhrase(words: readonly string[], phrase: string): number[] {
  const parts = phrase.split(' ');
  const hits: number[] = [];
  for (let i = 0; i + parts.length <= words.length; i++) {
    if (parts.every((part, j) => part === '*' || words[i + j] === part)) hits.push(i);
  }
  return hits;
}
