import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Actor } from '../../src/auth/actor.js';
import { sendEmail } from '../../src/channels/email/send-email.js';
import { withActor } from '../../src/db/with-actor.js';
import { assertProblem } from '../support/crm-api.js';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp, type TestUser } from '../support/test-app.js';

const PUBLIC_URL = 'https://clara.test';

const actorOf = (user: TestUser): Actor => ({ userId: user.id, role: user.role, email: user.email, fullName: user.email, via: 'session' });

describe('email: sending through SMTP and tracking opens and clicks', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let agent: TestUser;
  let viewer: TestUser;

  before(async () => {
    sink = await startSmtpSink();
    t = await createTestApp({ SMTP_URL: sink.url, EMAIL_FROM: 'Clara at Acme <clara@acme.test>', PUBLIC_URL, CLARA_TIMEZONE: 'UTC' });
    agent = await t.user('agent');
    viewer = await t.user('viewer');
  });
  after(async () => {
    await t.close();
    await sink.close();
  });

  const createLead = async (as: { headers: Record<string, string> }, payload: Record<string, unknown>) => {
    const response = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: as.headers, payload });
    assert.equal(response.statusCode, 201, response.body);
    return response.json() as { id: string };
  };
  const send = (as: { headers: Record<string, string> }, leadId: string, payload: Record<string, unknown>) =>
    t.app.inject({ method: 'POST', url: `/api/v1/leads/${leadId}/emails`, headers: as.headers, payload });
  const lead = (id: string) => t.database.db.selectFrom('leads').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const activities = (leadId: string, type: string) =>
    t.database.db.selectFrom('activities').selectAll().where('lead_id', '=', leadId).where('activity_type', '=', type).execute();
  const count = async (table: 'email_messages' | 'email_events' | 'activities') =>
    Number((await t.database.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const booking = {
    template: 'booking_confirmation',
    data: {
      name: 'Ada <Lovelace>',
      start_time: '2026-12-03T15:00:00Z',
      end_time: '2026-12-03T15:30:00Z',
      meeting_url: 'https://meet.example.com/ada?room=1&x=2',
    },
  };

  test('a booking confirmation reaches the SMTP server, complete, and lands on the lead timeline', async () => {
    const { id } = await createLead(agent, { contact_person: 'Ada Lovelace', email: 'ada@example.com' });
    const response = await send(agent, id, booking);
    assert.equal(response.statusCode, 201, response.body);
    const message = response.json();
    assert.equal(message.status, 'sent');
    assert.equal(message.to_email, 'ada@example.com');
    assert.equal(message.provider_message_id, 'SINK' + String(sink.mails.length));

    const mail = await sink.next();
    assert.deepEqual(mail.to, ['ada@example.com']);
    assert.equal(mail.from, 'clara@acme.test');
    assert.equal(mail.headers.get('from'), 'Clara at Acme <clara@acme.test>');
    assert.equal(mail.headers.get('subject'), 'Your demo is confirmed: Thursday, December 3, 2026 at 3:00 PM');
    assert.equal(mail.headers.get('message-id'), `<${message.id}@acme.test>`);
    assert.equal(mail.headers.get('x-clara-message-id'), message.id);
    assert.match(mail.text, /Hi Ada <Lovelace>,/);
    assert.match(mail.text, /When: Thursday, December 3, 2026 at 3:00 PM \(UTC\)/);
    assert.match(mail.text, /Duration: 30 minutes/);
    // HTML: the name escaped, the meeting link tracked through Clara, an open pixel.
    assert.match(mail.html, /Hi Ada &lt;Lovelace&gt;,/);
    assert.doesNotMatch(mail.html, /meet\.example\.com/);
    assert.match(mail.html, /<a href="https:\/\/clara\.test\/e\/c\/[A-Za-z0-9_-]+">Join the meeting<\/a>/);
    assert.match(mail.html, /<img src="https:\/\/clara\.test\/e\/o\/[A-Za-z0-9_-]+\.gif"/);

    const [sent] = await activities(id, 'email_sent');
    assert.equal(sent?.subject, 'Booking confirmation sent to ada@example.com');
    assert.equal(sent?.description, 'Thursday, December 3, 2026 at 3:00 PM');
    assert.equal(sent?.created_by, agent.id);

    const list = await t.app.inject({ method: 'GET', url: `/api/v1/leads/${id}/emails`, headers: agent.headers });
    assert.equal(list.statusCode, 200);
    assert.deepEqual(list.json().data.map((m: { id: string }) => m.id), [message.id]);
  });

  test('sendEmail, the use case other channels call, sends an ROI report to the address given', async () => {
    const { id } = await createLead(t.admin, { contact_person: 'Grace Hopper', email: 'grace@example.com' });
    const result = await withActor(t.database.db, actorOf(t.admin), (tx) =>
      sendEmail(tx, t.config, {
        leadId: id,
        template: 'roi_report',
        to: 'Grace.Work@Example.com',
        data: { name: 'Grace', tier: 'Growth', roi_percent: 312, annual_savings: 48000, booking_url: 'https://acme.test/book' },
      }),
    );
    assert.equal(result.status, 'sent');
    const mail = await sink.next();
    assert.deepEqual(mail.to, ['grace.work@example.com']);
    assert.equal(mail.headers.get('subject'), 'Your ROI report: 312% return on the Growth plan');
    assert.match(mail.text, /Annual savings: \$48,000/);
    const [sent] = await activities(id, 'email_sent');
    assert.equal(sent?.subject, 'ROI report sent to grace.work@example.com');
    assert.equal(sent?.description, 'Growth tier, 312% ROI');
  });

  test('a do-not-contact lead is refused with a clear problem, and nothing is sent or written', async () => {
    const { id } = await createLead(agent, { contact_person: 'No Mail', email: 'nomail@example.com', do_not_contact: true });
    const before = [sink.mails.length, await count('email_messages'), await count('activities')];
    const response = await send(agent, id, booking);
    assertProblem(response, 422, 'do_not_contact');
    assert.match(response.json().detail, /do_not_contact/);
    assert.deepEqual([sink.mails.length, await count('email_messages'), await count('activities')], before);

    // The use case says the same to programmatic callers, without throwing.
    const result = await withActor(t.database.db, actorOf(agent), (tx) =>
      sendEmail(tx, t.config, { leadId: id, template: 'booking_confirmation', data: booking.data }),
    );
    assert.equal(result.status, 'refused');
    assert.equal(result.status === 'refused' && result.reason, 'do_not_contact');
  });

  test('bad input is a 4xx problem and writes nothing; row-level security decides who may send', async () => {
    const { id } = await createLead(agent, { contact_person: 'Rls Lead', email: 'rls@example.com' });
    const noEmail = await createLead(agent, { contact_person: 'Phone Only', phone: '+14155550199' });
    const other = await t.user('agent');
    const before = [sink.mails.length, await count('email_messages')];
    assertProblem(await send(agent, id, { ...booking, data: { start_time: 'tomorrow' } }), 400, 'validation_failed');
    assertProblem(await send(agent, id, { template: 'newsletter', data: {} }), 400, 'validation_failed');
    assertProblem(await send(agent, id, { ...booking, data: { ...booking.data, meeting_url: 'javascript:alert(1)' } }), 400, 'validation_failed');
    assertProblem(await send(agent, id, { ...booking, to: 'not-an-address' }), 400, 'validation_failed');
    assertProblem(await send(agent, noEmail.id, booking), 422, 'no_email_address');
    assertProblem(await send(viewer, id, booking), 403, 'forbidden');
    // Another agent cannot see this lead (it is owned): not found, exactly like a missing one.
    assertProblem(await send(other, id, booking), 404, 'not_found');
    assertProblem(await send(agent, '00000000-0000-4000-8000-000000000000', booking), 404, 'not_found');
    assert.deepEqual([sink.mails.length, await count('email_messages')], before);
  });

  test('an SMTP refusal is a 502, and the failed attempt stays on record without a timeline entry', async () => {
    const { id } = await createLead(agent, { contact_person: 'Bad Address', email: 'nobody@reject.test' });
    const response = await send(agent, id, booking);
    assertProblem(response, 502, 'email_send_failed');
    const [message] = await t.database.db.selectFrom('email_messages').selectAll().where('lead_id', '=', id).execute();
    assert.equal(message?.status, 'failed');
    assert.match(message?.error ?? '', /550|No such user/);
    assert.equal((await activities(id, 'email_sent')).length, 0);
  });

  describe('tracking', () => {
    let leadId: string;
    let pixel: string;
    let click: string;

    before(async () => {
      ({ id: leadId } = await createLead(agent, { contact_person: 'Tracked Lead', email: 'tracked@example.com' }));
      const response = await send(agent, leadId, booking);
      assert.equal(response.statusCode, 201, response.body);
      const mail = await sink.next();
      pixel = new URL(/<img src="([^"]+)"/.exec(mail.html)?.[1] ?? '').pathname;
      click = new URL((/<a href="([^"]+)">Join the meeting/.exec(mail.html)?.[1] ?? '').replace(/&amp;/g, '&')).pathname;
    });

    test('the open pixel records an open on the lead and the email', async () => {
      const response = await t.app.inject({ method: 'GET', url: pixel });
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'image/gif');
      assert.equal(response.headers['cache-control'], 'no-store, max-age=0');
      assert.equal(response.rawPayload.subarray(0, 6).toString(), 'GIF89a');
      const row = await lead(leadId);
      assert.ok(row.last_email_opened_at, 'last_email_opened_at set');
      const [opened] = await activities(leadId, 'email_opened');
      assert.equal(opened?.subject, 'Email opened: Your demo is confirmed: Thursday, December 3, 2026 at 3:00 PM');
      const message = await t.database.db.selectFrom('email_messages').selectAll().where('lead_id', '=', leadId).executeTakeFirstOrThrow();
      assert.equal(message.open_count, 1);
      assert.ok(message.first_opened_at);
      // The generic "Lead Updated" entry is not repeated for engagement counters.
      assert.equal((await activities(leadId, 'lead_updated')).length, 0);
    });

    test('the click redirect records the click and sends the reader to the signed link', async () => {
      const response = await t.app.inject({ method: 'GET', url: click });
      assert.equal(response.statusCode, 302);
      assert.equal(response.headers.location, 'https://meet.example.com/ada?room=1&x=2');
      const row = await lead(leadId);
      assert.equal(row.email_click_count, 1);
      const [clicked] = await activities(leadId, 'email_clicked');
      assert.equal(clicked?.subject, 'Email link clicked');
      assert.equal(clicked?.description, 'https://meet.example.com/ada?room=1&x=2');
    });

    test('forged tokens and open-redirect attempts are not found and record nothing', async () => {
      const before = [await count('email_events'), await count('activities'), (await lead(leadId)).email_click_count];
      const clickToken = click.slice('/e/c/'.length);
      const pixelToken = pixel.slice('/e/o/'.length, -'.gif'.length);
      const flip = (token: string, at: number) => token.slice(0, at) + (token[at] === 'A' ? 'B' : 'A') + token.slice(at + 1);

      // The same email and MAC, another destination.
      const bytes = Buffer.from(clickToken, 'base64url');
      const redirect = Buffer.concat([bytes.subarray(0, 32), Buffer.from('https://evil.example/login')]).toString('base64url');
      for (const url of [`/e/c/${redirect}`, `/e/c/${flip(clickToken, 5)}`, `/e/c/${flip(clickToken, 30)}`, `/e/o/${flip(pixelToken, 3)}.gif`, `/e/o/${pixelToken.slice(0, -4)}.gif`]) {
        const response = await t.app.inject({ method: 'GET', url });
        assertProblem(response, 404, 'not_found');
        assert.equal(response.headers.location, undefined);
      }
      // Not a token at all: a validation problem, not a crash.
      assertProblem(await t.app.inject({ method: 'GET', url: '/e/c/%3Cscript%3E' }), 400, 'validation_failed');
      assertProblem(await t.app.inject({ method: 'GET', url: '/e/o/abc.png' }), 400, 'validation_failed');
      assert.deepEqual([await count('email_events'), await count('activities'), (await lead(leadId)).email_click_count], before);
    });

    test('a token signed with another secret is worthless here', async () => {
      const other = await createTestApp({ SMTP_URL: sink.url, PUBLIC_URL, CLARA_SECRET: 'x'.repeat(40) });
      try {
        const response = await other.app.inject({ method: 'GET', url: pixel });
        assertProblem(response, 404, 'not_found');
      } finally {
        await other.close();
      }
    });
  });
});

describe('email without SMTP_URL', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
  });
  after(async () => {
    await t.close();
  });

  test('sending answers 503 email_not_configured, and the status endpoints say so', async () => {
    const created = await t.app.inject({ method: 'POST', url: '/api/v1/leads', headers: t.admin.headers, payload: { contact_person: 'X', email: 'x@example.com' } });
    const response = await t.app.inject({
      method: 'POST',
      url: `/api/v1/leads/${created.json().id}/emails`,
      headers: t.admin.headers,
      payload: { template: 'roi_report', data: { tier: 'Pro', roi_percent: 100 } },
    });
    assertProblem(response, 503, 'email_not_configured');
    assert.match(response.json().detail, /SMTP_URL/);
    assert.equal(Number((await t.database.db.selectFrom('email_messages').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n), 0);

    const system = await t.app.inject({ method: 'GET', url: '/api/v1/system/status', headers: t.admin.headers });
    assert.equal(system.json().features.smtp, false);
    const status = await t.app.inject({ method: 'GET', url: '/api/v1/email/status', headers: t.admin.headers });
    assert.equal(status.statusCode, 200, status.body);
    assert.equal(status.json().sending.configured, false);
    assert.equal(status.json().tracking.secret, 'generated');
    assert.deepEqual(status.json().webhooks.sendgrid, { configured: false, url: 'http://localhost:0/webhooks/email/sendgrid' });

    // An unconfigured provider webhook accepts nothing, signed or not.
    const webhook = await t.app.inject({ method: 'POST', url: '/webhooks/email/sendgrid', headers: { 'content-type': 'application/json' }, payload: '[]' });
    assertProblem(webhook, 503, 'email_webhook_not_configured');
  });
});
