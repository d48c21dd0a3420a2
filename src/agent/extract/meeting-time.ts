/**
 * A meeting time as people propose it: "next tuesday at 3pm", "friday at 3", "tuesday the 15th
 * at three pm", "the 15th at 10:30". chrono-node does the parsing; this module feeds it what it
 * misses (spoken hours, a day of the month without a month) and applies the office-hours
 * reading a person would ("friday at 3" is 3pm, not 3am).
 */
import * as chrono from 'chrono-node';

const HOUR_WORDS: Readonly<Record<string, number>> = {
  one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10, eleven: 11, twelve: 12,
};
const MINUTE_WORDS: Readonly<Record<string, string>> = { fifteen: '15', thirty: '30', 'forty five': '45', 'forty-five': '45' };
const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const MONTH_NAMES = '(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)';

/** The UTC offset of a time zone at an instant, in minutes (what chrono's reference takes). */
export function zoneOffsetMinutes(timeZone: string, at: Date): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const get = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second'));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** Calendar date (year, month, day) of an instant in a zone. */
function localDate(at: Date, offsetMinutes: number): { year: number; month: number; day: number } {
  const local = new Date(at.getTime() + offsetMinutes * 60_000);
  return { year: local.getUTCFullYear(), month: local.getUTCMonth(), day: local.getUTCDate() };
}

/**
 * "tuesday the 15th" and "on the 15th" name a day of the month without the month: the next
 * such date (that falls on the weekday, when one is named).
 */
function resolveDayOfMonth(text: string, now: Date, offsetMinutes: number): string {
  const pattern = new RegExp(`\\b(?:(${WEEKDAYS.join('|')})\\s+)?(?:the\\s+)?(\\d{1,2})(?:st|nd|rd|th)?\\b(?!\\s*(?::|am|pm|a\\.m|p\\.m|o'clock|${MONTH_NAMES}\\b|%|k\\b|dollars|people|employees))`, 'g');
  return text.replace(pattern, (whole: string, weekday: string | undefined, dayText: string, offset: number) => {
    const before = text.slice(Math.max(0, offset - 12), offset);
    const explicit = weekday !== undefined || /\b(?:on|the)\s*$/.test(before) || /\bthe\s/.test(whole);
    if (!explicit || new RegExp(`${MONTH_NAMES}\\s*$`).test(before) || /\b(?:at|in|for|by)\s*$/.test(before)) return whole;
    const day = Number(dayText);
    if (day < 1 || day > 31) return whole;
    const today = localDate(now, offsetMinutes);
    for (let ahead = 0; ahead < 13; ahead++) {
      const candidate = new Date(Date.UTC(today.year, today.month + ahead, day));
      if (candidate.getUTCDate() !== day) continue;
      if (ahead === 0 && day < today.day) continue;
      if (weekday !== undefined && WEEKDAYS[candidate.getUTCDay()] !== weekday) continue;
      return `${weekday ?? ''} ${MONTHS[candidate.getUTCMonth()]} ${day} ${candidate.getUTCFullYear()}`.trim();
    }
    return whole;
  });
}

/** Spoken hours become digits chrono reads: "at three thirty pm" -> "at 3:30 pm". */
function digitiseHours(text: string): string {
  const hour = Object.keys(HOUR_WORDS).join('|');
  const minutes = Object.keys(MINUTE_WORDS).join('|');
  return text
    .replace(new RegExp(`\\b(${hour})\\s+(${minutes})\\b`, 'g'), (_m, h: string, m: string) => `${HOUR_WORDS[h]}:${MINUTE_WORDS[m]}`)
    .replace(new RegExp(`\\b(${hour})(?=\\s*(?:am|pm|a\\.m\\.|p\\.m\\.|o'clock|in the (?:morning|afternoon|evening)))`, 'g'), (h: string) => String(HOUR_WORDS[h]))
    .replace(new RegExp(`\\bat\\s+(${hour})\\b`, 'g'), (_m, h: string) => `at ${HOUR_WORDS[h]}`)
    .replace(/\bo'clock\b/g, '');
}

export interface MeetingTimeHit {
  /** ISO 8601 instant. */
  value: string;
  /** chrono's matched text. */
  text: string;
}

/**
 * The first meeting time in the text that names an hour, in `timeZone`, never in the past.
 * A day without an hour is not a meeting time: Clara asks for the time instead.
 */
export function findMeetingTime(norm: string, now: Date, timeZone: string): MeetingTimeHit | undefined {
  const offset = zoneOffsetMinutes(timeZone, now);
  const prepared = resolveDayOfMonth(digitiseHours(norm), now, offset);
  const results = chrono.parse(prepared, { instant: now, timezone: offset }, { forwardDate: true });
  const timed = results.find((result) => result.start.isCertain('hour'));
  if (!timed) return undefined;
  const components = timed.start;
  // A day named in another chrono result of the same sentence ("tuesday ... at 3pm").
  const dated = components.isCertain('day') || components.isCertain('weekday')
    ? undefined
    : results.find((result) => result !== timed && (result.start.isCertain('day') || result.start.isCertain('weekday')));
  let hour = components.get('hour') ?? 0;
  // Office hours: "at 3" with no am/pm means the afternoon.
  if (!components.isCertain('meridiem') && hour >= 1 && hour <= 7) hour += 12;
  const base = dated ? dated.start : components;
  const year = base.get('year') ?? localDate(now, offset).year;
  const month = (base.get('month') ?? localDate(now, offset).month + 1) - 1;
  const day = base.get('day') ?? localDate(now, offset).day;
  const minute = components.get('minute') ?? 0;
  let at = new Date(Date.UTC(year, month, day, hour, minute) - offset * 60_000);
  // "at 3pm" said after 3pm means tomorrow.
  if (!dated && !components.isCertain('day') && !components.isCertain('weekday') && at.getTime() <= now.getTime()) {
    at = new Date(at.getTime() + 86_400_000);
  }
  if (at.getTime() <= now.getTime()) return undefined;
  return { value: at.toISOString(), text: [dated?.text, timed.text].filter(Boolean).join(' ') };
}
