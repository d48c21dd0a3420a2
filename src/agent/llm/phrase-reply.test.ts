import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ChatClient, ChatRequest } from './chat-client.js';
import { checkPhrasing, phraseReply, SMS_MAX_CHARS, type PhraseInput, type PhrasingRejection } from './phrase-reply.js';

/** A chat client that answers every request with `content`, recording what it was asked. */
function answering(content: string): ChatClient & { requests: ChatRequest[] } {
  const requests: ChatRequest[] = [];
  return {
    model: 'stub',
    requests,
    async chatCompletion(request) {
      requests.push(request);
      return { content, finishReason: 'stop', model: 'stub' };
    },
  };
}

const input = (draft: string, channel: PhraseInput['channel'] = 'web'): PhraseInput => ({
  draft,
  agentName: 'Clara',
  companyName: 'Acme CRM',
  channel,
  transcript: [
    { role: 'assistant', text: 'Hi, I am Clara from Acme CRM. Who am I speaking with?' },
    { role: 'user', text: 'maria from brightpath' },
  ],
});

describe('checkPhrasing: the guard rails on a reworded reply', () => {
  test('accepts a faithful rewording', () => {
    assert.equal(checkPhrasing('Thanks Maria. What budget do you have in mind?', 'Lovely to meet you, Maria! What sort of budget are you working with?', 'web'), undefined);
    assert.equal(
      checkPhrasing('I booked your demo for Tuesday 3:00 PM.', 'All set: your demo is on Tuesday at 3:00 PM.', 'voice'),
      undefined,
    );
  });

  const cases: [string, string, string, PhraseInput['channel'], PhrasingRejection][] = [
    ['an empty answer', 'What is your email?', '   ', 'web', 'empty'],
    ['an answer far longer than the draft', 'What is your email?', `${'So, '.repeat(80)}what is your email?`, 'web', 'too_long'],
    ['an SMS beyond two segments', 'Thanks! What is your budget?', `Thanks! ${'really '.repeat(60)}what is your budget?`, 'sms', 'sms_too_long'],
    ['Markdown on a voice call', 'What is your budget?', 'What is your **budget**?', 'voice', 'voice_markup'],
    ['a bullet list on a voice call', 'What is your budget?', 'Quick one:\n- what is your budget?', 'voice', 'voice_markup'],
    ['HTML on a voice call', 'What is your budget?', 'What is your <b>budget</b>?', 'voice', 'voice_markup'],
    ['an emoji on a voice call', 'What is your budget?', 'What is your budget? 😊', 'voice', 'voice_emoji'],
    ['a link on a voice call', 'What is your budget?', 'What is your budget? See www.acme.test', 'voice', 'voice_url'],
    ['a question dropped', 'What is your budget?', 'Tell me your budget.', 'web', 'question_changed'],
    ['a question added', 'Thanks, I have noted that.', 'Thanks, noted. Anything else?', 'web', 'question_changed'],
    ['a booked time changed', 'Your demo is booked for Tuesday at 3:00 PM.', 'Your demo is booked for Tuesday at 4:00 PM.', 'web', 'detail_lost'],
    ['a read-back email changed', 'I have maria@brightpath.io, is that right?', 'I have maria@brightpath.com, is that right?', 'voice', 'detail_lost'],
    ['a price made up', 'Would you like a demo?', 'Our plan is only $99 a month. Would you like a demo?', 'web', 'detail_added'],
    ['a score made up', 'Thanks, noted.', 'Thanks, you are now P1 with a score of 100.', 'web', 'detail_added'],
    ['a link made up', 'Would you like a demo?', 'Would you like a demo? Book at https://evil.test/x', 'web', 'detail_added'],
  ];
  for (const [name, draft, candidate, channel, expected] of cases) {
    test(`refuses ${name} (${expected})`, () => {
      assert.equal(checkPhrasing(draft, candidate, channel), expected);
    });
  }

  test('an SMS reply stays within two segments even when the draft is long', () => {
    const draft = `Thanks! ${'word '.repeat(70)}`;
    assert.ok(draft.length > SMS_MAX_CHARS / 2);
    assert.equal(checkPhrasing(draft, 'x'.repeat(SMS_MAX_CHARS + 1), 'sms'), 'sms_too_long');
  });
});

describe('phraseReply', () => {
  test("uses the model's wording, without its name prefix or quotes", async () => {
    const client = answering('Clara: "Lovely to meet you, Maria! What budget do you have in mind?"');
    const reply = await phraseReply(client, input('Thanks Maria. What budget do you have in mind?'));
    assert.equal(reply, 'Lovely to meet you, Maria! What budget do you have in mind?');
    const [request] = client.requests;
    assert.ok(request);
    assert.equal(request.response_format, undefined);
    assert.match(request.messages[0]?.content ?? '', /Clara, a sales assistant for Acme CRM/);
    const data = JSON.parse(request.messages[1]?.content ?? '{}') as { draft_reply: string; recent_conversation: { speaker: string }[] };
    assert.equal(data.draft_reply, 'Thanks Maria. What budget do you have in mind?');
    assert.deepEqual(
      data.recent_conversation.map((turn) => turn.speaker),
      ['Clara', 'prospect'],
    );
  });

  test('tells the model the channel style', async () => {
    const client = answering('What budget do you have in mind?');
    await phraseReply(client, input('What budget do you have in mind?', 'voice'));
    assert.match(client.requests[0]?.messages[0]?.content ?? '', /read aloud/);
  });

  test('returns the draft, and says why, when the wording breaks a guard rail', async () => {
    const rejections: PhrasingRejection[] = [];
    const draft = 'Your demo is booked for Tuesday at 3:00 PM.';
    const reply = await phraseReply(answering('Booked! See you Wednesday at 4:00 PM.'), input(draft), { onReject: (why) => rejections.push(why) });
    assert.equal(reply, draft);
    assert.deepEqual(rejections, ['detail_lost']);
  });

  test('does not call the model for an empty draft', async () => {
    const client = answering('Anything');
    assert.equal(await phraseReply(client, input('  ')), '  ');
    assert.equal(client.requests.length, 0);
  });

  test('bounds the tokens it asks for by the longest acceptable reply', async () => {
    const client = answering('Thanks! What is your budget?');
    await phraseReply(client, input('Thanks! What is your budget?', 'sms'));
    const maxTokens = client.requests[0]?.max_tokens ?? 0;
    assert.ok(maxTokens > 10 && maxTokens <= Math.ceil(SMS_MAX_CHARS / 3) + 16, String(maxTokens));
  });
});
