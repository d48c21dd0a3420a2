/**
 * Authority, timeline and need: the A, T and N of BANT, read from what the caller says about
 * themself ("i need to run it by my boss", "we want something in place this month", "we keep
 * missing calls after hours").
 */
import type { Hit } from './email.js';
import { parseWholeNumber } from './numbers.js';
import type { Authority, Timeline } from './types.js';

interface Cue<T> {
  re: RegExp;
  value: T;
}

// Order matters: the first cue that matches wins, so "i'm the ceo but the board decides" is an
// influencer, and "i'm not the decision maker" is not read as "decision maker".
const AUTHORITY_CUES: Cue<Authority>[] = [
  {
    value: 'no_authority',
    re: /\b(?:i (?:have|got) no say|i don't (?:really )?(?:have (?:any|a) say|make (?:the |any )?decisions?|decide)|(?:that's|thats|it's|its) (?:all )?up to (?:the|my|our) (?:owner|boss|manager|partners?|founders?|board)|(?:the|my|our) (?:partners|owners|founders) make (?:all )?(?:the )?(?:purchasing |buying |final )?(?:decisions|calls)|not (?:my|up to me)(?: to decide| decision| call)?\b(?! alone)|i'm not (?:the|a) decision[- ]?maker(?! but)|i am not (?:the|a) decision[- ]?maker(?! but)|no authority|i'm just (?:doing (?:the )?research|researching|gathering info\w*|looking)|someone else (?:decides|makes (?:the|that) (?:decision|call))|(?:my|the) (?:boss|manager|owner|ceo|director|board|partner) (?:decides|makes (?:the|all the|that) (?:decision|decisions|call))(?! with me| together))/,
  },
  {
    value: 'influencer',
    re: /\b(?:run (?:it|this|that) (?:by|past)|check(?:ing)? with|talk(?:ing)? (?:it over )?(?:to|with) (?:my|our|the) (?:boss|manager|partner|team|board|wife|husband|cfo|ceo|owner|director|co-?founder|finance|procurement)|(?:need|needs|get|getting|requires?|require) (?:\w+ )?(?:approval|sign[- ]?off|buy[- ]?in|the green light)|approv\w+ from|procurement|(?:the )?board (?:has to|needs to|must|will|would)|committee|not (?:my|the) (?:call|decision) alone|not (?:only|just) (?:my|up to me)|(?:we|they) decide together|joint decision|(?:i|we) (?:recommend|make (?:a |the )?recommendation|influence|present (?:it|options))|part of the decision|involved in the decision|i have (?:a|some) say|(?:my|our) (?:boss|manager|partner|cfo|ceo|director|owner) (?:has|gets|will have) (?:the )?(?:final|last) (?:say|word)|(?:the )?(?:final|last) (?:call|say|word|decision) (?:is|lies|sits|rests) (?:with|up to) (?:my|our|the) (?:board|boss|manager|partner|owner|ceo|cfo|director|team|committee|founders?|owners?)|(?:my|our) (?:boss|manager|owner|ceo|cfo|director|partner|board)(?: [a-z]+){0,3} (?:is the one who|are the ones who|signs|sign off|approves)|(?:has|have|goes|go) (?:to go )?(?:through|to) (?:procurement|(?:the|our) board|finance|legal|my boss|our boss)|i can recommend|(?:can't|cannot|can not) sign|loop in (?:my|our|the) [a-z]+|(?:he|she|they) (?:signs|decides|approves|makes the (?:call|decision))|(?:cfo|ceo|boss|owner|board|director|manager|partner)s? (?:has|have|needs?|will need|must|would (?:need|have)) to (?:approve|sign)|\b(?!(?:i|we|i'll|we'll)\b)[a-z]+ (?:will|would|gets to) make the (?:final )?(?:decision|call)|(?:the )?decision (?:is|lies|rests) with (?:my|our|the) |(?<!\bi )(?<!\bi'll )(?:would have to|will have to|has to|needs to|must) (?:approve|sign off on|okay|ok) (?:it|this|that|anything))/,
  },
  {
    value: 'decision_maker',
    re: /\b(?:i (?:own|run|founded|started) (?:the|this|my|our) (?:company|business|firm|practice|agency|shop|store|clinic)|i own (?:it|the place)|i'm the (?:owner|founder|co-?founder|ceo|president|boss|principal|managing director|decision[- ]?maker)|i am the (?:owner|founder|co-?founder|ceo|president|boss|principal|managing director|decision[- ]?maker)|i'm (?:the )?(?:owner|founder|ceo|president) (?:of|at)|(?:i|i'll) (?:make|makes) (?:the |all the |that |those )?(?:final |buying |purchasing )?(?:decisions?|calls?)|\bi (?:own|founded|co-?founded) (?!a (?:copy|phone|house|car|home)\b)|i decide|i'm the one who (?:decides|signs|makes)|i sign(?: off)?|i can sign|i (?:have|hold) (?:the )?(?:final|last) (?:say|word)|(?:it's|that's|its|thats) (?:all )?my (?:decision|call)|(?:final )?decision is mine|the decision is (?:all )?mine|(?:rests|lies|is) with me|i'm the decision[- ]?maker|i have (?:full |the )?(?:authority|budget authority)|i approve|i control the budget|up to me(?! alone)|my own (?:company|business))/,
  },
];

/** A job title on its own says who signs: "priya shah, ceo of northwind". */
const DECISION_TITLES = /\b(?:ceo|founder|co-?founder|owner|co-?owner|president|proprietor|managing director|md|principal|managing partner)\b/;

export function findAuthority(norm: string, options: { expecting: boolean; answeredYes: boolean; answeredNo: boolean }): Hit<Authority> | undefined {
  for (const cue of AUTHORITY_CUES) {
    const match = cue.re.exec(norm);
    if (match) return { value: cue.value, start: match.index, end: match.index + match[0].length };
  }
  const title = DECISION_TITLES.exec(norm);
  if (title && /\b(?:i'm|i am|im|as|i'm the|this is|,)\b|,/.test(norm.slice(Math.max(0, title.index - 40), title.index))) {
    return { value: 'decision_maker', start: title.index, end: title.index + title[0].length };
  }
  if (options.expecting) {
    // Clara asked "are you the one who makes the final decision, or is someone else involved?"
    if (/\b(?:not sure|don't know|no idea|unclear)\b/.test(norm)) return { value: 'unknown', start: 0, end: norm.length };
    if (/\b(?:both|together|shared|jointly|me and|with my)\b/.test(norm)) return { value: 'influencer', start: 0, end: norm.length };
    if (options.answeredYes || /^\W*(?:me|i do|that's me|that would be me|yes that's me|it's me|myself)\b/.test(norm)) {
      return { value: 'decision_maker', start: 0, end: norm.length };
    }
    if (options.answeredNo || /\b(?:someone else|my boss|the boss|my manager|the owner|my partner)\b/.test(norm)) {
      return { value: 'influencer', start: 0, end: norm.length };
    }
  }
  return undefined;
}

const TIMELINE_CUES: Cue<Timeline>[] = [
  { value: 'immediate', re: /\b(?:asap|a\.s\.a\.p|as soon as (?:possible|we can|you can)|right away|right now|immediately|urgent(?:ly)?|straight away|today|tonight|yesterday|this instant|now(?:\s+if possible)?$|like now|first thing tomorrow|by tomorrow|tomorrow|within (?:a|one|24) (?:day|hours?)|emergency)\b/ },
  { value: 'this_week', re: /\b(?:this week|(?:by|before) (?:the )?end of (?:the |this )?week|end of week|by (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:in|within) (?:the next )?(?:a few|few|couple of|two|three|2|3) days|within (?:a|one) week|next few days|in a day or two|this weekend)\b/ },
  { value: 'this_month', re: /\b(?:this month|(?:by|before) (?:the )?end of (?:the |this )?month|end of month|next week|in (?:a|one|two|three|four|a couple of|a few|couple|few|2|3|4) weeks?|within (?:a|one) month|within (?:30|thirty) days|in (?:a|one) month|in the next (?:few|couple of|two|three|2|3) weeks|(?:the )?coming weeks|mid[- ]month|before the holidays)\b/ },
  { value: 'this_quarter', re: /\b(?:this quarter|(?:by|before) (?:the )?end of (?:the |this )?quarter|end of quarter|next month|(?:in|within) (?:the next )?(?:two|three|2|3|a couple of|a few|couple|few) months|within (?:90|ninety|60|sixty) days|(?:in|within) (?:the next )?(?:six|eight|ten|twelve|6|8|10|12) weeks|in the next (?:couple|few) of? months|this (?:spring|summer|fall|autumn|winter)|q[1-4]|next (?:six|6|eight|8) weeks)\b/ },
  { value: 'future', re: /\b(?:next year|next quarter|later this year|(?:in|within) (?:(?:the next )?(?:four|five|six|nine|twelve|4|5|6|9|12|18) months|(?:a|one) year|a couple of years|a few years)|end of (?:the )?year|no rush|not in a rush|no hurry|eventually|someday|some day|down the road|long[- ]term|just (?:exploring|looking|browsing|researching)|not (?:any ?time|for a while) soon|not yet|in the future|(?:next|this) (?:fiscal|financial) year|budget cycle|h2|second half)\b/ },
];

/** Words that show a time is about when they want the solution, not something else. */
const TIMELINE_CONTEXT = /\b(?:need|needs|needed|want|wants|wanted|would like|like to|looking to|hoping|hope|plan\w*|launch\w*|go live|live|start\w*|implement\w*|roll\w* out|in place|up and running|set up|switch\w*|get going|deadline|timeline|timeframe|time frame|by|within|ready|decide|decision|buy|purchase|sign|move|asap|urgent\w*|right away|immediately|no rush|eventually|exploring|happen\w*|until|probably|looking at|running|working|have it|get it|done)\b/;

/** "in 6 weeks", "within 45 days": durations, mapped by length. */
function timelineOfDuration(norm: string): Hit<Timeline> | undefined {
  const re = /\b(?:in|within|next|over the next|in the next|within the next|in about|about)\s+((?:a )?(?:couple|few)(?: of)?|(?:[a-z]+[- ])?[a-z0-9]+)\s+(days?|weeks?|months?|years?)\b/g;
  let match: RegExpExecArray | null;
  while ((match = re.exec(norm)) !== null) {
    const amount = match[1]!.replace('-', ' ').replace(/^(?:a )?couple(?: of)?$/, '2').replace(/^(?:a )?few(?: of)?$/, '3');
    const count = parseWholeNumber(amount) ?? (/^(?:a|one)$/.test(amount) ? 1 : null);
    if (count === null) continue;
    const unit = match[2]!.replace(/s$/, '');
    const days = count * ({ day: 1, week: 7, month: 30, year: 365 }[unit] ?? 1);
    const value: Timeline = days <= 1 ? 'immediate' : days <= 7 ? 'this_week' : days <= 31 ? 'this_month' : days <= 92 ? 'this_quarter' : 'future';
    return { value, start: match.index, end: match.index + match[0].length };
  }
  return undefined;
}

export function findTimeline(norm: string, options: { expecting: boolean }): Hit<Timeline> | undefined {
  const candidates: Hit<Timeline>[] = [];
  const duration = timelineOfDuration(norm);
  if (duration) candidates.push(duration);
  for (const cue of TIMELINE_CUES) {
    const match = cue.re.exec(norm);
    if (match) candidates.push({ value: cue.value, start: match.index, end: match.index + match[0].length });
  }
  candidates.sort((a, b) => a.start - b.start);
  for (const hit of candidates) {
    const around = norm.slice(Math.max(0, hit.start - 80), Math.min(norm.length, hit.end + 40));
    if (options.expecting || TIMELINE_CONTEXT.test(around)) return hit;
  }
  if (options.expecting && /\b(?:not sure|don't know|no idea|unclear|depends|tbd|no timeline|no set time)\b/.test(norm)) {
    return { value: 'unknown', start: 0, end: norm.length };
  }
  return undefined;
}

/** Ways people state what they need, or the problem they have. */
const NEED_CUES =
  /\b(?:we|i)(?:'re| are| am|'m)? (?:need|needs|want|wanted|would like|'d like|looking for|looking to|searching for|hoping to|hoping for|trying to|interested in|struggling (?:with|to)|keep|can't|cannot|don't have|lack|miss|are missing|are losing|lose|spend too much|replacing|switching|migrating|consolidating|moving off)\b|\b(?:need|looking (?:for|4|to)|lookin (?:for|4|to)|want|help with|help (?:us|me) (?:with )?|problem is|issue is|challenge is|pain (?:point )?is|the goal is|our goal is)\b/g;

/** What follows a need verb but is not a need: approval, a time, the product in general, a demo. */
const NOT_A_NEED = /^(?:(?:to\s+)?(?:run it|run this|check|talk|think|ask|get approval|get sign[- ]?off|see|know|decide|consult|discuss|get (?:going|started)|start|begin|kick off|move|buy|purchase|sign|spend|pay|invest|have it|get it)\b|(?:some |your |board |management |their |his |her )?(?:approval|sign[- ]?off|permission|buy[- ]in)\b|at (?:next|this|the end|around|about|\d)|it\b|that\b|this\b|them\b|something (?:in place|soon|by|this|next|asap|right)|(?:a |the )?(?:demo|call ?back|callback|quote|price|pricing)\b|(?:an? )?(?:answer|moment|minute|second)\b|(?:more )?time\b|to (?:book|schedule|set up) (?:a )?(?:demo|call|meeting))/;

const MAX_NEED = 200;

/**
 * The need in the caller's own words: the clause that states it ("we keep missing calls after
 * hours and losing leads"), or the whole answer when Clara has just asked what they need.
 */
export function findNeed(norm: string, options: { expecting: boolean; sentenceOf: (pos: number) => { start: number; end: number } }): Hit<string> | undefined {
  NEED_CUES.lastIndex = 0;
  let match: RegExpExecArray | null;
  while ((match = NEED_CUES.exec(norm)) !== null) {
    const objectStart = match.index + match[0].length;
    const object = norm.slice(objectStart).trimStart();
    if (NOT_A_NEED.test(object) || object.length < 4) continue;
    const sentence = options.sentenceOf(match.index);
    // The need starts where they start stating it ("... and need to handle inquiries").
    const clause = { start: match.index, end: clauseAround(norm, match.index, sentence.end).end };
    if (clause.end - clause.start < 8) continue;
    return { value: norm.slice(clause.start, clause.end), start: clause.start, end: clause.end };
  }
  if (options.expecting) {
    const text = norm.replace(/^[\s,]*(?:(?:well|so|um|uh|basically|honestly|yeah|yes|sure|ok|okay)[\s,]+)*/, '');
    if (text.replace(/[^a-z]/g, '').length >= 6 && !/^(?:i don't know|not sure|no idea|nothing|just looking|no)\b/.test(text)) {
      const start = norm.length - text.length;
      const end = Math.min(norm.length, start + MAX_NEED);
      return { value: norm.slice(start, end), start, end };
    }
  }
  return undefined;
}

/** The clause holding `pos`: from the last clause break before it to the next sentence break. */
function clauseAround(norm: string, pos: number, sentenceEnd: number): { start: number; end: number } {
  const before = norm.slice(0, pos);
  const breakBefore = Math.max(before.lastIndexOf(','), before.lastIndexOf(' but '), before.lastIndexOf('. '), before.lastIndexOf('? '), before.lastIndexOf('! '));
  let start = breakBefore === -1 ? 0 : breakBefore + 1;
  while (start < pos && /[\s,.]/.test(norm[start]!)) start++;
  let end = Math.min(sentenceEnd, start + MAX_NEED);
  // The need ends where a budget, a timeline or an introduction begins.
  const tail = norm.slice(pos, end);
  const stop = tail.search(/,|\b(?:and (?:our|my|the) budget|(?:our|my|the) budget|budget is|and we have (?:a|about|around)|and i'm|and i am|i'm the|and we (?:want|need) (?:it|something) (?:by|in|this|next)|my (?:email|number|phone) is|you can reach)\b/);
  if (stop > 0) end = pos + stop;
  return { start, end: trimEnd(norm, start, end) };
}

function trimEnd(norm: string, start: number, end: number): number {
  let e = end;
  while (e > start && /[\s,.;!?-]/.test(norm[e - 1]!)) e--;
  return e;
}
