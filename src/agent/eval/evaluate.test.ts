import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { corpusSchema, evaluate, fillTemplates, formatMisses, formatReport, matches, resolveExpected, zonedInstant, type Talker } from './evaluate.js';

describe('eval matching', () => {
  test('names, emails and codes must match exactly, companies in any case', () => {
    assert.ok(matches('contact_person', 'Maria Garcia', 'Maria Garcia'));
    assert.ok(!matches('contact_person', 'Maria Garcia', 'maria garcia'), 'names are title-cased');
    assert.ok(!matches('email', 'maria@acme.com', 'Maria@Acme.com'), 'emails are lower case');
    assert.ok(matches('company', 'brightpath logistics', 'Brightpath Logistics'));
    assert.ok(!matches('phone', '+14152673891', '4152673891'));
  });

  test('numbers match exactly, not as strings', () => {
    assert.ok(matches('budget_amount', 20000, 20000));
    assert.ok(!matches('budget_amount', 20000, '20000'));
    assert.ok(!matches('budget_amount', 20000, 30000));
  });

  test('null expects nothing kept; "unknown" counts as nothing for authority and timeline only', () => {
    assert.ok(matches('email', null, undefined));
    assert.ok(!matches('email', null, 'jane@acme.com'));
    assert.ok(matches('authority', null, 'unknown'));
    assert.ok(matches('timeline', null, 'unknown'));
    assert.ok(!matches('authority', null, 'decision_maker'));
    assert.ok(!matches('company', null, 'unknown'));
  });

  test('the need matches when most expected words were captured', () => {
    assert.ok(matches('need', 'missing calls after hours', 'We keep missing calls after hours and losing leads'));
    assert.ok(!matches('need', 'missing calls after hours', 'a crm'));
  });

  test('an industry matches a label that holds every expected word', () => {
    assert.ok(matches('industry', 'construction', 'Construction & Home Services'));
    assert.ok(matches('industry', 'real estate', 'Real Estate'));
    assert.ok(!matches('industry', 'real estate', 'Estate Planning'));
  });

  test('any_of accepts each of its values', () => {
    assert.ok(matches('industry', { any_of: ['dental', 'healthcare'] }, 'Healthcare'));
    assert.ok(!matches('industry', { any_of: ['dental', 'healthcare'] }, 'retail'));
  });

  test('meeting times compare as instants', () => {
    assert.ok(matches('meeting_time', '2027-01-14T15:00:00.000Z', '2027-01-14T10:00:00-05:00'));
  });
});

describe('dates relative to the run', () => {
  const now = new Date('2026-12-30T23:30:00Z');

  test('{{date+N}} is said as weekday, month and day in the server time zone', () => {
    assert.equal(fillTemplates('how about {{date+9}} at 2pm', { timeZone: 'UTC', now }), 'how about friday january 8 at 2pm');
    // Already December 31 in Tokyo.
    assert.equal(fillTemplates('{{date+1}}', { timeZone: 'Asia/Tokyo', now }), 'friday january 1');
  });

  test('a relative meeting time becomes the instant of that wall time in the time zone', () => {
    assert.equal(resolveExpected('meeting_time', { days_from_today: 1, time: '10:00' }, { timeZone: 'UTC', now }), '2026-12-31T10:00:00.000Z');
    assert.equal(resolveExpected('meeting_time', { days_from_today: 1, time: '10:00' }, { timeZone: 'America/New_York', now }), '2026-12-31T15:00:00.000Z');
    assert.equal(resolveExpected('budget_amount', 5, { timeZone: 'UTC', now }), 5);
  });

  test('wall times across a daylight-saving change', () => {
    assert.equal(zonedInstant({ year: 2027, month: 3, day: 15 }, '09:30', 'America/New_York').toISOString(), '2027-03-15T13:30:00.000Z');
    assert.equal(zonedInstant({ year: 2027, month: 3, day: 12 }, '09:30', 'America/New_York').toISOString(), '2027-03-12T14:30:00.000Z');
    assert.equal(zonedInstant({ year: 2027, month: 7, day: 1 }, '09:30', 'Europe/London').toISOString(), '2027-07-01T08:30:00.000Z');
  });
});

describe('evaluate', () => {
  test('scores the facts after the last turn, field by field, and lists misses with what was said', async () => {
    const said: string[] = [];
    const talker: Talker = {
      async start() {
        return 'session';
      },
      async say(_id, text) {
        said.push(text);
        return { contact_person: 'Maria Garcia', email: 'wrong@acme.com' };
      },
      async end() {},
    };
    const corpus = corpusSchema.parse([
      { name: 'one', turns: ['hi', 'see you {{date+1}}'], expected: { contact_person: 'Maria Garcia', email: 'maria@acme.com', phone: null } },
    ]);
    const report = await evaluate(corpus, talker, { timeZone: 'UTC', now: new Date('2026-12-01T12:00:00Z') });
    assert.deepEqual(said, ['hi', 'see you wednesday december 2']);
    assert.equal(report.total, 3);
    assert.equal(report.correct, 2);
    assert.deepEqual(report.misses.map((m) => [m.field, m.actual]), [['email', 'wrong@acme.com']]);
    assert.match(formatReport(report), /overall\s+2\s+3\s+66\.7%/);
    assert.match(formatMisses(report, { withTurns: true }), /miss one \/ email: expected "maria@acme.com", got "wrong@acme.com"\n {4}> hi/);
  });

  test('a conversation the API fails on counts as misses and is reported', async () => {
    const talker: Talker = {
      async start() {
        throw new Error('start failed with 500');
      },
      async say() {
        return {};
      },
      async end() {},
    };
    const corpus = corpusSchema.parse([{ name: 'broken', turns: ['hi'], expected: { email: null } }]);
    const report = await evaluate(corpus, talker, { timeZone: 'UTC' });
    assert.equal(report.correct, 0);
    assert.deepEqual(report.errors, [{ conversation: 'broken', error: 'start failed with 500' }]);
  });

  test('the corpus schema refuses duplicate names and malformed relative times', () => {
    const base = { turns: ['hi'], expected: {} };
    assert.throws(() => corpusSchema.parse([{ name: 'a', ...base }, { name: 'a', ...base }]), /duplicate name a/);
    assert.throws(() => corpusSchema.parse([{ name: 'a', turns: ['hi'], expected: { meeting_time: { days_from_today: 1, time: '3pm' } } }]), /meeting_time/);
    assert.throws(() => corpusSchema.parse([{ name: 'a', turns: ['hi'], expected: {}, extra: 1 }]));
  });
});
