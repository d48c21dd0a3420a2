import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { parseTwiml, startFakeTwilio, twilioEnv, TwilioSimulator, twilioSid, TWILIO_ACCOUNT_SID, type SimulatedCall } from '../support/twilio.js';

type FakeTwilio = Awaited<ReturnType<typeof startFakeTwilio>>;

/** A caller who answers whatever Clara asks, the way a qualified prospect would. */
const qualifiedCaller: [RegExp, string][] = [
  [/record this call/i, "yes, that's fine"],
  [/your name/i, "i'm priya shah, ceo of northwind analytics"],
  [/which company/i, 'northwind analytics'],
  [/help you with/i, 'we need an ai receptionist for our sales line'],
  [/budget/i, 'budget is 80k and i sign off on it'],
  [/final decision/i, 'yes, i decide'],
  [/in place/i, 'we need it asap'],
  [/demo/i, 'no thanks, not right now'],
  [/email/i, 'priya at northwind dot com'],
  [/is that right/i, 'yes'],
  [/phone number/i, '415 555 0142'],
];

async function talkUntilGoodbye(call: SimulatedCall, script: [RegExp, string][]): Promise<string[]> {
  const heard: string[] = [];
  for (let turn = 0; turn < 20 && !call.last?.hangup; turn++) {
    const said = call.last?.says.join(' ') ?? '';
    heard.push(said);
    const answer = script.find(([question]) => question.test(said))?.[1];
    assert.ok(answer, `no scripted answer for: ${said}`);
    await call.say(answer);
  }
  assert.ok(call.last?.hangup, `Clara ends the call politely: ${call.last?.xml}`);
  heard.push(call.last.says.join(' '));
  return heard;
}

describe('Twilio voice: Clara answers the phone', () => {
  let t: TestApp;
  let twilio: TwilioSimulator;
  let fake: FakeTwilio;
  before(async () => {
    fake = await startFakeTwilio();
    t = await createTestApp(twilioEnv({ TWILIO_ACCOUNT_SID, TWILIO_API_BASE_URL: fake.url }));
    twilio = new TwilioSimulator(t);
  });
  after(async () => {
    await t.close();
    await fake.close();
  });

  const callRow = (callSid: string) =>
    t.database.db.selectFrom('calls').selectAll().where('provider', '=', 'twilio').where('provider_call_id', '=', callSid).executeTakeFirstOrThrow();
  const count = async (table: 'calls' | 'conversations' | 'leads' | 'follow_ups' | 'activities') =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(t.database.db)).rows[0]?.n ?? 0;

  test('a whole call: greeting and consent, BANT by speech turn by turn, a polite goodbye, then the call record, the recording and a follow-up', async () => {
    const call = twilio.call('+14155550142');
    const greeting = await call.answer();
    assert.match(greeting.says[0] ?? '', /Clara/);
    assert.match(greeting.says[0] ?? '', /record this call/i, 'consent is asked before anything is recorded');
    assert.equal(greeting.recordingCallback, undefined, 'nothing is recorded before the caller says yes');
    assert.ok(greeting.gatherAction?.startsWith('https://clara.example.test/webhooks/twilio/voice/turn?n=1'), greeting.xml);
    assert.match(greeting.xml, /<Gather[^>]*input="speech"/);

    const consent = await call.say("yes, that's fine");
    assert.equal(consent.recordingCallback, 'https://clara.example.test/webhooks/twilio/recording', 'the yes starts the recording');
    const heard = await talkUntilGoodbye(call, qualifiedCaller);
    assert.match(heard.join(' '), /demo/i, 'a P1 caller is offered a demo');
    assert.match(call.last?.says.join(' ') ?? '', /thanks so much, priya/i);

    const row = await callRow(call.callSid);
    assert.equal(row.recording_consent, true);
    assert.equal(row.direction, 'inbound');
    assert.ok(row.lead_id);
    const lead = await t.database.db.selectFrom('leads').selectAll().where('id', '=', row.lead_id).executeTakeFirstOrThrow();
    assert.equal(lead.status_bucket, 'P1');
    assert.equal(lead.phone, '+14155550142');
    assert.equal(lead.contact_person, 'Priya Shah');

    const status = await call.status('completed', { CallDuration: '187', Timestamp: new Date().toUTCString() });
    assert.equal(status.statusCode, 200, status.body);
    const goodbyeAgain = await call.retry();
    assert.equal(goodbyeAgain.xml, call.last?.xml, 'the closing turn retried after the call ended: the same goodbye');
    const ended = await callRow(call.callSid);
    assert.equal(ended.duration_seconds, 187, "Twilio's duration");
    assert.equal(ended.outcome, 'completed');
    assert.ok(ended.call_end_time);
    assert.ok(ended.summary, 'post-call analysis');
    assert.match(ended.transcript ?? '', /Prospect: i'm priya shah/);

    const recordingSid = twilioSid('RE');
    const recording = await twilio.post('/webhooks/twilio/recording', {
      AccountSid: TWILIO_ACCOUNT_SID,
      CallSid: call.callSid,
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Recordings/${recordingSid}`,
      RecordingStatus: 'completed',
      RecordingDuration: '180',
    });
    assert.equal(recording.statusCode, 200, recording.body);
    const recorded = await callRow(call.callSid);
    assert.equal(recorded.recording_url, `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Recordings/${recordingSid}`);
    assert.equal(recorded.recording_sid, recordingSid);

    const followUps = await t.database.db.selectFrom('follow_ups').selectAll().where('lead_id', '=', lead.id).execute();
    assert.equal(followUps.length, 1, 'one AI follow-up');
    assert.equal(followUps[0]?.suggested_by_ai, true);
    const activities = await t.database.db.selectFrom('activities').select('subject').where('lead_id', '=', lead.id).where('activity_type', '=', 'ai_interaction').execute();
    assert.equal(activities.length, 1);
    assert.match(activities[0]?.subject ?? '', /Clara call/);
  });

  test('a caller who refuses recording is never recorded: no <Start><Recording>, and a recording made anyway is not kept but deleted at Twilio', async () => {
    const call = twilio.call('+14155550143');
    await call.answer();
    const refusal = await call.say("no, please don't record this");
    assert.equal(refusal.recordingCallback, undefined);
    assert.match(refusal.says.join(' '), /won't be recorded/i);
    await call.say("i'm sam ortiz from ortiz plumbing");
    assert.equal(call.last?.recordingCallback, undefined);
    assert.equal((await callRow(call.callSid)).recording_consent, false);

    const recordingSid = twilioSid('RE');
    const response = await twilio.post('/webhooks/twilio/recording', {
      AccountSid: TWILIO_ACCOUNT_SID,
      CallSid: call.callSid,
      RecordingSid: recordingSid,
      RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${TWILIO_ACCOUNT_SID}/Recordings/${recordingSid}`,
      RecordingStatus: 'completed',
    });
    assert.equal(response.statusCode, 200, response.body);
    const row = await callRow(call.callSid);
    assert.equal(row.recording_url, null, 'no URL kept without consent');
    assert.equal(row.recording_sid, null);
    const deletion = fake.requests.find((r) => r.method === 'DELETE' && r.path.endsWith(`/Recordings/${recordingSid}.json`));
    assert.ok(deletion, 'the recording is deleted through Twilio\'s REST API');
  });

  test('a caller who never answers the consent question is not recorded either', async () => {
    const call = twilio.call('+14155550144');
    await call.answer();
    const turn = await call.say('hi, i want to know about pricing');
    assert.equal(turn.recordingCallback, undefined);
    assert.equal((await callRow(call.callSid)).recording_consent, null);
  });

  for (const status of ['busy', 'no-answer', 'failed', 'canceled'] as const) {
    test(`status callback "${status}" ends the conversation with outcome ${status}`, async () => {
      const call = twilio.call('+14155550145');
      await call.answer();
      const response = await call.status(status, { CallDuration: '0' });
      assert.equal(response.statusCode, 200, response.body);
      const row = await callRow(call.callSid);
      assert.equal(row.outcome, status);
      assert.ok(row.call_end_time);
      assert.equal(row.duration_seconds, 0);
      const session = await t.database.db.selectFrom('conversations').select(['status']).where('external_session_id', '=', call.callSid).executeTakeFirstOrThrow();
      assert.equal(session.status, 'ended');
    });
  }

  test('a caller who hangs up mid-conversation still gets the post-call analysis and a follow-up', async () => {
    const call = twilio.call('+14155550146');
    await call.answer();
    await call.say('yes');
    await call.say("this is dana kim from kim logistics, we're looking for a better way to answer sales calls");
    const ringing = await call.status('ringing');
    assert.equal(ringing.statusCode, 200);
    assert.equal((await callRow(call.callSid)).outcome, 'in_progress', 'only a final status ends the call');
    await call.status('completed', { CallDuration: '42' });
    const row = await callRow(call.callSid);
    assert.equal(row.outcome, 'completed');
    assert.equal(row.duration_seconds, 42);
    assert.ok(row.summary);
    assert.ok(row.lead_id);
    const followUps = await t.database.db.selectFrom('follow_ups').select('id').where('lead_id', '=', row.lead_id).execute();
    assert.equal(followUps.length, 1);
    // Speech that arrives after the call was closed is not a turn: a goodbye, no error.
    const late = await call.say('hello? are you still there?');
    assert.ok(late.hangup, late.xml);
  });

  test('silence is asked again, twice at most, then Clara says goodbye', async () => {
    const call = twilio.call('+14155550147');
    await call.answer();
    const first = await call.say('');
    assert.match(first.says.join(' '), /didn't catch that/i);
    assert.match(first.gatherAction ?? '', /silence=1/);
    const second = await call.say('');
    assert.ok(second.hangup);
    assert.match(second.says.join(' '), /goodbye/i);
  });

  test('a bad, missing or misdirected signature is refused with 403 and writes nothing', async () => {
    const before = { calls: await count('calls'), conversations: await count('conversations'), leads: await count('leads') };
    const params = { AccountSid: TWILIO_ACCOUNT_SID, CallSid: twilioSid('CA'), From: '+14155550148', To: '+14155550100', Direction: 'inbound' };
    const wrong = await twilio.post('/webhooks/twilio/voice', params, { signature: 'bm90IGEgc2lnbmF0dXJl' });
    assert.equal(wrong.statusCode, 403);
    assert.match(String(wrong.headers['content-type']), /problem\+json/);
    assert.equal((await twilio.post('/webhooks/twilio/voice', params, { signature: null })).statusCode, 403);
    // Signed for another URL (the Host header Clara sees behind a proxy): not what Twilio signed.
    const twilioPkg = (await import('twilio')).default;
    const local = twilioPkg.getExpectedTwilioSignature('test-auth-token-0123456789abcdef', 'http://localhost/webhooks/twilio/voice', params);
    assert.equal((await twilio.post('/webhooks/twilio/voice', params, { signature: local })).statusCode, 403);
    // Signed with another account's token.
    const other = new TwilioSimulator(t, 'another-accounts-token');
    assert.equal((await other.post('/webhooks/twilio/voice', params)).statusCode, 403);
    // Tampered with after signing: a different caller.
    const signature = twilioPkg.getExpectedTwilioSignature('test-auth-token-0123456789abcdef', 'https://clara.example.test/webhooks/twilio/voice', params);
    assert.equal((await twilio.post('/webhooks/twilio/voice', { ...params, From: '+14155550199' }, { signature })).statusCode, 403);
    // Garbage with a bad signature is a 403 too, not a 400 that tells what the schema wants.
    assert.equal((await twilio.post('/webhooks/twilio/status', { nonsense: 'x' }, { signature: 'x' })).statusCode, 403);
    for (const path of ['/webhooks/twilio/status', '/webhooks/twilio/recording', '/webhooks/twilio/sms', '/webhooks/twilio/voice/turn?n=1']) {
      assert.equal((await twilio.post(path, params, { signature: null })).statusCode, 403, path);
    }
    assert.deepEqual({ calls: await count('calls'), conversations: await count('conversations'), leads: await count('leads') }, before);
  });

  test('behind a proxy the signature is checked against PUBLIC_URL, not the Host header', async () => {
    const call = twilio.call('+14155550149');
    const params = call.params();
    const response = await twilio.post('/webhooks/twilio/voice', params, { headers: { host: 'internal:3000', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'internal' } });
    assert.equal(response.statusCode, 200, response.body);
  });

  test('retried webhooks change nothing twice: one session and call per CallSid, one turn per Gather, one analysis per call', async () => {
    const call = twilio.call('+14155550150');
    const first = await call.answer();
    const again = await call.answer();
    assert.equal(again.xml, first.xml, 'the same TwiML');
    assert.equal((await t.database.db.selectFrom('conversations').select('id').where('external_session_id', '=', call.callSid).execute()).length, 1);
    assert.equal((await t.database.db.selectFrom('calls').select('id').where('provider_call_id', '=', call.callSid).execute()).length, 1);

    const action = first.gatherAction as string;
    const consent = await call.say('yes you can record');
    const params = call.params({ SpeechResult: 'yes you can record', Confidence: '0.9' });
    const writes = async () => ({
      activities: await count('activities'),
      call: (await callRow(call.callSid)).updated_at,
      session: (await t.database.db.selectFrom('conversations').select('updated_at').where('external_session_id', '=', call.callSid).executeTakeFirstOrThrow()).updated_at,
    });
    const beforeRetry = await writes();
    const retried = parseTwiml((await twilio.post(action, params)).body);
    assert.equal(retried.xml, consent.xml, 'a retried Gather gets the same answer, recording start included');
    assert.deepEqual(await writes(), beforeRetry, 'and writes nothing');
    const turn = await call.say("i'm lee wong from wong dental");
    const retriedTurn = parseTwiml((await twilio.post(consent.gatherAction as string, call.params({ SpeechResult: "i'm lee wong from wong dental", Confidence: '0.9' }))).body);
    assert.equal(retriedTurn.xml, turn.xml);
    // Two copies at the same moment: still one turn.
    const next = turn.gatherAction as string;
    const both = await Promise.all([0, 1].map(() => twilio.post(next, call.params({ SpeechResult: 'we need help answering calls', Confidence: '0.9' }))));
    assert.equal(both[0]?.body, both[1]?.body);
    const session = await t.database.db.selectFrom('conversations').select(['messages']).where('external_session_id', '=', call.callSid).executeTakeFirstOrThrow();
    const userTurns = (session.messages as { role: string }[]).filter((m) => m.role === 'user');
    assert.equal(userTurns.length, 3, 'three things said, three turns stored');

    await call.status('completed', { CallDuration: '30' });
    const activitiesBefore = await count('activities');
    const followUpsBefore = await count('follow_ups');
    await call.status('completed', { CallDuration: '30' });
    assert.equal(await count('activities'), activitiesBefore);
    assert.equal(await count('follow_ups'), followUpsBefore);
    assert.equal((await callRow(call.callSid)).duration_seconds, 30);
  });

  test('unknown status or recording callbacks answer 200 and change nothing', async () => {
    const before = await count('calls');
    const status = await twilio.post('/webhooks/twilio/status', { AccountSid: TWILIO_ACCOUNT_SID, CallSid: twilioSid('CA'), CallStatus: 'completed', CallDuration: '3' });
    assert.equal(status.statusCode, 200);
    const recording = await twilio.post('/webhooks/twilio/recording', {
      AccountSid: TWILIO_ACCOUNT_SID,
      CallSid: twilioSid('CA'),
      RecordingSid: twilioSid('RE'),
      RecordingUrl: 'https://api.twilio.com/x',
      RecordingStatus: 'completed',
    });
    assert.equal(recording.statusCode, 200);
    assert.equal(await count('calls'), before);
  });

  test('a signed request with missing fields is a 400 problem, not a 500', async () => {
    const response = await twilio.post('/webhooks/twilio/voice', { AccountSid: TWILIO_ACCOUNT_SID });
    assert.equal(response.statusCode, 400, response.body);
    assert.match(String(response.headers['content-type']), /problem\+json/);
  });
});
