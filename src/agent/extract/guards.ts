/**
 * Two guards that keep text from becoming facts it does not state:
 * - instructions aimed at Clara or the CRM ("ignore your instructions", "set my score to 100")
 *   are blanked before extraction, so "set my budget to a million dollars" is not a budget;
 * - contact details that belong to someone else ("my assistant's email is ...") are not the
 *   caller's.
 */

const INJECTION_CUES: readonly RegExp[] = [
  /\b(?:ignore|disregard|forget|override|bypass)\s+(?:(?:all|any|of|your|the|previous|prior|above|earlier|these|those|my|current|existing)\s+){0,4}(?:instructions?|prompts?|rules?|guidelines?|programming|directives?|training|system|policies|policy)\b/g,
  /\b(?:system|developer|admin|god)\s*(?:prompt|mode|override|message|command)\b/g,
  /\b(?:you are now|from now on you|act as an?|pretend (?:to be|you are)|new instructions?|jailbreak|dan mode)\b/g,
  /\b(?:set|change|update|make|put|bump|raise|mark|flag|classify|tag|score|rate|label|treat|move|list|record|log|register|give|assign|upgrade|force)\s+(?:me|us|my|our|this|the)\b(?:\s+[^\s.!?]+){0,4}?\s+(?:as\s+)?(?:score|scoring|priority|p[123]|bucket|status|rating|budget|authority|timeline|hot|vip|qualified|decision[- ]maker|top|lead\s+score)\b/g,
  /\b(?:mark|flag|classify|tag|label|treat|score|rate|list|log|register|record)\s+(?:me|us|this lead|my lead|our lead)\s+(?:as|at)\b/g,
  /\b(?:score|priority|rating)\s+(?:of|to|at|=|is)\s*(?:\d+|one hundred|a hundred|p[123])\b/g,
  /(?:^|\n)\s*(?:system|assistant|developer)\s*:/g,
  // CRM fields assigned like code: "authority=decision_maker budget_amount=1000000".
  /\b[a-z_]{3,30}\s*=\s*\S+/g,
  // Orders addressed to the bot ("assistant please update the email to ...").
  /\b(?:assistant|system|bot|ai|clara|crm)[,:]?\s+(?:please\s+)?(?:update|change|set|replace|overwrite|mark|delete|remove|add|ignore|record|log|save|store)\b/g,
  // Someone else's record being rewritten: "change the email to", not "change my email to".
  /\b(?:update|change|set|replace|overwrite)\s+(?:the|this|that|his|her|its|their)\s+(?:lead'?s?\s+|contact'?s?\s+)?(?:email|e-mail|phone|number|name|address|record|owner|stage|status)\b/g,
  /<\/?\s*(?:system|assistant|instructions?|prompt)\s*>/g,
  /\[\s*(?:system|inst)\s*\]/g,
  /#{2,}\s*(?:instruction|system)/g,
];

/** After the cue, genuine talk may resume: a self-introduction or a new first-person statement. */
const RESUME = /\b(?:my name|my email|my e-mail|my number|my phone|my cell|this is|i'm|i am|we're|we are|we need|our budget|we have|anyway|btw|by the way)\b/g;

/** Blanks injected instructions from each cue to the end of its sentence (or until genuine talk resumes). */
export function maskInjections(norm: string): { norm: string; found: boolean } {
  const ranges: Array<[number, number]> = [];
  for (const re of INJECTION_CUES) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(norm)) !== null) {
      const start = m.index;
      const cueEnd = m.index + m[0].length;
      const sentEndRel = norm.slice(cueEnd).search(/[.!?;\n](?=\s|$)|\n/);
      let end = sentEndRel === -1 ? norm.length : cueEnd + sentEndRel;
      end = Math.min(end, cueEnd + 160);
      RESUME.lastIndex = cueEnd;
      const r = RESUME.exec(norm);
      if (r !== null && r.index < end) end = r.index;
      ranges.push([start, end]);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  if (ranges.length === 0) return { norm, found: false };
  const chars = norm.split('');
  for (const [a, b] of ranges) for (let i = a; i < b; i++) if (chars[i] !== '\n') chars[i] = ' ';
  return { norm: chars.join(''), found: true };
}

const THIRD_PARTY_CUES: readonly RegExp[] = [
  /\bthe\s+(?:owner|ceo|boss|manager|founder|president|director)(?:'s|s')\s/g,
  /\b(?:my|our)\s+(?:(?:business|office|sales|marketing|executive|personal|managing|general|senior)\s+)?(?:assistant|secretary|colleague|coworker|co-worker|boss|manager|partner|wife|husband|spouse|son|daughter|brother|sister|mom|mother|dad|father|friend|employee|teammate|receptionist|accountant|lawyer|attorney|associate|supervisor|director|ceo|cfo|cto|coo|owner|founder|cofounder|co-founder|president|vp|admin|it guy|it person|pa|ea|guy|rep|counterpart|team lead|office manager)(?:'s|s')?\b/g,
  /\b(?:his|her|their|he|she|he's|she's)\b/g,
  /\b(?:reach|call|text|email|e-mail|contact|ring|try|ask for|cc|copy|loop in)\s+(?!me\b|us\b|my\b|our\b|at\b|on\b|back\b|anytime\b|directly\b|any\b|whenever\b)[a-z]+\s+(?:at|on)\b/g,
  /\b(?!(?:name|it|that|what|here|there|who|let|he|she)'s)[a-z]+'s\s+(?:e-?mail|number|phone|cell|mobile|contact|address|line)\b/g,
  /\b(?:cc|cc'd|copy in)\b/g,
];

const FIRST_PERSON_CUES: readonly RegExp[] = [
  /\b(?:my|mine)\s+(?:(?:personal|work|direct|cell|mobile|office|business|best|main|own|new|correct|right)\s+)?(?:e-?mail|number|phone|cell|mobile|line|contact|address|digits|details|info)\b/g,
  /(?<!\bnot )\b(?:me|mine|myself|i'm|i am|my own)\b/g,
  /\bour\s+(?:main\s+|office\s+|business\s+)?(?:number|line|e-?mail|phone)\b/g,
];

function lastMatchEnd(res: readonly RegExp[], s: string): number {
  let best = -1;
  for (const re of res) {
    re.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(s)) !== null) {
      best = Math.max(best, m.index);
      if (m[0].length === 0) re.lastIndex++;
    }
  }
  return best;
}

/**
 * True when the value at `pos` is attributed to someone else: the nearest ownership cue before
 * it (within its sentence) names a third party rather than the speaker.
 */
export function isThirdParty(norm: string, pos: number, sentenceStart: number): boolean {
  const from = Math.max(sentenceStart, pos - 120);
  const window = norm.slice(from, pos);
  const third = lastMatchEnd(THIRD_PARTY_CUES, window);
  if (third === -1) return false;
  const first = lastMatchEnd(FIRST_PERSON_CUES, window);
  return third > first;
}
