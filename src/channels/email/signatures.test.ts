import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import {
  mailgunSignature,
  sendgridPublicKey,
  standardWebhookHeaders,
  standardWebhookKey,
  standardWebhookSignature,
  verifyMailgun,
  verifyPostmark,
  verifySendgrid,
  verifyStandardWebhook,
} from './signatures.js';

test('SendGrid: ECDSA P-256 over timestamp + body, key as base64 DER or PEM', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const der = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  const pem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  const body = Buffer.from('[{"event":"open","sg_event_id":"e1"}]');
  const timestamp = '1764500000';
  const signature = sign('sha256', Buffer.concat([Buffer.from(timestamp), body]), privateKey).toString('base64');

  for (const configured of [der, pem]) {
    const key = sendgridPublicKey(configured);
    assert.deepEqual(verifySendgrid(key, body, signature, timestamp), { ok: true });
    assert.equal(verifySendgrid(key, Buffer.from(`${body} `), signature, timestamp).ok, false, 'body changed');
    assert.equal(verifySendgrid(key, body, signature, '1764500001').ok, false, 'timestamp changed');
    assert.deepEqual(verifySendgrid(key, body, undefined, timestamp), { ok: false, reason: 'missing signature headers' });
    assert.equal(verifySendgrid(key, body, 'bm90IGEgc2lnbmF0dXJl', timestamp).ok, false, 'garbage signature');
  }
  const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  assert.equal(verifySendgrid(sendgridPublicKey(other), body, signature, timestamp).ok, false, 'another key');
});

test('SendGrid: a key that is not P-256 is refused at once', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
  assert.throws(() => sendgridPublicKey(rsa), /P-256/);
});

test('Postmark: basic credentials, compared exactly', () => {
  const expected = { username: 'clara', password: 'correct-horse-battery' };
  const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;
  assert.deepEqual(verifyPostmark(expected, basic('clara:correct-horse-battery')), { ok: true });
  assert.equal(verifyPostmark(expected, basic('clara:wrong')).ok, false);
  assert.equal(verifyPostmark(expected, basic('clara:correct-horse-battery ')).ok, false);
  assert.equal(verifyPostmark(expected, undefined).ok, false);
  assert.equal(verifyPostmark(expected, 'Bearer x').ok, false);
});

test('Resend (Standard Webhooks): HMAC over id.timestamp.body with the whsec_ key, within the tolerance', () => {
  const secret = `whsec_${randomBytes(24).toString('base64')}`;
  const key = standardWebhookKey(secret);
  const body = Buffer.from('{"type":"email.opened","data":{}}');
  const now = 1_764_500_000;
  const id = 'msg_2abc';
  const timestamp = String(now);
  const good = standardWebhookSignature(key, id, timestamp, body);
  const headers = { id, timestamp, signature: `v1,${good}` };
  assert.deepEqual(verifyStandardWebhook(key, headers, body, 300, now), { ok: true });
  // Several signatures during a secret rotation: any one may match.
  assert.deepEqual(verifyStandardWebhook(key, { ...headers, signature: `v1,${Buffer.alloc(32).toString('base64')} v1,${good}` }, body, 300, now), { ok: true });
  assert.equal(verifyStandardWebhook(key, { ...headers, id: 'msg_other' }, body, 300, now).ok, false, 'id is signed');
  assert.equal(verifyStandardWebhook(key, headers, Buffer.from(`${body} `), 300, now).ok, false, 'body is signed');
  assert.equal(verifyStandardWebhook(standardWebhookKey(`whsec_${randomBytes(24).toString('base64')}`), headers, body, 300, now).ok, false);
  assert.deepEqual(verifyStandardWebhook(key, headers, body, 300, now + 301), { ok: false, reason: 'timestamp outside the tolerance' });
  assert.equal(verifyStandardWebhook(key, { ...headers, signature: `v2,${good}` }, body, 300, now).ok, false, 'only v1');
  assert.equal(verifyStandardWebhook(key, { ...headers, signature: undefined }, body, 300, now).ok, false);
});

test('Standard Webhooks headers are read under svix- or webhook- names', () => {
  assert.deepEqual(standardWebhookHeaders({ 'svix-id': 'a', 'svix-timestamp': '1', 'svix-signature': 'v1,x' }), { id: 'a', timestamp: '1', signature: 'v1,x' });
  assert.deepEqual(standardWebhookHeaders({ 'webhook-id': 'b', 'webhook-timestamp': '2', 'webhook-signature': 'v1,y' }), { id: 'b', timestamp: '2', signature: 'v1,y' });
});

test('Mailgun: hex HMAC-SHA256 of timestamp + token with the signing key', () => {
  const signingKey = 'key-0123456789abcdef';
  const timestamp = '1764500000';
  const token = randomBytes(25).toString('hex');
  const signature = mailgunSignature(signingKey, timestamp, token);
  assert.match(signature, /^[0-9a-f]{64}$/);
  assert.deepEqual(verifyMailgun(signingKey, { timestamp, token, signature }), { ok: true });
  assert.equal(verifyMailgun('another-key-000', { timestamp, token, signature }).ok, false);
  assert.equal(verifyMailgun(signingKey, { timestamp: '1764500001', token, signature }).ok, false);
  assert.equal(verifyMailgun(signingKey, { timestamp, token, signature: 'zz' }).ok, false);
  assert.equal(verifyMailgun(signingKey, undefined).ok, false);
});
