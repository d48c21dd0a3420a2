import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smsKeyword } from './sms-keywords.js';

test("Twilio's opt-out words, in any case and with trailing punctuation, are opt-outs", () => {
  for (const word of ['STOP', 'stop', 'Stop.', ' StopAll ', 'UNSUBSCRIBE', 'cancel', 'End', 'quit!', 'REVOKE', 'optout']) {
    assert.equal(smsKeyword(word), 'opt_out', word);
  }
});

test('START and UNSTOP opt back in; YES is only a candidate; HELP and INFO ask for help', () => {
  assert.equal(smsKeyword('start'), 'opt_in');
  assert.equal(smsKeyword('UNSTOP'), 'opt_in');
  assert.equal(smsKeyword('Yes'), 'yes');
  assert.equal(smsKeyword('help'), 'help');
  assert.equal(smsKeyword('INFO'), 'help');
});

test('a sentence that contains a keyword is a message, not a keyword', () => {
  assert.equal(smsKeyword('please stop calling me at work'), undefined);
  assert.equal(smsKeyword("let's start with pricing"), undefined);
  assert.equal(smsKeyword('yes please'), undefined);
});

test("Advanced Opt-Out's OptOutType wins over the words", () => {
  assert.equal(smsKeyword('ARRET', 'STOP'), 'opt_out');
  assert.equal(smsKeyword('go', 'START'), 'opt_in');
  assert.equal(smsKeyword('stop', ''), 'opt_out');
});
