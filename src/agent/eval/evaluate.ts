import { z } from 'zod';

/**
 * An expected value: the exact value, `null` for "must not be kept" (a refusal, someone
 * else's details, an injection), `{any_of: [...]}` where several answers are right (an
 * industry), or, for meeting_time, a time relative to the day the corpus is replayed.
 */
const relativeTime = z
  .object({
    days_from_today: z.number().int().min(0).max(366),
    time: z.string().regex(/^\d{2}:\d{2}$/, 'HH:MM'),
  })
  .strict();
const anyOf = z.object({ any_of: z.array(z.unknown()).min(1) }).strict();

export const scriptedConversation = z
  .object({
    name: z.string().min(1),
    /** What the conversation exercises, for the person reading a miss. */
    about: z.string().optional(),
    channel: z.enum(['web', 'sms', 'voice']).default('web'),
    default_country: z.string().regex(/^[A-Z]{2}$/).optional(),
    from: z.string().optional(),
    /** The prospect's turns; `{{date+N}}` is the date N days from today, as said ("wednesday december 9"). */
    turns: z.array(z.string().min(1)).min(1),
    expected: z.record(z.string(), z.unknown()),
  })
  .strict();
export const corpusSchema = z
  .array(scriptedConversation)
  .min(1)
  .superRefine((corpus, ctx) => {
    const seen = new Set<string>();
    corpus.forEach((conversation, index) => {
      if (seen.has(conversation.name)) ctx.addIssue({ code: 'custom', path: [index, 'name'], message: `duplicate name ${conversation.name}` });
      seen.add(conversation.name);
      for (const [field, value] of Object.entries(conversation.expected)) {
        const parsed = field === 'meeting_time' && typeof value === 'object' && value !== null && !('any_of' in value) ? relativeTime.safeParse(value) : undefined;
        if (parsed && !parsed.success) ctx.addIssue({ code: 'custom', path: [index, 'expected', field], message: 'meeting_time: an ISO instant or {days_from_today, time}' });
        if (typeof value === 'object' && value !== null && 'any_of' in value && !anyOf.safeParse(value).success) {
          ctx.addIssue({ code: 'custom', path: [index, 'expected', field], message: '{any_of: [...]} holds a non-empty array only' });
        }
      }
    });
  });
export type ScriptedConversation = z.infer<typeof scriptedConversation>;

export interface Talker {
  start(conversation: ScriptedConversation): Promise<string>;
  /** Says one turn; answers with everything extracted in the session so far. */
  say(sessionId: string, text: string): Promise<Record<string, unknown>>;
  end(sessionId: string): Promise<void>;
}

export interface EvalOptions {
  /** The server's CLARA_TIMEZONE: relative meeting times and `{{date+N}}` are read in it. */
  timeZone: string;
  now?: Date;
}

export interface FieldScore {
  field: string;
  correct: number;
  total: number;
}

export interface Miss {
  conversation: string;
  field: string;
  expected: unknown;
  actual: unknown;
  /** The turns as said (templates filled in). */
  turns: string[];
}

export interface EvalReport {
  conversations: number;
  fields: FieldScore[];
  correct: number;
  total: number;
  accuracy: number;
  misses: Miss[];
  /** Conversations the API failed on (their fields count as misses). */
  errors: { conversation: string; error: string }[];
}

/** Fields whose letter case is part of the contract (title-cased names, lower-case emails, codes). */
const CASE_SENSITIVE = new Set(['contact_person', 'email', 'phone', 'budget_currency', 'authority', 'timeline']);
/** "unknown" says nothing, so it counts as nothing kept. */
const UNKNOWN_MEANS_ABSENT = new Set(['authority', 'timeline']);

const words = (value: string) => new Set(value.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

function isAbsent(field: string, actual: unknown): boolean {
  return actual === undefined || actual === null || (UNKNOWN_MEANS_ABSENT.has(field) && actual === 'unknown');
}

/**
 * Whether Clara's value for a field is right. Free text (the need) matches when at least 60% of
 * the expected words were captured; an industry when its label holds every expected word;
 * companies case-insensitively; numbers exactly.
 * `expected` is already resolved (no relative times left).
 */
export function matches(field: string, expected: unknown, actual: unknown): boolean {
  if (expected === null) return isAbsent(field, actual);
  if (typeof expected === 'object' && expected !== null && 'any_of' in expected && Array.isArray(expected.any_of)) {
    return expected.any_of.some((option: unknown) => matches(field, option, actual));
  }
  if (actual === undefined || actual === null) return false;
  if (field === 'need' && typeof expected === 'string' && typeof actual === 'string') {
    const want = words(expected);
    const got = words(actual);
    const hits = [...want].filter((word) => got.has(word)).length;
    return want.size === 0 || hits / want.size >= 0.6;
  }
  if (field === 'meeting_time' && typeof expected === 'string' && typeof actual === 'string') {
    return new Date(expected).getTime() === new Date(actual).getTime();
  }
  if (field === 'industry' && typeof expected === 'string' && typeof actual === 'string') {
    // A broader label that names what was said is right: "construction" in "Construction & Home Services".
    const got = words(actual);
    return [...words(expected)].every((word) => got.has(word));
  }
  if (typeof expected === 'string' && typeof actual === 'string') {
    return CASE_SENSITIVE.has(field) ? expected.trim() === actual.trim() : expected.trim().toLowerCase() === actual.trim().toLowerCase();
  }
  return JSON.stringify(expected) === JSON.stringify(actual);
}

// --- dates relative to the day of the run, in the server's time zone -------------------------

interface LocalDate {
  year: number;
  month: number;
  day: number;
}

function localDate(now: Date, timeZone: string, plusDays: number): LocalDate {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric' }).formatToParts(now);
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const date = new Date(Date.UTC(part('year'), part('month') - 1, part('day') + plusDays));
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

/** Minutes to add to UTC to get the wall time in `timeZone` at `instant`. */
function offsetMinutes(instant: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  }).formatToParts(new Date(instant));
  const part = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const wall = Date.UTC(part('year'), part('month') - 1, part('day'), part('hour'), part('minute'));
  return Math.round((wall - Math.floor(instant / 60_000) * 60_000) / 60_000);
}

/** The instant when the clocks of `timeZone` show this date and time. */
export function zonedInstant(date: LocalDate, time: string, timeZone: string): Date {
  const [hour, minute] = time.split(':').map(Number) as [number, number];
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute);
  let instant = wall - offsetMinutes(wall, timeZone) * 60_000;
  // Once more, in case the first guess crossed a daylight-saving change.
  instant = wall - offsetMinutes(instant, timeZone) * 60_000;
  return new Date(instant);
}

/** "wednesday december 9", as a prospect says it. */
function spokenDate(date: LocalDate): string {
  const noon = new Date(Date.UTC(date.year, date.month - 1, date.day, 12));
  return noon.toLocaleDateString('en-US', { weekday: 'long', month: 'long', day: 'numeric', timeZone: 'UTC' }).replace(',', '').toLowerCase();
}

export function fillTemplates(text: string, options: EvalOptions): string {
  const now = options.now ?? new Date();
  return text.replace(/\{\{date\+(\d+)\}\}/g, (_, days: string) => spokenDate(localDate(now, options.timeZone, Number(days))));
}

export function resolveExpected(field: string, expected: unknown, options: EvalOptions): unknown {
  if (field !== 'meeting_time') return expected;
  const relative = relativeTime.safeParse(expected);
  if (!relative.success) return expected;
  const date = localDate(options.now ?? new Date(), options.timeZone, relative.data.days_from_today);
  return zonedInstant(date, relative.data.time, options.timeZone).toISOString();
}

// --- the run ---------------------------------------------------------------------------------

/** Replays each conversation turn by turn and scores the facts Clara ended with, field by field. */
export async function evaluate(corpus: ScriptedConversation[], talker: Talker, options: EvalOptions): Promise<EvalReport> {
  const scores = new Map<string, FieldScore>();
  const misses: Miss[] = [];
  const errors: EvalReport['errors'] = [];
  for (const conversation of corpus) {
    const turns = conversation.turns.map((turn) => fillTemplates(turn, options));
    let extracted: Record<string, unknown> = {};
    let failed: string | undefined;
    try {
      const sessionId = await talker.start(conversation);
      for (const turn of turns) extracted = await talker.say(sessionId, turn);
      await talker.end(sessionId);
    } catch (error) {
      failed = error instanceof Error ? error.message : String(error);
      errors.push({ conversation: conversation.name, error: failed });
    }
    for (const [field, raw] of Object.entries(conversation.expected)) {
      const expected = resolveExpected(field, raw, options);
      const score = scores.get(field) ?? { field, correct: 0, total: 0 };
      score.total += 1;
      if (failed === undefined && matches(field, expected, extracted[field])) score.correct += 1;
      else misses.push({ conversation: conversation.name, field, expected, actual: failed ? `(error: ${failed})` : extracted[field], turns });
      scores.set(field, score);
    }
  }
  const fields = [...scores.values()].sort((a, b) => a.field.localeCompare(b.field));
  const correct = fields.reduce((sum, f) => sum + f.correct, 0);
  const total = fields.reduce((sum, f) => sum + f.total, 0);
  return { conversations: corpus.length, fields, correct, total, accuracy: total ? correct / total : 1, misses, errors };
}

const percent = (ratio: number) => `${(ratio * 100).toFixed(1)}%`;

export function formatReport(report: EvalReport): string {
  const lines = [`${report.conversations} conversations`, 'field                 correct  total  accuracy'];
  for (const f of report.fields) {
    lines.push(`${f.field.padEnd(21)} ${String(f.correct).padStart(7)} ${String(f.total).padStart(6)}  ${percent(f.correct / f.total).padStart(8)}`);
  }
  lines.push(`${'overall'.padEnd(21)} ${String(report.correct).padStart(7)} ${String(report.total).padStart(6)}  ${percent(report.accuracy).padStart(8)}`);
  for (const error of report.errors) lines.push(`error in ${error.conversation}: ${error.error}`);
  return lines.join('\n');
}

/** Every miss with what was said, so whoever fixes the extractor sees the input. */
export function formatMisses(report: EvalReport, options: { withTurns?: boolean } = {}): string {
  return report.misses
    .map((miss) => {
      const head = `miss ${miss.conversation} / ${miss.field}: expected ${JSON.stringify(miss.expected)}, got ${JSON.stringify(miss.actual)}`;
      return options.withTurns ? `${head}\n${miss.turns.map((turn) => `    > ${turn}`).join('\n')}` : head;
    })
    .join('\n');
}
