/**
 * What the caller wants from this conversation rather than facts about them: support or sales,
 * a demo or not, consent to record, and the questions they decline to answer.
 */
import type { FactName, Intent } from './types.js';

/** An existing customer with a problem: support, not a sale (seed 000's orchestrator). */
const SUPPORT =
  /\b(?:existing (?:customer|client|user)|(?:already|current) (?:a )?(?:customer|client|user)|i'm a (?:customer|client|user) (?:of|with)|(?:my|our) (?:account|subscription|login|password|invoice|bill|billing|order|integration|dashboard) (?:is|isn't|won't|doesn't|has|was|keeps|got)|can't (?:log ?in|sign ?in|access)|cannot (?:log ?in|sign ?in|access)|unable to (?:log ?in|sign ?in|access)|locked out|reset (?:my|our) password|(?:billing|invoice) (?:problem|issue|question|error)|charged twice|refund|cancel (?:my|our) (?:account|subscription)|(?:it|the app|the system|your (?:app|product|system|software)) (?:is|isn't|keeps|stopped|won't) (?:broken|down|crashing|working|loading)|bug report|support ticket|tech(?:nical)? support|customer support)\b/;

/** Product and pricing questions: marketing (the FAQ answers, then a demo is offered). */
const MARKETING =
  /\b(?:how much (?:does|do|is|would|will|are)|pricing|price list|(?:what(?:'s| is| are)|your|the) (?:price|prices|cost|costs|plans)\b|plans?\b.*\?|what does it do|how does it work|features?|integrat\w+ with|do you (?:integrate|support|work with|offer)|free trial|trial|discount|case stud\w+|brochure|partnership|partner with you|press (?:inquiry|enquiry|release)|journalist|media inquiry)\b/;

export function findIntent(norm: string): Intent | undefined {
  if (SUPPORT.test(norm)) return 'support';
  if (MARKETING.test(norm)) return 'marketing';
  return undefined;
}

const WANTS_DEMO =
  /\b(?:(?:want|like|love|get|see|book|schedule|set up|arrange|have|do|request|try|take|need)\s+(?:a|the|your|to see a|to book a|to see the|to get a|to schedule a)?\s*(?:quick |short |live |product |personal )?(?:demo|demonstration|walkthrough|walk-through)|demo (?:please|would be great|sounds good|works)|(?:show|walk) (?:me|us) (?:how|around|the product|what)|can i see (?:it|a demo|the product)|let's (?:book|schedule|set up|do) (?:a|the|it)|sign me up for a demo)\b/;
const NO_DEMO =
  /\b(?:no|don't|do not|not|never)\s+(?:need |want |interested in |right now |now |thanks,? )?(?:a |the |any )?(?:demo|demonstration|meeting|call)s?\b|\bnot (?:ready|interested) (?:for|in) (?:a )?(?:demo|meeting)\b|\bno thanks?\b.*\bdemo\b|\bskip the demo\b/;

export function findWantsDemo(norm: string): boolean | undefined {
  if (NO_DEMO.test(norm)) return false;
  if (WANTS_DEMO.test(norm)) return true;
  return undefined;
}

const CONSENTS = /\b(?:you (?:can|may) record|go ahead and record|(?:that's|thats|it's|its) fine to record|record (?:it|away|the call)|recording is (?:fine|ok|okay)|i (?:consent|agree)(?: to (?:the )?recording)?|fine to record|ok to record|okay to record|happy to be recorded|don't mind (?:being recorded|the recording|if you record))\b/;
const REFUSES = /\b(?:don't record|do not record|(?:you )?(?:can't|cannot|may not) record|don't want (?:this|it|the call|to be) recorded|no recording|not (?:ok|okay|comfortable) (?:with|being) record\w*|i (?:don't|do not) consent|i (?:don't|do not) agree to (?:the )?record\w*|rather (?:you )?(?:not|didn't) record|please don't record|not be recorded|no,? (?:don't|do not|please don't) record)\b/;

/** Consent to record the call (seed 004): only said when the caller speaks of recording or was asked. */
export function findRecordingConsent(norm: string, options: { expecting: boolean; answeredYes: boolean; answeredNo: boolean }): boolean | undefined {
  if (REFUSES.test(norm)) return false;
  if (CONSENTS.test(norm)) return true;
  if (options.expecting) {
    if (options.answeredNo) return false;
    if (options.answeredYes) return true;
  }
  return undefined;
}

const REFUSAL =
  /\b(?:(?:i'd|i would|i'll|we'd|we would) (?:rather|prefer) not(?: to)?(?: say| share| give| tell| disclose| answer)?|prefer not to (?:say|share|give|tell|disclose|answer)|not (?:comfortable|willing|able) (?:sharing|to share|giving|to give|saying|to say|disclosing|to disclose)|(?:can't|cannot|won't|will not|don't want to) (?:share|say|give|tell|disclose)(?: (?:that|it|you|out))?|none of your business|that's (?:private|confidential)|(?:it's|that's) confidential|no comment|skip (?:that|this|it)(?: one| question)?|pass on that|next question|let's not go there|keep (?:that|it) (?:to myself|private))\b/;

const FIELD_WORDS: ReadonlyArray<[RegExp, FactName]> = [
  [/\b(?:e-?mail)\b/, 'email'],
  [/\b(?:phone|number|cell|mobile|digits)\b/, 'phone'],
  [/\b(?:budget|money|spend|numbers|figures|price range)\b/, 'budget'],
  [/\b(?:name)\b/, 'contact_person'],
  [/\b(?:company|business|employer)\b/, 'company'],
  [/\b(?:timeline|timeframe|time frame|when)\b/, 'timeline'],
  [/\b(?:decision|decides|authority|boss)\b/, 'authority'],
];

/**
 * The questions the caller declines: the field they name ("i'd rather not give my number"),
 * or the one Clara just asked. An "i don't know" to the budget counts too: asking again
 * would not help.
 */
export function findRefusals(norm: string, expecting: FactName | undefined): FactName[] {
  const refusal = REFUSAL.exec(norm);
  const unknownBudget = expecting === 'budget' && /\b(?:i don't know|don't know|not sure|no idea|no budget|haven't (?:set|decided)|tbd|depends)\b/.test(norm);
  if (!refusal && !unknownBudget) return [];
  if (refusal) {
    const rest = norm.slice(refusal.index, Math.min(norm.length, refusal.index + refusal[0].length + 40));
    const named = FIELD_WORDS.filter(([re]) => re.test(rest)).map(([, field]) => field);
    if (named.length > 0) return named;
  }
  return expecting ? [expecting] : [];
}
