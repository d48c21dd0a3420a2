import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../support/test-app.js';
import { parseTwiml, twilioEnv, TwilioSimulator, twilioSid, TWILIO_ACCOUNT_SID, TWILIO_NUMBER, type Twiml } from '../support/twilio.js';

describe('Twilio SMS: Clara by text message', () => {
  let t: TestApp;
  let twilio: TwilioSimulator;
  before(async () => {
    t = await createTestApp(twilioEnv());
    twilio = new TwilioSimulator(t);
  });
  after(async () => {
    await t.close();
  });

  const text = async (from: string, body: string, messageSid = twilioSid('SM')): Promise<Twiml> =>
    twilio.twiml('/webhooks/twilio/sms', { AccountSid: TWILIO_ACCOUNT_SID, MessageSid: messageSid, SmsMessageSid: messageSid, From: from, To: TWILIO_NUMBER, Body: body, NumMedia: '0' });
  const leadsWith = (phone: string) => t.database.db.selectFrom('leads').selectAll().where('phone', '=', phone).execute();
  const count = async (table: 'calls' | 'conversations' | 'leads' | 'activities') =>
    (await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}`.execute(t.database.db)).rows[0]?.n ?? 0;

  test('an SMS conversation: greeting and answer as <Message>s, one session per thread, the lead filled in as it goes', async () => {
    const phone = '+14155550160';
    const first = await text(phone, "hi, i'm maria garcia from brightpath logistics");
    assert.equal(first.messages.length, 2, first.xml);
    assert.match(first.messages[0] ?? '', /Clara/);
    assert.match(first.messages[1] ?? '', /Maria/);
    const second = await text(phone, 'we keep missing calls after hours');
    assert.equal(second.messages.length, 1, 'the greeting comes once per conversation');
    const leads = await leadsWith(phone);
    assert.equal(leads.length, 1);
    assert.equal(leads[0]?.contact_person, 'Maria Garcia');
    assert.equal(leads[0]?.lead_source, 'ai_sms');
    assert.ok(leads[0]?.need);
    const sessions = await t.database.db.selectFrom('conversations').select(['id', 'channel', 'lead_id']).where('lead_id', '=', leads[0]?.id as string).execute();
    assert.equal(sessions.length, 1);
    assert.equal(sessions[0]?.channel, 'sms');
  });

  test('two first texts arriving at the same moment open one conversation, greeted once', async () => {
    const phone = '+14155550169';
    const replies = await Promise.all([text(phone, "hi i'm tom reed from reed roofing"), text(phone, 'we need a better way to answer calls')]);
    const [lead] = await leadsWith(phone);
    const sessions = await t.database.db
      .selectFrom('conversations as c')
      .innerJoin('calls as k', 'k.id', 'c.call_id')
      .select('c.messages')
      .where('k.from_number', '=', phone)
      .execute();
    assert.equal(sessions.length, 1, JSON.stringify(replies.map((r) => r.messages)));
    assert.equal((sessions[0]?.messages as { role: string }[]).filter((m) => m.role === 'user').length, 2);
    assert.equal(replies.flatMap((r) => r.messages).filter((m) => /Clara/.test(m) && /help/.test(m)).length, 1, 'one greeting');
    assert.ok(lead);
  });

  test('the same person texting and then calling is one lead, and Clara knows them on the phone', async () => {
    const phone = '+14155550161';
    await text(phone, 'hello, this is omar haddad from haddad dental');
    await text(phone, 'we need help booking patients');
    const call = twilio.call(phone);
    const greeting = await call.answer();
    assert.match(greeting.says.join(' '), /Hi Omar, welcome back/);
    await call.say('yes');
    await call.say('our budget is about 10k');
    const leads = await leadsWith(phone);
    assert.equal(leads.length, 1, 'one lead across SMS and voice');
    assert.equal(leads[0]?.budget_amount, 10000);
    const channels = await t.database.db.selectFrom('conversations').select('channel').where('lead_id', '=', leads[0]?.id as string).orderBy('created_at').execute();
    assert.deepEqual(channels.map((c) => c.channel), ['sms', 'voice']);
  });

  test('STOP sets do_not_contact and Clara never texts them again; START clears it', async () => {
    const phone = '+14155550162';
    await text(phone, "hi i'm june park from park bakery");
    const stop = await text(phone, 'STOP');
    assert.deepEqual(stop.messages, [], "Twilio confirms the opt-out itself; Clara adds nothing");
    let [lead] = await leadsWith(phone);
    assert.equal(lead?.do_not_contact, true);

    const sessionBefore = await t.database.db.selectFrom('conversations').select('messages').where('lead_id', '=', lead?.id as string).executeTakeFirstOrThrow();
    const ignored = await text(phone, 'actually what does it cost?');
    assert.deepEqual(ignored.messages, [], 'no text to a do-not-contact lead');
    const sessionAfter = await t.database.db.selectFrom('conversations').select('messages').where('lead_id', '=', lead?.id as string).executeTakeFirstOrThrow();
    assert.deepEqual(sessionAfter.messages, sessionBefore.messages);
    assert.deepEqual((await text(phone, 'yes')).messages, [], 'YES from someone opted out is an opt-in, answered by Twilio');
    [lead] = await leadsWith(phone);
    assert.equal(lead?.do_not_contact, false);

    await text(phone, 'unsubscribe');
    [lead] = await leadsWith(phone);
    assert.equal(lead?.do_not_contact, true);
    assert.deepEqual((await text(phone, 'Start')).messages, []);
    [lead] = await leadsWith(phone);
    assert.equal(lead?.do_not_contact, false);
    const back = await text(phone, 'what does it cost?');
    assert.equal(back.messages.length, 1, 'after START Clara answers again');

    const timeline = await t.database.db.selectFrom('activities').select(['activity_type', 'subject']).where('lead_id', '=', lead?.id as string).execute();
    assert.equal(timeline.filter((a) => a.activity_type === 'sms_opt_out').length, 2);
    assert.equal(timeline.filter((a) => a.activity_type === 'sms_opt_in').length, 2);
  });

  test('STOP from a number Clara never saw is remembered on a new do-not-contact lead; a second STOP changes nothing', async () => {
    const phone = '+14155550163';
    await text(phone, 'stop');
    const before = { leads: await count('leads'), activities: await count('activities') };
    await text(phone, 'STOP');
    assert.deepEqual({ leads: await count('leads'), activities: await count('activities') }, before);
    const leads = await leadsWith(phone);
    assert.equal(leads.length, 1);
    assert.equal(leads[0]?.do_not_contact, true);
    assert.deepEqual((await text(phone, 'hi there')).messages, []);
  });

  test('YES from someone who did not opt out is an answer to Clara', async () => {
    const phone = '+14155550164';
    await text(phone, "hi i'm lena ross from ross legal");
    const yes = await text(phone, 'yes');
    assert.equal(yes.messages.length, 1);
  });

  test('Advanced Opt-Out keywords arrive as OptOutType and are honoured', async () => {
    const phone = '+14155550165';
    await text(phone, "hi i'm ana lima from lima travel");
    const messageSid = twilioSid('SM');
    await twilio.twiml('/webhooks/twilio/sms', { AccountSid: TWILIO_ACCOUNT_SID, MessageSid: messageSid, From: phone, To: TWILIO_NUMBER, Body: 'ARRET', OptOutType: 'STOP' });
    assert.equal((await leadsWith(phone))[0]?.do_not_contact, true);
  });

  test('a retried SMS webhook (same MessageSid) gets the same answer and adds no turn', async () => {
    const phone = '+14155550166';
    const sid = twilioSid('SM');
    const first = await text(phone, "hi i'm noah berg from berg consulting", sid);
    const again = await text(phone, "hi i'm noah berg from berg consulting", sid);
    assert.equal(again.xml, first.xml);
    const sid2 = twilioSid('SM');
    const second = await text(phone, 'we want to qualify leads faster', sid2);
    const twice = await Promise.all([text(phone, 'we want to qualify leads faster', sid2), text(phone, 'we want to qualify leads faster', sid2)]);
    for (const copy of twice) assert.equal(copy.xml, second.xml);
    const [lead] = await leadsWith(phone);
    const session = await t.database.db.selectFrom('conversations').select('messages').where('lead_id', '=', lead?.id as string).executeTakeFirstOrThrow();
    assert.equal((session.messages as { role: string }[]).filter((m) => m.role === 'user').length, 2);
  });

  test('a conversation Clara closes ends (analysis, follow-up); the next text starts a new one on the same lead', async () => {
    const phone = '+14155550167';
    const script = [
      "hi i'm eva stone, ceo of stone analytics",
      'we need an ai receptionist for our sales line',
      'budget is 80k and i sign off on it',
      'we need it asap',
      'no demo thanks',
      'eva@stoneanalytics.com',
      'no thanks',
      'no thanks',
    ];
    let closed = false;
    for (const line of script) {
      await text(phone, line);
      const open = await t.database.db
        .selectFrom('conversations as c')
        .innerJoin('calls as k', 'k.id', 'c.call_id')
        .select('c.status')
        .where('k.from_number', '=', phone)
        .where('c.status', '=', 'active')
        .executeTakeFirst();
      if (!open) {
        closed = true;
        break;
      }
    }
    assert.ok(closed, 'Clara closed the conversation');
    const [lead] = await leadsWith(phone);
    const followUps = await t.database.db.selectFrom('follow_ups').select('id').where('lead_id', '=', lead?.id as string).execute();
    assert.equal(followUps.length, 1);
    const next = await text(phone, 'one more question: do you integrate with hubspot?');
    assert.ok(next.messages.length >= 1);
    const sessions = await t.database.db.selectFrom('conversations').select('status').where('lead_id', '=', lead?.id as string).execute();
    assert.equal(sessions.length, 2);
  });

  test('a thread picked up after CLARA_SMS_IDLE_HOURS is a new conversation; the old one gets its analysis', async () => {
    const phone = '+14155550174';
    await text(phone, "hi i'm ivy chen from chen studio");
    const [lead] = await leadsWith(phone);
    // Two days pass (the touch trigger would reset updated_at, so it is set with triggers off).
    await t.database.db.transaction().execute(async (tx) => {
      await sql`SET LOCAL session_replication_role = replica`.execute(tx);
      await sql`UPDATE conversations SET updated_at = now() - interval '2 days' WHERE lead_id = ${lead?.id}`.execute(tx);
    });
    const next = await text(phone, 'are you still there?');
    assert.equal(next.messages.length, 2, 'a new conversation starts with a greeting');
    const sessions = await t.database.db.selectFrom('conversations').select('status').where('lead_id', '=', lead?.id as string).orderBy('created_at').execute();
    assert.deepEqual(sessions.map((s) => s.status), ['ended', 'active']);
    const call = await t.database.db.selectFrom('calls').select(['summary', 'call_end_time']).where('lead_id', '=', lead?.id as string).where('call_end_time', 'is not', null).executeTakeFirstOrThrow();
    assert.ok(call.summary);
  });

  test('an unsigned or forged SMS webhook is refused with 403 and writes nothing', async () => {
    const before = { leads: await count('leads'), conversations: await count('conversations') };
    const params = { AccountSid: TWILIO_ACCOUNT_SID, MessageSid: twilioSid('SM'), From: '+14155550168', To: TWILIO_NUMBER, Body: 'STOP' };
    assert.equal((await twilio.post('/webhooks/twilio/sms', params, { signature: null })).statusCode, 403);
    assert.equal((await new TwilioSimulator(t, 'wrong-token').post('/webhooks/twilio/sms', params)).statusCode, 403);
    assert.deepEqual({ leads: await count('leads'), conversations: await count('conversations') }, before);
    assert.equal((await leadsWith('+14155550168')).length, 0);
  });

  test('texts from short codes or alphanumeric senders get no answer and create nothing', async () => {
    const before = await count('leads');
    const reply = parseTwiml((await twilio.post('/webhooks/twilio/sms', { AccountSid: TWILIO_ACCOUNT_SID, MessageSid: twilioSid('SM'), From: 'ACME', To: TWILIO_NUMBER, Body: 'hi' })).body);
    assert.deepEqual(reply.messages, []);
    assert.equal(await count('leads'), before);
  });
});
