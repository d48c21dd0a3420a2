export interface FaqEntry {
  question: string;
  answer: string;
  keywords: string[];
}

const words = (text: string) => ` ${text.toLowerCase().replace(/[^\p{L}\p{N}\s]/gu, ' ').replace(/\s+/g, ' ')} `;

/** The FAQ entry whose keywords the utterance mentions most (whole words or phrases), if any. */
export function matchFaq(text: string, faq: FaqEntry[]): FaqEntry | undefined {
  const haystack = words(text);
  let best: { entry: FaqEntry; hits: number } | undefined;
  for (const entry of faq) {
    const hits = entry.keywords.filter((keyword) => haystack.includes(words(keyword))).length;
    if (hits > 0 && (!best || hits > best.hits)) best = { entry, hits };
  }
  return best?.entry;
}
