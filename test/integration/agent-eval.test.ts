import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { parsePhoneNumberWithError } from 'libphonenumber-js';
import { apiTalker } from '../../src/agent/eval/api-talker.js';
import { corpusSchema, evaluate, formatMisses, formatReport, type ScriptedConversation } from '../../src/agent/eval/evaluate.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

/**
 * The corpus's overall accuracy may not drop below this: under the 99.8% (485 of 486
 * facts) measured on 2026-12-01. Most of the corpus was written before the extractor was tuned
 * and the extractor was then fixed against its misses, so this guards against regressions; the
 * last 35 conversations were added unseen and scored 90.5% on their own. Raise the floor as
 * the extractor improves; never make the corpus easier to pass.
 */
const FLOOR = 0.97;

const corpusFile = new URL('../fixtures/conversations.json', import.meta.url);

/**
 * Two corpora written by engineers who read neither the extractor nor the other corpora, to
 * measure how Clara does on phrasing nobody tuned it for. Measured on first contact
 * (2026-12-01): 82.2% (holdout) and 73.1% (holdout-2). General fixes for what they found then
 * raised them to 99.3% and 93.4%: they are no longer unseen, so these floors guard regressions
 * and the first-contact figures stay the honest measure of generalisation (docs/agent.md).
 */
const HELD_OUT = [
  { file: 'conversations-holdout.json', floor: 0.97 },
  { file: 'conversations-holdout-2.json', floor: 0.9 },
];

describe('Clara on the evaluation corpus (test/fixtures/conversations.json)', () => {
  let t: TestApp;
  let corpus: ScriptedConversation[];
  before(async () => {
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
    corpus = corpusSchema.parse(JSON.parse(await readFile(corpusFile, 'utf8')));
  });
  after(async () => {
    await t.close();
  });

  test('the corpus holds at least 60 varied conversations on every channel', () => {
    assert.ok(corpus.length >= 60, `${corpus.length} conversations`);
    for (const channel of ['web', 'sms', 'voice']) assert.ok(corpus.some((c) => c.channel === channel), channel);
    assert.ok(corpus.some((c) => c.default_country && c.default_country !== 'US'), 'non-US numbers');
    assert.ok(corpus.some((c) => Object.values(c.expected).includes(null)), 'refusals and details that must not be kept');
  });

  test('every expected phone number is a valid E.164 number, and no two conversations share an email or phone', () => {
    const seen = new Map<string, string>();
    for (const conversation of corpus) {
      for (const field of ['email', 'phone'] as const) {
        const value = conversation.expected[field];
        if (typeof value !== 'string') continue;
        if (field === 'phone') assert.ok(parsePhoneNumberWithError(value).isValid() && value.startsWith('+'), `${conversation.name}: ${value}`);
        // A shared contact would make two conversations one lead.
        assert.equal(seen.get(value), undefined, `${conversation.name} and ${seen.get(value)} share ${value}`);
        seen.set(value, conversation.name);
      }
    }
  });

  test(`extracted facts are at least ${FLOOR * 100}% right, replayed through the conversation API`, async () => {
    const { key } = await t.apiKey('agent');
    const talker = apiTalker({
      async request(method, path, body) {
        const response = await t.app.inject({ method, url: path, headers: { authorization: `Bearer ${key}` }, payload: body as object | undefined });
        return { status: response.statusCode, body: response.json() };
      },
    });
    const report = await evaluate(corpus, talker, { timeZone: 'UTC' });
    // The report is printed on every run: it is how the extractor's progress is read.
    console.log(`\n${formatReport(report)}\n${formatMisses(report, { withTurns: true })}\n`);
    assert.deepEqual(report.errors, [], 'every conversation goes through the API without an error');
    assert.ok(report.accuracy >= FLOOR, `overall accuracy ${(report.accuracy * 100).toFixed(1)}% is below the floor ${FLOOR * 100}%`);
  });
});

for (const { file, floor } of HELD_OUT) {
  describe(`Clara on the held-out corpus test/fixtures/${file}`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp({ CLARA_TIMEZONE: 'UTC' });
    });
    after(async () => {
      await t.close();
    });

    test(`extracted facts are at least ${floor * 100}% right`, async () => {
      const corpus = corpusSchema.parse(JSON.parse(await readFile(new URL(`../fixtures/${file}`, import.meta.url), 'utf8')));
      const { key } = await t.apiKey('agent');
      const talker = apiTalker({
        async request(method, path, body) {
          const response = await t.app.inject({ method, url: path, headers: { authorization: `Bearer ${key}` }, payload: body as object | undefined });
          return { status: response.statusCode, body: response.json() };
        },
      });
      const report = await evaluate(corpus, talker, { timeZone: 'UTC' });
      console.log(`\n${file}\n${formatReport(report)}\n${formatMisses(report, { withTurns: true })}\n`);
      assert.deepEqual(report.errors, []);
      assert.ok(report.accuracy >= floor, `overall accuracy ${(report.accuracy * 100).toFixed(1)}% is below the floor ${floor * 100}%`);
    });
  });
}
