import assert from 'node:assert/strict';
import { test } from 'node:test';
import { relayMessageSchema, textTokens } from './relay-connection.js';

test('a reply goes out sentence by sentence; only the last token says last', () => {
  const tokens = textTokens('Got it. What is your budget? Thanks!');
  assert.deepEqual(tokens, [
    { type: 'text', token: 'Got it. ', last: false },
    { type: 'text', token: 'What is your budget? ', last: false },
    { type: 'text', token: 'Thanks!', last: true },
  ]);
  assert.equal(tokens.map((t) => ('token' in t ? t.token : '')).join(''), 'Got it. What is your budget? Thanks!');
  assert.deepEqual(textTokens('No punctuation'), [{ type: 'text', token: 'No punctuation', last: true }]);
});

test("Twilio's messages are read, extra fields tolerated; unknown types are not ours to handle", () => {
  assert.equal(relayMessageSchema.parse({ type: 'setup', callSid: 'CA1', from: '+1', to: '+2', callType: 'PSTN', customParameters: {} }).type, 'setup');
  const interrupt = relayMessageSchema.parse({ type: 'interrupt', utteranceUntilInterrupt: 'Life is a', durationUntilInterruptMs: '460' });
  assert.equal(interrupt.type === 'interrupt' && interrupt.utteranceUntilInterrupt, 'Life is a');
  assert.equal(relayMessageSchema.parse({ type: 'prompt', voicePrompt: 'hi', lang: 'en-US', last: true }).type, 'prompt');
  assert.equal(relayMessageSchema.parse({ type: 'dtmf', digit: '1' }).type, 'dtmf');
  assert.equal(relayMessageSchema.parse({ type: 'error', description: 'bad' }).type, 'error');
  assert.equal(relayMessageSchema.safeParse({ type: 'info', name: 'x' }).success, false);
  assert.equal(relayMessageSchema.safeParse({ type: 'setup' }).success, false);
});
