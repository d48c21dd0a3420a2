import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeMailgun, normalizeMailgunInbound, normalizePostmark, normalizeResend, normalizeSendgrid } from './providers.js';

const id = '0b0f4b3e-8a2d-4f5e-9c1a-2b3c4d5e6f70';

test('SendGrid: each event type maps to Clara vocabulary; blocked bounces and unknown events are skipped', () => {
  const base = { email: 'A@Example.com', timestamp: 1_764_500_000, 'smtp-id': `<${id}@acme.test>`, sg_message_id: 'abc.def.filter0001.1.0', clara_message_id: id };
  const events = normalizeSendgrid([
    { ...base, event: 'processed', sg_event_id: '1' },
    { ...base, event: 'delivered', sg_event_id: '2' },
    { ...base, event: 'open', sg_event_id: '3' },
    { ...base, event: 'click', sg_event_id: '4', url: 'https://x.test' },
    { ...base, event: 'bounce', type: 'bounce', sg_event_id: '5', reason: '550 no such user' },
    { ...base, event: 'bounce', type: 'blocked', sg_event_id: '6' },
    { ...base, event: 'spamreport', sg_event_id: '7' },
    { ...base, event: 'unsubscribe', sg_event_id: '8' },
    { ...base, event: 'group_unsubscribe', sg_event_id: '9' },
    { ...base, event: 'open' },
  ]);
  assert.deepEqual(events.map((e) => [e.providerEventId, e.type]), [
    ['2', 'delivered'], ['3', 'opened'], ['4', 'clicked'], ['5', 'bounced'], ['7', 'complained'], ['8', 'unsubscribed'], ['9', 'unsubscribed'],
  ]);
  const first = events[0];
  assert.deepEqual(first?.reference, { messageId: id, headerMessageId: `${id}@acme.test`, providerMessageId: 'abc.def' });
  assert.equal(first?.recipient, 'a@example.com');
  assert.equal(first?.occurredAt, '2025-11-30T10:53:20.000Z');
  assert.equal(events[2]?.url, 'https://x.test');
  assert.throws(() => normalizeSendgrid({ event: 'open' }), /array/);
});

test('SendGrid: metadata that is not a uuid never reaches a query', () => {
  const [event] = normalizeSendgrid([{ event: 'open', sg_event_id: 'x', clara_message_id: "1' OR '1'='1" }]);
  assert.equal(event?.reference.messageId, undefined);
});

test('Postmark: record types map, event ids are stable, soft bounces and re-subscribes are ignored', () => {
  const meta = { Metadata: { clara_message_id: id }, MessageID: 'pm-1' };
  assert.equal(normalizePostmark({ ...meta, RecordType: 'Delivery', Recipient: 'a@x.test', DeliveredAt: '2026-12-01T08:00:00Z' })[0]?.providerEventId, 'Delivery:pm-1:a@x.test');
  assert.equal(normalizePostmark({ ...meta, RecordType: 'Open', Recipient: 'a@x.test', ReceivedAt: '2026-12-01T08:01:00Z' })[0]?.type, 'opened');
  assert.equal(normalizePostmark({ ...meta, RecordType: 'Click', Recipient: 'a@x.test', ReceivedAt: 't', OriginalLink: 'https://x.test' })[0]?.url, 'https://x.test');
  assert.equal(normalizePostmark({ ...meta, RecordType: 'Bounce', ID: 7, Type: 'HardBounce', Email: 'a@x.test' })[0]?.providerEventId, 'Bounce:7');
  assert.deepEqual(normalizePostmark({ ...meta, RecordType: 'Bounce', ID: 8, Type: 'SoftBounce', Email: 'a@x.test' }), []);
  assert.equal(normalizePostmark({ ...meta, RecordType: 'SpamComplaint', ID: 9, Email: 'a@x.test' })[0]?.type, 'complained');
  assert.equal(normalizePostmark({ ...meta, RecordType: 'SubscriptionChange', Recipient: 'a@x.test', ChangedAt: 't', SuppressSending: true })[0]?.type, 'unsubscribed');
  assert.deepEqual(normalizePostmark({ ...meta, RecordType: 'SubscriptionChange', Recipient: 'a@x.test', ChangedAt: 't', SuppressSending: false }), []);
  assert.deepEqual(normalizePostmark({ ...meta, RecordType: 'SomethingNew' }), []);
  assert.throws(() => normalizePostmark({ RecordType: 'Open' }), /identifiers/);
  assert.throws(() => normalizePostmark([]), /object/);
});

test('Resend: types map, contact unsubscribes count, the svix id is the event id', () => {
  const data = { email_id: 'r1', message_id: `<${id}@acme.test>`, to: ['a@x.test'], subject: 'S', tags: { clara_message_id: id } };
  const [bounce] = normalizeResend({ type: 'email.bounced', created_at: '2026-12-01T08:00:00Z', data: { ...data, bounce: { message: 'gone', type: 'Permanent', subType: 'General' } } }, 'msg_1');
  assert.equal(bounce?.type, 'bounced');
  assert.equal(bounce?.providerEventId, 'msg_1');
  assert.equal(bounce?.detail, 'gone');
  assert.deepEqual(bounce?.reference, { messageId: id, headerMessageId: `${id}@acme.test`, providerMessageId: 'r1' });
  const [unsubscribe] = normalizeResend({ type: 'contact.updated', created_at: 't', data: { email: 'A@x.test', unsubscribed: true } }, 'msg_2');
  assert.equal(unsubscribe?.type, 'unsubscribed');
  assert.equal(unsubscribe?.recipient, 'a@x.test');
  assert.deepEqual(normalizeResend({ type: 'contact.updated', created_at: 't', data: { email: 'a@x.test', unsubscribed: false } }, 'msg_3'), []);
  const [received] = normalizeResend({ type: 'email.received', created_at: 't', data: { from: 'Ann <Ann@x.test>', to: ['clara@acme.test'], subject: 'Re: hi' } }, 'msg_4');
  assert.equal(received?.type, 'replied');
  assert.equal(received?.recipient, 'ann@x.test');
  assert.throws(() => normalizeResend({ type: 'email.opened' }, 'msg_5'), /type, created_at, data/);
});

test('Mailgun: permanent failures bounce, temporary ones do not; inbound forms are replies', () => {
  const event = (extra: Record<string, unknown>) => ({ 'event-data': { id: 'mg1', timestamp: 1_764_500_000.5, recipient: 'a@x.test', 'user-variables': { clara_message_id: id }, ...extra } });
  assert.equal(normalizeMailgun(event({ event: 'opened' }))[0]?.type, 'opened');
  assert.equal(normalizeMailgun(event({ event: 'failed', severity: 'permanent' }))[0]?.type, 'bounced');
  assert.deepEqual(normalizeMailgun(event({ event: 'failed', severity: 'temporary' })), []);
  assert.equal(normalizeMailgun(event({ event: 'unsubscribed' }))[0]?.reference.messageId, id);
  assert.throws(() => normalizeMailgun({ signature: {} }), /event-data/);
  const [reply] = normalizeMailgunInbound({ sender: 'B@x.test', 'stripped-text': 'yes', 'In-Reply-To': `<${id}@acme.test>`, timestamp: '1764500000', token: 't', signature: 's' });
  assert.equal(reply?.type, 'replied');
  assert.equal(reply?.reference.headerMessageId, `${id}@acme.test`);
  assert.equal((reply?.payload as Record<string, string>).signature, undefined, 'signatures are not stored');
});
