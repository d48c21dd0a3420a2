import { AppError } from '../../server/errors.js';

/**
 * The period a dashboard reports on: whole calendar days in one time zone, both ends included.
 * Queries take the instants [start, end) so that PostgreSQL compares timestamps against
 * constants and uses the created_at / call_start_time indexes.
 */
export interface DateRange {
  /** First day, YYYY-MM-DD, in `time_zone`. */
  from: string;
  /** Last day (included), YYYY-MM-DD, in `time_zone`. */
  to: string;
  time_zone: string;
  /** Midnight starting `from` in `time_zone`, as an ISO instant. */
  start: string;
  /** Midnight ending `to` (exclusive), as an ISO instant. */
  end: string;
  days: number;
}

export type Interval = 'day' | 'week' | 'month';

export const DEFAULT_DAYS = 30;
/** Two years and a leap day: enough for a year-over-year view, and a bound on every query's cost. */
export const MAX_DAYS = 731;
/** A day-by-day chart wider than a year has more points than a screen has room for. */
export const MAX_DAY_BUCKETS = 366;

export class InvalidDateRangeError extends AppError {
  constructor(message: string) {
    super(400, 'invalid_date_range', message);
  }
}

const DAY_MS = 86_400_000;

/** Days since the epoch of a calendar date, or undefined when it is not a real date. */
function dayNumber(date: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms / DAY_MS;
}

const dateOf = (days: number) => new Date(days * DAY_MS).toISOString().slice(0, 10);

function formatter(timeZone: string): Intl.DateTimeFormat {
  try {
    return new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  } catch {
    throw new InvalidDateRangeError(`Unknown time zone "${timeZone}"; use an IANA name such as Europe/Paris`);
  }
}

/** The wall-clock time in the zone at an instant, read as if it were UTC (milliseconds). */
function wallClock(format: Intl.DateTimeFormat, instant: number): number {
  const parts = Object.fromEntries(format.formatToParts(new Date(instant)).map((part) => [part.type, part.value]));
  return Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
}

/**
 * The instant a calendar day begins in the zone. Two passes settle the offset on either side of
 * a daylight-saving change; where midnight does not exist (a change at 00:00) the day begins at
 * the first instant after the gap.
 */
function startOfDay(format: Intl.DateTimeFormat, days: number): number {
  const local = days * DAY_MS;
  let instant = local;
  for (let pass = 0; pass < 2; pass += 1) {
    instant = local - (wallClock(format, instant) - instant);
  }
  return instant;
}

export interface RangeInput {
  from?: string | undefined;
  to?: string | undefined;
  tz?: string | undefined;
}

/**
 * Resolves the query's dates: both given, one given (the other 30 days away, or today), or
 * neither (the last 30 days, today included). Rejects impossible dates, a reversed range and
 * one longer than MAX_DAYS.
 */
export function resolveDateRange(input: RangeInput, defaultTimeZone: string, now: Date = new Date()): DateRange {
  const timeZone = input.tz ?? defaultTimeZone;
  const format = formatter(timeZone);
  const parse = (name: 'from' | 'to', value: string | undefined) => {
    if (value === undefined) return undefined;
    const days = dayNumber(value);
    if (days === undefined) throw new InvalidDateRangeError(`${name} must be a calendar date written YYYY-MM-DD, not "${value}"`);
    return days;
  };
  const today = Math.floor(wallClock(format, now.getTime()) / DAY_MS);
  let from = parse('from', input.from);
  let to = parse('to', input.to);
  if (to === undefined) to = from === undefined ? today : Math.max(from, Math.min(today, from + DEFAULT_DAYS - 1));
  if (from === undefined) from = to - (DEFAULT_DAYS - 1);
  if (from > to) throw new InvalidDateRangeError(`from (${dateOf(from)}) is after to (${dateOf(to)})`);
  const days = to - from + 1;
  if (days > MAX_DAYS) throw new InvalidDateRangeError(`The range covers ${days} days; at most ${MAX_DAYS} are allowed`);
  return {
    from: dateOf(from),
    to: dateOf(to),
    time_zone: timeZone,
    start: new Date(startOfDay(format, from)).toISOString(),
    end: new Date(startOfDay(format, to + 1)).toISOString(),
    days,
  };
}

/** The chart's bucket size: as asked (if it fits), else one that gives a readable number of points. */
export function resolveInterval(range: DateRange, asked: Interval | undefined): Interval {
  if (asked === 'day' && range.days > MAX_DAY_BUCKETS) {
    throw new InvalidDateRangeError(`A day-by-day chart covers at most ${MAX_DAY_BUCKETS} days; ask for interval=week or month`);
  }
  if (asked) return asked;
  if (range.days <= 62) return 'day';
  if (range.days <= 366) return 'week';
  return 'month';
}

/**
 * The first day of every bucket that overlaps the range, YYYY-MM-DD: what PostgreSQL's
 * date_trunc gives for local dates (weeks start on Monday, months on the 1st).
 */
export function bucketStarts(range: DateRange, interval: Interval): string[] {
  const from = dayNumber(range.from) as number;
  const to = dayNumber(range.to) as number;
  const starts: string[] = [];
  if (interval === 'month') {
    const first = new Date(from * DAY_MS);
    for (let month = first.getUTCMonth(), year = first.getUTCFullYear(); ; month += 1) {
      const start = Date.UTC(year, month, 1) / DAY_MS;
      if (start > to) break;
      starts.push(dateOf(start));
    }
    return starts;
  }
  // 1970-01-01, day 0, was a Thursday: (day + 3) mod 7 counts days since Monday.
  const step = interval === 'week' ? 7 : 1;
  for (let day = interval === 'week' ? from - (((from + 3) % 7) + 7) % 7 : from; day <= to; day += step) starts.push(dateOf(day));
  return starts;
}
