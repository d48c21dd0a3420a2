import { INTENSITY, negatedAt, wordsOf } from './text.js';

export type SentimentLabel = 'positive' | 'neutral' | 'negative';

export interface Sentiment {
  /** -1..1, three decimals */
  score: number;
  label: SentimentLabel;
}

/** Word valences, -3..3, tuned for what prospects say to a sales agent. */
const LEXICON: ReadonlyMap<string, number> = new Map([
  // positive
  ['love', 3], ['loved', 3], ['loving', 3], ['perfect', 3], ['excellent', 3], ['amazing', 3], ['awesome', 3],
  ['fantastic', 3], ['wonderful', 3], ['brilliant', 3], ['excited', 3], ['exciting', 3], ['best', 3],
  ['great', 2], ['good', 2], ['nice', 2], ['interested', 2], ['happy', 2], ['glad', 2], ['helpful', 2],
  ['useful', 2], ['valuable', 2], ['impressive', 2], ['impressed', 2], ['appreciate', 2], ['recommend', 2],
  ['affordable', 2], ['worth', 2], ['keen', 2], ['pleased', 2], ['enjoy', 2], ['reliable', 2], ['convenient', 2],
  ['wow', 2], ['cool', 1], ['interesting', 1], ['easy', 1], ['simple', 1], ['fine', 1], ['sure', 1],
  ['thanks', 1], ['thank', 1], ['better', 1], ['fast', 1], ['quick', 1], ['reasonable', 1], ['ready', 1],
  ['agree', 1], ['fair', 1], ['flexible', 1], ['smooth', 1], ['benefit', 1],
  // buying signals: asking to see or start is a warm thing to say to a sales agent
  ['demo', 1], ['trial', 1],
  // negative
  ['expensive', -2], ['pricey', -2], ['costly', -2], ['overpriced', -3], ['frustrated', -3], ['frustrating', -3],
  ['annoyed', -2], ['annoying', -2], ['angry', -3], ['upset', -2], ['hate', -3], ['terrible', -3], ['awful', -3],
  ['horrible', -3], ['bad', -2], ['poor', -2], ['worst', -3], ['worse', -2], ['cancel', -2], ['cancelling', -2],
  ['canceling', -2], ['problem', -1], ['problems', -1], ['issue', -1], ['issues', -1], ['bug', -1], ['bugs', -1],
  ['broken', -2], ['concerned', -1], ['concern', -1], ['concerns', -1], ['worried', -2], ['worry', -1],
  ['confusing', -2], ['confused', -1], ['complicated', -1], ['difficult', -1], ['slow', -1], ['disappointed', -3],
  ['disappointing', -3], ['useless', -3], ['waste', -2], ['scam', -3], ['spam', -2], ['unhappy', -2],
  ['competitor', -1], ['competitors', -1], ['busy', -1], ['unfortunately', -1], ['risky', -2], ['risk', -1],
  ['hassle', -2], ['nightmare', -3], ['fail', -2], ['failed', -2], ['failing', -2], ['unreliable', -2],
  ['sucks', -3], ['ridiculous', -2], ['doubt', -1], ['skeptical', -2], ['sceptical', -2], ['hesitant', -1],
  ['unsure', -1], ['uninterested', -2], ['pointless', -2],
]);

interface Phrase {
  words: string[];
  value: number;
  /** false when the phrase carries its own negation ("no thanks") or cannot be negated */
  negatable: boolean;
}

const phrase = (text: string, value: number, negatable = true): Phrase => ({ words: text.split(' '), value, negatable });

/** Matched before single words, longest first; they override the words they contain. */
const PHRASES: readonly Phrase[] = [
  phrase('no thank you', -2, false), phrase('no thanks', -2, false), phrase('no problem', 1, false),
  phrase('no worries', 1, false), phrase('do not call', -3, false), phrase('stop calling', -3, false),
  phrase('take me off', -3, false), phrase('remove me', -2, false), phrase('leave me alone', -3, false),
  phrase('waste of time', -3), phrase('rip off', -3), phrase('fed up', -3), phrase('too much', -2),
  phrase('out of budget', -2), phrase('out of our budget', -2), phrase('over budget', -2), phrase('over our budget', -2),
  phrase('cant afford', -2, false), phrase('cannot afford', -2, false), phrase('no budget', -2, false),
  phrase('dont need', -2, false), phrase('do not need', -2, false), phrase('not for us', -2, false),
  phrase('sounds good', 2), phrase('works for me', 2), phrase('that works', 1), phrase('makes sense', 1),
  phrase('looking forward', 2), phrase('cant wait', 3, false), phrase('can not wait', 3, false),
  phrase('sign me up', 3, false), phrase('lets do it', 2), phrase('thank you', 1), phrase('sign up', 2),
  phrase('get started', 2),
].sort((a, b) => b.words.length - a.words.length);

/** "like" is a filler in speech ("its like fifty people"); it is sentiment only after these. */
const LIKE_SUBJECTS: ReadonlySet<string> = new Set(['i', 'we', 'really', 'would', 'id', 'wed', 'they', 'do', 'dont', 'didnt', 'doesnt', 'definitely']);

/** Squashes a valence sum into -1..1 (VADER's normalisation, alpha 15). */
function normalise(sum: number): number {
  return sum / Math.sqrt(sum * sum + 15);
}

const NEUTRAL_BAND = 0.15;

/**
 * Lexicon sentiment for what a prospect says, robust to lowercase unpunctuated speech.
 * - negation flips the word it reaches: a negated positive counts fully negative ("not
 *   interested" is a clear no), a negated negative half positive ("not bad" is faint praise);
 * - intensifiers scale the next sentiment word ("really love", "way too expensive", "a bit
 *   pricey");
 * - after "but" counts 1.5x and before it 0.5x: "pricey but i love it" is positive.
 */
export function sentimentOf(text: string): Sentiment {
  const words = wordsOf(text);
  const valences: { index: number; value: number }[] = [];
  let multiplier = 1;
  for (let i = 0; i < words.length; ) {
    const word = words[i] as string;
    const matched = PHRASES.find((p) => p.words.every((w, j) => words[i + j] === w));
    let value: number | undefined;
    let negatable = true;
    let length = 1;
    if (matched) {
      ({ value, negatable } = matched);
      length = matched.words.length;
    } else if (word === 'like') {
      value = LIKE_SUBJECTS.has(words[i - 1] ?? '') ? 1 : undefined;
    } else {
      value = LEXICON.get(word);
    }
    if (value === undefined) {
      const intensity = INTENSITY.get(word);
      multiplier = intensity === undefined ? 1 : multiplier * intensity;
      i += 1;
      continue;
    }
    let scored = value * multiplier;
    if (negatable && negatedAt(words, i)) scored = scored > 0 ? -scored : -scored * 0.5;
    valences.push({ index: i, value: scored });
    multiplier = 1;
    i += length;
  }

  const but = words.lastIndexOf('but');
  const sum = valences.reduce((total, v) => total + (but < 0 ? v.value : v.index < but ? v.value * 0.5 : v.value * 1.5), 0);
  const score = Math.round(normalise(sum) * 1000) / 1000 + 0; // + 0 turns -0 into 0
  return { score, label: score >= NEUTRAL_BAND ? 'positive' : score <= -NEUTRAL_BAND ? 'negative' : 'neutral' };
}
