import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { mailgunSignature, standardWebhookKey, standardWebhookSignature } from '../../src/channels/email/signatures.js';
import { assertProblem } from '../support/crm-api.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

/**
 * Provider event webhooks, each driven the way the provider sends them: SendGrid's batches
 * signed with an ECDSA P-256 key (a pair generated here; Clara only has the public half),
 * Postmark's basic auth, Resend's Svix signature, Mailgun's HMAC in the body. Every payload is
 * posted three times, as providers do.
 */
describe('email provider webhooks', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let agent: TestUser;
  let sendgridKey: KeyObject;
  const postmark = { user: 'postmark-hook', password: 'postmark-password-1234' };
  const resendSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const mailgunKey = `mg-signing-${randomBytes(8).toString('hex')}`;

  before(async () => {
    sink = await startSmtpSink();
    const pair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    sendgridKey = pair.privateKey;
    t = await createTestApp({
      SMTP_URL: sink.url,
      EMAIL_FROM: 'Clara <clara@acme.test>',
      PUBLIC_URL: 'https://clara.test',
      SENDGRID_WEBHOOK_PUBLIC_KEY: pair.publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
      POSTMARK_WEBHOOK_USER: postmark.user,
      POSTMARK_WEBHOOK_PASSWORD: postmark.password,
      RESEND_WEBHOOK_SECRET: resendSecret,
      MAILGUN_WEBHOOK_SIGNING_KEY: mailgunKey,
    });
    agent = await t.user('agent');
  });
  after(async () => {
    await t.close();
    await sink.close();
  });

  /** A lead that was sent a booking confirmation; returns the lead and the email's ids. */
  async function emailedLead(email: string) {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: agent.headers, payload: { contact_person: email.split('@')[0], email } });
    assert.equal(created.statusCode, 201, created.body);
    const leadId: string = created.json().id;
    const sent = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${leadId}/emails`,
      headers: agent.headers,
      payload: { template: 'booking_confirmation', data: { start_time: '2026-12-03T15:00:00Z' } },
    });
    assert.equal(sent.statusCode, 201, sent.body);
    const mail = await sink.next();
    return { leadId, messageId: sent.json().id as string, headerMessageId: mail.headers.get('message-id') as string };
  }

  const lead = (id: string) => t.database.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const message = (id: string) => t.database.db.selectFrom('email_messages').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const activityTypes = async (leadId: string) =>
    (await t.database.db.selectFrom('activities').select('activity_type').where('lead_id', '=', leadId).where('activity_type', 'like', 'email_%').orderBy('created_at').execute())
      .map((a) => a.activity_type)
      .filter((type) => type !== 'email_sent')
      .sort();
  const eventCount = async () => Number((await t.database.db.selectFrom('email_events').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const json = { 'content-type': 'application/json' };

  // --- SendGrid ---------------------------------------------------------------------------
  const now = () => String(Math.floor(Date.now() / 1000));
  function sendgrid(body: string, options: { key?: KeyObject; timestamp?: string; signedBody?: string } = {}) {
    const timestamp = options.timestamp ?? now();
    const signature = sign('sha256', Buffer.from(timestamp + (options.signedBody ?? body)), options.key ?? sendgridKey).toString('base64');
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/email/sendgrid',
      headers: { 'content-type': 'application/json;charset=utf-8', 'x-twilio-email-event-webhook-signature': signature, 'x-twilio-email-event-webhook-timestamp': timestamp },
      payload: body,
    });
  }

  test('SendGrid: a signed batch is applied once, however often it is delivered', async () => {
    const { leadId, messageId, headerMessageId } = await emailedLead('sg@example.com');
    const ts = 1_764_500_000;
    const common = { email: 'sg@example.com', 'smtp-id': headerMessageId, sg_message_id: 'SINK.filter0001.1.0', clara_message_id: messageId };
    const body = JSON.stringify([
      { ...common, event: 'processed', timestamp: ts, sg_event_id: 'sg-processed-1' },
      { ...common, event: 'delivered', timestamp: ts + 1, sg_event_id: 'sg-delivered-1', response: '250 OK' },
      { ...common, event: 'open', timestamp: ts + 60, sg_event_id: 'sg-open-1', useragent: 'Mozilla/5.0' },
      { ...common, event: 'click', timestamp: ts + 90, sg_event_id: 'sg-click-1', url: 'https://acme.test/pricing' },
    ]);
    const first = await sendgrid(body);
    assert.equal(first.statusCode, 200, first.body);
    assert.deepEqual(first.json(), { recorded: 3, duplicates: 0, unmatched: 0 });
    for (let i = 0; i < 2; i += 1) {
      const again = await sendgrid(body);
      assert.deepEqual(again.json(), { recorded: 0, duplicates: 3, unmatched: 0 });
    }
    const row = await lead(leadId);
    assert.equal(row.email_status, 'delivered');
    assert.equal(row.email_click_count, 1);
    assert.equal(row.last_email_opened_at, new Date((ts + 90) * 1000).toISOString(), 'the click is the latest sign of reading');
    const sent = await message(messageId);
    assert.equal(sent.status, 'delivered');
    assert.equal(sent.open_count, 1);
    assert.equal(sent.click_count, 1);
    assert.deepEqual(await activityTypes(leadId), ['email_clicked', 'email_delivered', 'email_opened']);
  });

  test('SendGrid: three copies arriving at the same moment still count once (the unique key decides)', async () => {
    const { leadId, messageId } = await emailedLead('sg-race@example.com');
    const body = JSON.stringify([{ email: 'sg-race@example.com', event: 'click', timestamp: 1_764_500_100, sg_event_id: 'sg-race-click', clara_message_id: messageId, url: 'https://acme.test/' }]);
    const responses = await Promise.all([sendgrid(body), sendgrid(body), sendgrid(body)]);
    assert.deepEqual(responses.map((r) => r.statusCode), [200, 200, 200]);
    assert.equal(responses.reduce((sum, r) => sum + r.json().recorded, 0), 1);
    assert.equal((await lead(leadId)).email_click_count, 1);
    assert.deepEqual(await activityTypes(leadId), ['email_clicked']);
  });

  test('SendGrid: a bad or missing signature is refused and writes nothing', async () => {
    const { leadId, messageId } = await emailedLead('sg-forged@example.com');
    const body = JSON.stringify([{ email: 'sg-forged@example.com', event: 'spamreport', timestamp: 1_764_500_000, sg_event_id: 'sg-forged', clara_message_id: messageId }]);
    const before = await eventCount();
    assertProblem(await sendgrid(body, { signedBody: body.replace('spamreport', 'delivered') }), 403, 'forbidden');
    assertProblem(await sendgrid(body, { key: generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey }), 403, 'forbidden');
    assertProblem(await t.app.inject({ method: 'POST', url: '/webhooks/email/sendgrid', headers: json, payload: body }), 401, 'unauthorized');
    assert.equal(await eventCount(), before);
    const row = await lead(leadId);
    assert.equal(row.do_not_contact, false);
    assert.equal(row.email_status, null);
  });

  test('SendGrid: a signed body that is not a batch of events is a 400 and writes nothing', async () => {
    const before = await eventCount();
    assertProblem(await sendgrid('{"not":"an array"}'), 400, 'bad_request');
    assertProblem(await sendgrid('not json'), 400, 'bad_request');
    assert.equal(await eventCount(), before);
  });

  // --- Postmark ---------------------------------------------------------------------------
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const postmarkPost = (payload: unknown, authorization = basic(postmark.user, postmark.password)) =>
    t.app.inject({ method: 'POST', url: '/webhooks/email/postmark', headers: { ...json, authorization }, payload: JSON.stringify(payload) });

  test('Postmark: a hard bounce marks the lead bounced, once; wrong credentials change nothing', async () => {
    const { leadId, messageId } = await emailedLead('pm@example.com');
    const bounce = {
      RecordType: 'Bounce',
      ID: 4323372036854775807,
      Type: 'HardBounce',
      TypeCode: 1,
      MessageID: '883953f4-6105-42a2-a16a-77a8eac79483',
      Description: 'The server was unable to deliver your message (ex: unknown user, mailbox not found).',
      Email: 'pm@example.com',
      BouncedAt: '2026-11-30T13:28:10.2735393-04:00',
      Inactive: true,
      Metadata: { clara_message_id: messageId },
      MessageStream: 'outbound',
    };
    const before = await eventCount();
    assertProblem(await postmarkPost(bounce, basic(postmark.user, 'wrong-password-0000')), 403, 'forbidden');
    assertProblem(await postmarkPost(bounce, ''), 401, 'unauthorized');
    assert.equal(await eventCount(), before);

    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await postmarkPost(bounce)).json());
    assert.deepEqual(results, [
      { recorded: 1, duplicates: 0, unmatched: 0 },
      { recorded: 0, duplicates: 1, unmatched: 0 },
      { recorded: 0, duplicates: 1, unmatched: 0 },
    ]);
    assert.equal((await lead(leadId)).email_status, 'bounced');
    assert.equal((await message(messageId)).status, 'bounced');
    assert.deepEqual(await activityTypes(leadId), ['email_bounced']);
  });

  test('Postmark: an inbound reply lands on the lead it answers', async () => {
    const { leadId, headerMessageId } = await emailedLead('replier@example.com');
    const inbound = {
      FromName: 'Re Plier',
      MessageStream: 'inbound',
      From: 'replier@example.com',
      FromFull: { Email: 'Replier@Example.com', Name: 'Re Plier' },
      To: 'clara@acme.test',
      Subject: 'Re: Your demo is confirmed',
      MessageID: '73e6d360-66eb-11e1-8e72-a8904824019b',
      Date: 'Tue, 1 Dec 2026 08:30:00 +0000',
      TextBody: 'Sounds good, see you then!\n\n> On Monday...',
      StrippedTextReply: 'Sounds good, see you then!',
      Headers: [{ Name: 'In-Reply-To', Value: headerMessageId }],
    };
    for (let i = 0; i < 3; i += 1) assert.equal((await postmarkPost(inbound)).statusCode, 200);
    const replies = await t.database.db.selectFrom('activities').selectAll().where('lead_id', '=', leadId).where('activity_type', '=', 'email_replied').execute();
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.subject, 'Reply received from replier@example.com');
    assert.equal(replies[0]?.description, 'Sounds good, see you then!');
  });

  // --- Resend -----------------------------------------------------------------------------
  function resend(payload: unknown, options: { id?: string; timestamp?: string; secret?: string } = {}) {
    const body = JSON.stringify(payload);
    const id = options.id ?? `msg_${randomBytes(8).toString('hex')}`;
    const timestamp = options.timestamp ?? now();
    const signature = standardWebhookSignature(standardWebhookKey(options.secret ?? resendSecret), id, timestamp, Buffer.from(body));
    return t.app.inject({
      method: 'POST',
      url: '/webhooks/email/resend',
      headers: { ...json, 'svix-id': id, 'svix-timestamp': timestamp, 'svix-signature': `v1,${signature}` },
      payload: body,
    });
  }

  test('Resend: a complaint sets do_not_contact, once per svix-id, and Clara stops emailing the lead', async () => {
    const { leadId, headerMessageId } = await emailedLead('rs@example.com');
    const complaint = {
      type: 'email.complained',
      created_at: '2026-12-01T07:00:00.000Z',
      data: {
        created_at: '2026-12-01T06:59:00.000Z',
        email_id: '56761188-7520-42d8-8898-ff6fc54ce618',
        message_id: headerMessageId,
        from: 'Clara <clara@acme.test>',
        to: ['rs@example.com'],
        subject: 'Your demo is confirmed',
      },
    };
    const before = await eventCount();
    assertProblem(await resend(complaint, { timestamp: String(Math.floor(Date.now() / 1000) - 3600) }), 403, 'forbidden');
    assertProblem(await resend(complaint, { secret: `whsec_${randomBytes(24).toString('base64')}` }), 403, 'forbidden');
    assert.equal(await eventCount(), before);

    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await resend(complaint, { id: 'msg_complaint_1' })).json().recorded);
    assert.deepEqual(results, [1, 0, 0]);
    const row = await lead(leadId);
    assert.equal(row.do_not_contact, true);
    assert.equal(row.email_status, 'complained');
    assert.deepEqual(await activityTypes(leadId), ['email_complained']);

    const again = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${leadId}/emails`,
      headers: agent.headers,
      payload: { template: 'roi_report', data: { tier: 'Pro', roi_percent: 50 } },
    });
    assertProblem(again, 422, 'do_not_contact');
  });

  test('Resend: an open and a click, matched through the Message-ID header', async () => {
    const { leadId, headerMessageId } = await emailedLead('rs-open@example.com');
    const data = { email_id: 'r-2', message_id: headerMessageId, to: ['rs-open@example.com'], subject: 'Your demo', created_at: '2026-12-01T07:00:00.000Z' };
    assert.equal((await resend({ type: 'email.opened', created_at: '2026-12-01T07:01:00.000Z', data })).json().recorded, 1);
    const click = { ...data, click: { ipAddress: '192.0.2.1', link: 'https://acme.test/demo', timestamp: '2026-12-01T07:02:00.000Z', userAgent: 'x' } };
    assert.equal((await resend({ type: 'email.clicked', created_at: '2026-12-01T07:02:00.000Z', data: click })).json().recorded, 1);
    // Events Clara has no use for are accepted and ignored.
    assert.equal((await resend({ type: 'email.sent', created_at: '2026-12-01T07:00:00.000Z', data })).json().recorded, 0);
    const row = await lead(leadId);
    assert.equal(row.email_click_count, 1);
    assert.equal(row.last_email_opened_at, '2026-12-01T07:02:00.000Z');
    assert.deepEqual(await activityTypes(leadId), ['email_clicked', 'email_opened']);
  });

  // --- Mailgun ----------------------------------------------------------------------------
  function mailgun(eventData: unknown, options: { key?: string; tamper?: boolean } = {}) {
    const timestamp = now();
    const token = randomBytes(25).toString('hex');
    const signature = mailgunSignature(options.key ?? mailgunKey, timestamp, token);
    const payload = { signature: { timestamp: options.tamper ? String(Number(timestamp) + 1) : timestamp, token, signature }, 'event-data': eventData };
    return t.app.inject({ method: 'POST', url: '/webhooks/email/mailgun', headers: json, payload: JSON.stringify(payload) });
  }

  test('Mailgun: an unsubscribe sets do_not_contact, once per event id; forged signatures change nothing', async () => {
    const { leadId, messageId, headerMessageId } = await emailedLead('mg@example.com');
    const unsubscribed = {
      id: 'Ase7i2zsRYeDXztHGENqRA',
      event: 'unsubscribed',
      timestamp: 1_764_572_400.123,
      recipient: 'mg@example.com',
      message: { headers: { 'message-id': headerMessageId.replace(/^<|>$/g, ''), subject: 'Your demo' } },
      'user-variables': { clara_message_id: messageId },
    };
    const before = await eventCount();
    assertProblem(await mailgun(unsubscribed, { key: 'another-signing-key' }), 403, 'forbidden');
    assertProblem(await mailgun(unsubscribed, { tamper: true }), 403, 'forbidden');
    assertProblem(await t.app.inject({ method: 'POST', url: '/webhooks/email/mailgun', headers: json, payload: JSON.stringify({ 'event-data': unsubscribed }) }), 401, 'unauthorized');
    assert.equal(await eventCount(), before);
    assert.equal((await lead(leadId)).do_not_contact, false);

    const results = [];
    for (let i = 0; i < 3; i += 1) results.push((await mailgun(unsubscribed)).json().recorded);
    assert.deepEqual(results, [1, 0, 0]);
    const row = await lead(leadId);
    assert.equal(row.do_not_contact, true);
    assert.equal(row.email_status, 'unsubscribed');
    assert.deepEqual(await activityTypes(leadId), ['email_unsubscribed']);
  });

  test('Mailgun: a temporary failure is not a bounce; a permanent one is', async () => {
    const { leadId, messageId } = await emailedLead('mg-fail@example.com');
    const failed = (id: string, severity: string) => ({
      id,
      event: 'failed',
      severity,
      timestamp: 1_764_572_400,
      recipient: 'mg-fail@example.com',
      'user-variables': { clara_message_id: messageId },
      'delivery-status': { code: 550, description: 'mailbox unavailable' },
    });
    assert.equal((await mailgun(failed('mg-temp', 'temporary'))).json().recorded, 0);
    assert.equal((await lead(leadId)).email_status, null);
    assert.equal((await mailgun(failed('mg-perm', 'permanent'))).json().recorded, 1);
    assert.equal((await lead(leadId)).email_status, 'bounced');
  });

  test('Mailgun: a reply forwarded by a route (a signed form) lands on the lead', async () => {
    const { leadId, headerMessageId } = await emailedLead('mg-reply@example.com');
    const timestamp = now();
    const token = randomBytes(25).toString('hex');
    const form = (signature: string) =>
      new URLSearchParams({
        sender: 'mg-reply@example.com',
        from: 'Mg Reply <mg-reply@example.com>',
        subject: 'Re: Your demo',
        'stripped-text': 'Can we move it to Friday?',
        'Message-Id': '<reply-1@example.com>',
        'In-Reply-To': headerMessageId,
        timestamp,
        token,
        signature,
      }).toString();
    const post = (payload: string) =>
      t.app.inject({ method: 'POST', url: '/webhooks/email/mailgun', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload });
    assertProblem(await post(form(mailgunSignature('wrong-key-123', timestamp, token))), 403, 'forbidden');
    for (let i = 0; i < 3; i += 1) assert.equal((await post(form(mailgunSignature(mailgunKey, timestamp, token)))).statusCode, 200);
    const replies = await t.database.db.selectFrom('activities').selectAll().where('lead_id', '=', leadId).where('activity_type', '=', 'email_replied').execute();
    assert.equal(replies.length, 1);
    assert.equal(replies[0]?.description, 'Can we move it to Friday?');
  });

  test('events about addresses Clara never emailed are kept but touch no lead', async () => {
    const body = JSON.stringify([{ email: 'stranger@example.com', event: 'open', timestamp: 1_764_500_000, sg_event_id: 'sg-stranger' }]);
    assert.deepEqual((await sendgrid(body)).json(), { recorded: 0, duplicates: 0, unmatched: 1 });
  });
});
