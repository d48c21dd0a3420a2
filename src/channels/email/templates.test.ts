import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, renderBookingConfirmation, renderRoiReport, type RenderContext } from './templates.js';

const context: RenderContext = {
  link: (url) => `https://clara.test/e/c/${encodeURIComponent(url)}`,
  pixelUrl: 'https://clara.test/e/o/abc.gif',
  companyName: 'Acme',
  timeZone: 'UTC',
};

test('a booking confirmation states the date and time in the time zone given', () => {
  const email = renderBookingConfirmation(
    { name: 'Ada', start_time: '2026-12-03T15:00:00Z', end_time: '2026-12-03T15:30:00Z', time_zone: 'America/New_York', meeting_url: 'https://meet.example.com/x' },
    context,
  );
  assert.equal(email.subject, 'Your demo is confirmed: Thursday, December 3, 2026 at 10:00 AM');
  assert.equal(email.summary, 'Thursday, December 3, 2026 at 10:00 AM');
  assert.match(email.text, /Hi Ada,/);
  assert.match(email.text, /Duration: 30 minutes/);
  assert.match(email.text, /Join the meeting: https:\/\/clara\.test\/e\/c\//);
  assert.match(email.html, /<img src="https:\/\/clara\.test\/e\/o\/abc\.gif"/);
  assert.doesNotMatch(email.text, /e\/o\//, 'no pixel in plain text');
});

test('names, tiers and links are escaped in the HTML, and headers stay on one line', () => {
  const email = renderRoiReport(
    { name: '<script>alert("x")</script>', tier: 'Pro\r\nBcc: victim@example.com', roi_percent: 245.5, annual_savings: 120000, report_url: 'https://example.com/r?a=1&b=2' },
    context,
  );
  assert.doesNotMatch(email.html, /<script>/);
  assert.match(email.html, /&lt;script&gt;alert\(&quot;x&quot;\)&lt;\/script&gt;/);
  assert.match(email.html, /href="https:\/\/clara\.test\/e\/c\/https%3A%2F%2Fexample\.com%2Fr%3Fa%3D1%26b%3D2"/);
  assert.doesNotMatch(email.subject, /[\r\n]/);
  assert.equal(email.summary, 'Pro Bcc: victim@example.com tier, 245.5% ROI');
  assert.match(email.text, /Annual savings: \$120,000/);
});

test('template data is validated strictly', () => {
  assert.throws(() => renderBookingConfirmation({ start_time: 'next tuesday' }, context));
  assert.throws(() => renderBookingConfirmation({ start_time: '2026-12-03T15:00:00Z', time_zone: 'Mars/Olympus' }, context));
  assert.throws(() => renderBookingConfirmation({ start_time: '2026-12-03T15:00:00Z', meeting_url: 'javascript:alert(1)' }, context));
  assert.throws(() => renderRoiReport({ tier: 'Pro', roi_percent: 10, extra: true } as never, context));
});

test('escapeHtml covers the five special characters', () => {
  assert.equal(escapeHtml(`<a href="x" title='y'>&</a>`), '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
});
