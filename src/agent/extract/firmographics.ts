/**
 * The company's industry and size: "we're a dental practice", "brightpath logistics", "we have
 * about 50 employees", "a team of twelve".
 */
import type { Hit } from './email.js';
import { lexTokens, parseNumber } from './numbers.js';

/** Keywords to the industry name stored on the lead and the client (the seeds' free text, kept consistent). */
const INDUSTRIES: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:dental|dentist(?:ry|s)?|orthodont\w+)\b/, 'Dental'],
  [/\b(?:clinic|medical|medicine|healthcare|health care|hospital|physician|doctors?|chiropract\w+|physio\w*|pharmac\w+|veterinar\w+|vet clinic|senior living|home care|nursing)\b/, 'Healthcare'],
  [/\b(?:logistics|freight|shipping|trucking|courier|delivery company|3pl|warehous\w+|supply chain)\b/, 'Logistics'],
  [/\b(?:roofing|roofers?|construction|contractors?|builders?|remodel\w*|plumbing|plumbers?|hvac|electricians?|landscap\w+|home services)\b/, 'Construction & Home Services'],
  [/\b(?:law firm|legal|lawyers?|attorneys?|solicitors?|law office|law)\b/, 'Legal'],
  [/\b(?:real estate|realty|realtors?|estate agen(?:cy|ts?)|letting agen(?:cy|ts?)|brokerage|property management|properties)\b/, 'Real Estate'],
  [/\b(?:insurance|insurer|brokers?)\b/, 'Insurance'],
  [/\b(?:bank|banking|fintech|financial services|wealth management|accounting|accountants?|bookkeeping|cpa|tax|vc|venture capital|private equity|investment firm|asset management)\b/, 'Finance'],
  [/\b(?:agriculture|agritech|agri|farm|farms|farming|farmers|agro)\b/, 'Agriculture'],
  [/\b(?:publisher|publishing|press)\b/, 'Media & Publishing'],
  [/\b(?:movers|moving company|removals|relocation)\b/, 'Moving & Storage'],
  [/\b(?:pet|pets|grooming|kennel|dog)\b/, 'Pet Services'],
  [/\b(?:cleaning|janitorial|cleaners|maid)\b/, 'Construction & Home Services'],
  [/\b(?:apparel|clothing|fashion|knitwear|textiles?|garments?)\b/, 'Fashion & Apparel'],
  [/\b(?:saas|software|tech company|it services|analytics|app developer|developers|platform|dev agency|dev shop|development agency|software agency)\b/, 'Software'],
  [/\b(?:e-?commerce|online store|retail|shop|boutique)\b/, 'Retail & E-commerce'],
  [/\b(?:restaurant|cafe|café|coffee shop|bakery|catering|bar|hotel|hospitality)\b/, 'Hospitality'],
  [/\b(?:coffee roasters?|wholesale|wholesaler|distributor|distribution)\b/, 'Wholesale & Distribution'],
  [/\b(?:manufactur\w+|factory|industrial)\b/, 'Manufacturing'],
  [/\b(?:school|education|university|college|tutoring|training|edtech)\b/, 'Education'],
  [/\b(?:marketing agency|agency|advertising|digital marketing|seo|media)\b/, 'Marketing & Advertising'],
  [/\b(?:auto(?:motive)?|car dealer\w*|dealership|garage|auto repair|mechanics?)\b/, 'Automotive'],
  [/\b(?:gym|fitness|yoga|pilates|salon|spa|barber\w*|beauty)\b/, 'Fitness & Beauty'],
  [/\b(?:non-?profit|charity|ngo|foundation)\b/, 'Nonprofit'],
  [/\b(?:consult\w+|consultancy)\b/, 'Consulting'],
  [/\b(?:recruit\w+|staffing|hr services)\b/, 'Staffing & Recruiting'],
  [/\b(?:solar|energy|utilities)\b/, 'Energy'],
  [/\b(?:telecom\w*|call center|call centre)\b/, 'Telecommunications'],
  [/\b(?:travel agency|travel|tourism)\b/, 'Travel'],
];

/** "we're a dental practice", "in the logistics business": said about their own company. */
const SELF_DESCRIPTION = /\b(?:we're|we are|we|we run|i run|i own|i have|we have|our|my|it's|its|it is|in the|in|a|an)\b/;
/** What they buy or use is not what they are: "we spend £400 on software", "looking for a crm for dentists". */
const NOT_SELF = /\b(?:spend\w*|on|for|use|using|buy\w*|need|want|looking for|like|than|with|to|from)\s+(?:\S+\s+){0,2}$/;

/**
 * The industry, from how they describe their business or from their company's name; `company`
 * is the company span already found, so "brightpath logistics" says logistics.
 */
export function findIndustry(norm: string, options: { company?: Hit<string>; expecting: boolean }): Hit<string> | undefined {
  const places: Array<{ text: string; offset: number; self: boolean }> = [];
  if (options.company) places.push({ text: options.company.value, offset: options.company.start, self: true });
  places.push({ text: norm, offset: 0, self: options.expecting });
  for (const place of places) {
    // The industry named first wins: "an insurance brokerage" is insurance, not real estate.
    let best: Hit<string> | undefined;
    for (const [re, industry] of INDUSTRIES) {
      const match = re.exec(place.text);
      if (!match) continue;
      const at = place.offset + match.index;
      const lead = norm.slice(Math.max(0, at - 40), at);
      if (!place.self && (!SELF_DESCRIPTION.test(lead) || NOT_SELF.test(lead))) continue;
      if (!best || at < best.start) best = { value: industry, start: at, end: at + match[0].length };
    }
    if (best) return best;
  }
  return undefined;
}

const PEOPLE = /^(?:employees?|people|staff|workers|team members|person|persons|folks|guys|agents|reps|salespeople|sales reps|technicians|techs|drivers|nurses|dentists|doctors|lawyers|consultants|engineers|developers|full[- ]time)\b/;

/** Company size in employees: the number right before "employees" / "people" / "staff". */
export function findCompanySize(norm: string, options: { expecting: boolean }): Hit<number> | undefined {
  const tokens = lexTokens(norm);
  for (let i = 0; i < tokens.length; i++) {
    const parsed = parseNumber(tokens, i);
    if (!parsed) continue;
    const after = norm.slice(tokens[parsed.next - 1]!.end).trimStart();
    const before = norm.slice(Math.max(0, tokens[i]!.start - 30), tokens[i]!.start);
    const counted = PEOPLE.test(after.replace(/^(?:full[- ]time|part[- ]time)\s+/, ''));
    const teamOf = /\b(?:team|staff|company|crew|firm|practice|agency|business|office) of\s*$/.test(before) || /^of us\b/.test(after);
    const bare = options.expecting && after.replace(/[\s.!]/g, '') === '';
    // "we're losing 5 customers" is not a headcount: only people-words, "team of" or a bare answer count.
    if (counted || teamOf || bare) {
      if (!Number.isInteger(parsed.value) || parsed.value < 1 || parsed.value > 10_000_000) {
        i = parsed.next - 1;
        continue;
      }
      return { value: parsed.value, start: tokens[i]!.start, end: tokens[parsed.next - 1]!.end };
    }
    i = parsed.next - 1;
  }
  return undefined;
}
