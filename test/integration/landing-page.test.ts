import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startSmtpSink, type SmtpSink } from '../support/smtp-sink.js';
import { createTestApp, type TestApp } from '../support/test-app.js';

const ORIGIN = 'https://www.acme-landing.test';

/** The next weekday at 10:00 UTC, at least two days ahead: inside working hours. */
function nextWorkingSlot(daysAhead = 2, hour = 10): Date {
  const date = new Date();
  date.setUTCDate(date.getUTCDate() + daysAhead);
  while (date.getUTCDay() === 0 || date.getUTCDay() === 6) date.setUTCDate(date.getUTCDate() + 1);
  date.setUTCHours(hour, 0, 0, 0);
  return date;
}

describe('the landing page: forms, bookings, ROI calculator and chat widget', () => {
  let t: TestApp;
  let sink: SmtpSink;
  let key: string;
  let siteId: string;
  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
    t.app.inject({ method: 'POST', url, payload: payload as Record<string, unknown>, headers: { 'x-clara-key': key, origin: ORIGIN, ...headers } });
  const leadsByEmail = async (email: string) =>
    (await t.app.inject({ method: 'GET', url: `/api/v1/leads?email=${encodeURIComponent(email)}`, headers: t.admin.headers })).json().data;

  before(async () => {
    // A generous limit for the suite; the limit itself has its own test below.
    sink = await startSmtpSink();
    t = await createTestApp({ CLARA_TIMEZONE: 'UTC', CLARA_PUBLIC_RATE_LIMIT: '1000', SMTP_URL: sink.url, EMAIL_FROM: 'Acme <hello@acme.com>' });
    const site = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: t.admin.headers,
      payload: { name: 'Acme landing', allowed_origins: [ORIGIN] },
    });
    assert.equal(site.statusCode, 201, site.body);
    key = site.json().publishable_key;
    siteId = site.json().id;
    assert.match(key, /^pk_/);
  });
  after(async () => {
    await t.close();
    await sink.close();
  });

  test('only admins manage sites', async () => {
    const agent = await t.user('agent');
    assert.equal((await t.app.inject({ method: 'GET', url: '/api/v1/sites', headers: agent.headers })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/sites', headers: agent.headers, payload: { name: 'x' } })).statusCode, 403);
  });

  test('web-to-lead creates a pool lead with its campaign, and a second form fills blanks without overwriting', async () => {
    const response = await post('/public/v1/leads', {
      name: 'Nora Quinn',
      email: 'Nora@Quinn.test',
      phone: '(415) 555-0142',
      company: 'Quinn Bakery',
      message: 'We miss calls at lunch time',
      utm_source: 'google',
      utm_campaign: 'spring',
      referrer_url: 'https://search.example/?q=ai+receptionist',
    });
    assert.equal(response.statusCode, 201, response.body);
    assert.equal(response.headers['access-control-allow-origin'], ORIGIN);
    const [lead] = await leadsByEmail('nora@quinn.test');
    assert.equal(lead.contact_person, 'Nora Quinn');
    assert.equal(lead.phone, '+14155550142');
    assert.equal(lead.lead_source, 'web_form');
    assert.equal(lead.utm_source, 'google');
    assert.equal(lead.utm_campaign, 'spring');
    assert.equal(lead.need, 'We miss calls at lunch time');
    assert.ok(lead.client_id);

    await post('/public/v1/leads', { name: 'Someone Else', email: 'nora@quinn.test', utm_medium: 'cpc' });
    const again = await leadsByEmail('nora@quinn.test');
    assert.equal(again.length, 1, 'one person, one lead');
    assert.equal(again[0].contact_person, 'Nora Quinn', 'a form never overwrites what the lead says');
    assert.equal(again[0].utm_medium, 'cpc', 'but fills blanks');
    const activities = (await t.app.inject({ method: 'GET', url: `/api/v1/activities?lead_id=${lead.id}&activity_type=web_form`, headers: t.admin.headers })).json().data;
    assert.equal(activities.length, 2);
  });

  test('a bot filling the honeypot gets the same answer and nothing is stored', async () => {
    const response = await post('/public/v1/leads', { name: 'Bot', email: 'bot@spam.test', website_url: 'http://spam.test' });
    assert.equal(response.statusCode, 201);
    assert.equal((await leadsByEmail('bot@spam.test')).length, 0);
  });

  test('keys and origins: a missing or unknown key is 401, another website is 403, bad input 400', async () => {
    assert.equal((await post('/public/v1/leads', { email: 'a@b.test' }, { 'x-clara-key': '' })).statusCode, 401);
    assert.equal((await post('/public/v1/leads', { email: 'a@b.test' }, { 'x-clara-key': 'pk_nope' })).statusCode, 401);
    const elsewhere = await post('/public/v1/leads', { email: 'a@b.test' }, { origin: 'https://evil.test' });
    assert.equal(elsewhere.statusCode, 403);
    assert.equal(elsewhere.headers['access-control-allow-origin'], undefined);
    const bad = await post('/public/v1/leads', { name: 'No contact' });
    assert.equal(bad.statusCode, 400);
    assert.equal((await post('/public/v1/leads', { email: 'not-an-email' })).statusCode, 400);
    assert.equal((await post('/public/v1/leads', { email: 'a@b.test', is_admin: true })).statusCode, 400);
    assert.equal((await leadsByEmail('a@b.test')).length, 0);
  });

  test('CORS preflight answers the allowed origins only', async () => {
    const ok = await t.app.inject({ method: 'OPTIONS', url: '/public/v1/leads', headers: { origin: ORIGIN, 'access-control-request-method': 'POST' } });
    assert.equal(ok.statusCode, 204);
    assert.equal(ok.headers['access-control-allow-origin'], ORIGIN);
    assert.match(String(ok.headers['access-control-allow-headers']), /x-clara-key/);
    const evil = await t.app.inject({ method: 'OPTIONS', url: '/public/v1/leads', headers: { origin: 'https://evil.test' } });
    assert.equal(evil.statusCode, 403);
  });

  test('booking: free slots, a booked demo on the calendar, a taken slot is a 409 with nothing written', async () => {
    const slots = await t.app.inject({ method: 'GET', url: `/public/v1/booking-slots?days=7&key=${key}`, headers: { origin: ORIGIN } });
    assert.equal(slots.statusCode, 200, slots.body);
    const { slots: free, minutes } = slots.json();
    assert.ok(free.length > 0);
    const wanted = nextWorkingSlot().toISOString();
    assert.ok(free.includes(wanted), `${wanted} is offered`);

    const booked = await post('/public/v1/bookings', { name: 'Omar Diaz', email: 'omar@diaz.test', company: 'Diaz Dental', start: wanted, utm_campaign: 'demo-week' });
    assert.equal(booked.statusCode, 201, booked.body);
    assert.equal(booked.json().start, wanted);
    assert.equal(booked.json().confirmation_sent, true);
    const confirmation = await sink.next();
    assert.deepEqual(confirmation.to, ['omar@diaz.test']);
    assert.match(confirmation.text, /Omar/);
    assert.equal(new Date(booked.json().end).getTime() - new Date(wanted).getTime(), minutes * 60_000);
    const [lead] = await leadsByEmail('omar@diaz.test');
    assert.equal(lead.lead_source, 'website_booking');
    const meetings = (await t.app.inject({ method: 'GET', url: `/api/v1/meetings?lead_id=${lead.id}`, headers: t.admin.headers })).json().data;
    assert.equal(meetings.length, 1);
    assert.equal(meetings[0].start_time.slice(0, 16), wanted.slice(0, 16));

    const after = await t.app.inject({ method: 'GET', url: `/public/v1/booking-slots?days=7&key=${key}`, headers: { origin: ORIGIN } });
    assert.ok(!after.json().slots.includes(wanted), 'a booked slot is no longer offered');

    const clash = await post('/public/v1/bookings', { name: 'Pia Lund', email: 'pia@lund.test', start: wanted });
    assert.equal(clash.statusCode, 409, clash.body);
    assert.ok(clash.json().errors.alternative, clash.body);
    assert.equal((await leadsByEmail('pia@lund.test')).length, 0, 'a failed booking writes nothing');

    const night = new Date(wanted);
    night.setUTCHours(2);
    assert.equal((await post('/public/v1/bookings', { name: 'Owl', email: 'owl@night.test', start: night.toISOString() })).statusCode, 422);
    assert.equal((await post('/public/v1/bookings', { name: 'Past', email: 'past@x.test', start: '2020-01-01T10:00:00Z' })).statusCode, 422);
  });

  test('ROI calculator: results kept, linked both ways with the lead when an email is given', async () => {
    const anonymous = await post('/public/v1/roi-calculations', { inputs: { calls_per_day: 40 }, results: { yearly_savings: 52000 } });
    assert.equal(anonymous.statusCode, 201, anonymous.body);
    const named = await post('/public/v1/roi-calculations', {
      email: 'raj@patel.test',
      name: 'Raj Patel',
      inputs: { calls_per_day: 120, missed_share: 0.3 },
      results: { yearly_savings: 180000, roi_percent: 420 },
      time_on_calculator: 95,
      adjustments_count: 7,
      send_report: true,
    });
    assert.equal(named.statusCode, 201, named.body);
    assert.equal(named.json().report_sent, true);
    const report = await sink.next();
    assert.deepEqual(report.to, ['raj@patel.test']);
    assert.match(report.text, /420/);
    const [lead] = await leadsByEmail('raj@patel.test');
    assert.ok(lead.roi_calculation_id);
    const row = await t.database.db.selectFrom('roi_calculations').selectAll().where('id', '=', lead.roi_calculation_id).executeTakeFirstOrThrow();
    assert.equal(row.lead_id, lead.id);
    assert.equal(row.site_id, siteId);
    assert.equal(row.time_on_calculator, 95);
    assert.equal(row.adjustments_count, 7);
    assert.deepEqual(row.results, { yearly_savings: 180000, roi_percent: 420 });
    assert.ok(row.report_sent_at, 'report_sent_at once the report email is sent');
    const read = await t.app.inject({ url: `/api/v1/roi_calculations/${lead.roi_calculation_id}`, headers: t.admin.headers });
    assert.equal(read.statusCode, 200, read.body);
    assert.deepEqual([read.json().lead_id, read.json().results, read.json().time_on_calculator], [lead.id, { yearly_savings: 180000, roi_percent: 420 }, 95], 'readable through the API');
    const listed = await t.app.inject({ url: `/api/v1/roi_calculations?lead_id=${lead.id}`, headers: t.admin.headers });
    assert.deepEqual(listed.json().data.map((c: { id: string }) => c.id), [lead.roi_calculation_id]);
    const write = await t.app.inject({ method: 'POST', url: '/api/v1/roi_calculations', headers: t.admin.headers, payload: {} });
    assert.equal(write.statusCode, 404, 'read-only: only the calculator writes them');
    const unusable = await post('/public/v1/roi-calculations', { email: 'no@figures.test', inputs: {}, results: { tier: 'x' }, send_report: true });
    assert.equal(unusable.statusCode, 400, 'a report without its figures is refused before anything is written');
    assert.equal((await leadsByEmail('no@figures.test')).length, 0);
    assert.equal((await post('/public/v1/roi-calculations', { inputs: {}, results: {}, send_report: true })).statusCode, 400);
  });

  test('the chat widget: its script loads cross-origin, a conversation qualifies a lead linked to its session, and it resumes', async () => {
    const script = await t.app.inject({ method: 'GET', url: '/widget.js' });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /javascript/);
    assert.equal(script.headers['cross-origin-resource-policy'], 'cross-origin');
    assert.match(script.body, /x-clara-key/);

    const opened = await post('/public/v1/chat/sessions', { session_id: 'visitor-0001' });
    assert.equal(opened.statusCode, 201, opened.body);
    const { id, messages } = opened.json();
    assert.equal(messages[0].role, 'assistant');
    const turn = await post(`/public/v1/chat/sessions/${id}/turns`, { text: 'hi this is lea moreau from moreau studio, lea@moreau.com' });
    assert.equal(turn.statusCode, 200, turn.body);
    assert.deepEqual(Object.keys(turn.json()).sort(), ['done', 'reply'], 'the visitor never sees what the CRM recorded');
    const [lead] = await leadsByEmail('lea@moreau.com');
    assert.equal(lead.contact_person, 'Lea Moreau');
    assert.equal(lead.voice_session_id, id);

    const resumed = await post('/public/v1/chat/sessions', { session_id: 'visitor-0001' });
    assert.equal(resumed.json().id, id, 'the same visitor resumes the same conversation');
    assert.equal(resumed.json().messages.length, 3);

    const other = await t.app.inject({
      method: 'POST',
      url: '/api/v1/sites',
      headers: t.admin.headers,
      payload: { name: 'Other', allowed_origins: ['https://other.test'] },
    });
    const stolen = await t.app.inject({
      method: 'POST',
      url: `/public/v1/chat/sessions/${id}/turns`,
      headers: { 'x-clara-key': other.json().publishable_key, origin: 'https://other.test' },
      payload: { text: 'hello' },
    });
    assert.equal(stolen.statusCode, 404, 'a key drives only its own site\'s conversations');

    const ended = await post(`/public/v1/chat/sessions/${id}/end`, {});
    assert.equal(ended.statusCode, 200);
    const late = await post(`/public/v1/chat/sessions/${id}/turns`, { text: 'still there?' });
    assert.equal(late.statusCode, 409);
  });

  test('each address is rate limited', async () => {
    const limited = await createTestApp({ CLARA_TIMEZONE: 'UTC', CLARA_PUBLIC_RATE_LIMIT: '3' });
    try {
      const site = await limited.app.inject({ method: 'POST', url: '/api/v1/sites', headers: limited.admin.headers, payload: { name: 'Rate', allowed_origins: [ORIGIN] } });
      const headers = { 'x-clara-key': site.json().publishable_key, origin: ORIGIN };
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        statuses.push((await limited.app.inject({ method: 'POST', url: '/public/v1/leads', headers, payload: { email: `r${i}@rate.com` } })).statusCode);
      }
      assert.deepEqual(statuses, [201, 201, 201, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  test('rotating a key retires the old one', async () => {
    const rotated = await t.app.inject({ method: 'POST', url: `/api/v1/sites/${siteId}/rotate_key`, headers: t.admin.headers });
    assert.equal(rotated.statusCode, 200);
    const old = key;
    key = rotated.json().publishable_key;
    assert.notEqual(key, old);
    assert.equal((await post('/public/v1/leads', { email: 'z@z.test' }, { 'x-clara-key': old })).statusCode, 401);
    assert.equal((await post('/public/v1/leads', { email: 'z@z.test' })).statusCode, 201);
  });
});
