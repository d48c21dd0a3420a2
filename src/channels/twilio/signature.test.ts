import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import twilio from 'twilio';
import { assertSignedByTwilio, publicUrlOf, relaySocketUrl } from './signature.js';

const token = 'secret-token';
const publicUrl = 'https://crm.example.test/clara';
const request = (headers: Record<string, string>, body: Record<string, string>, url = '/webhooks/twilio/voice?call_id=1') =>
  ({ method: 'POST', url, headers, body }) as unknown as FastifyRequest;
const refused = (fn: () => void) => assert.throws(fn, (error: { status?: number }) => error.status === 403);

test('the signed URL is PUBLIC_URL (with its path) plus the path and query as received', () => {
  assert.equal(publicUrlOf(publicUrl, '/webhooks/twilio/sms?x=1'), 'https://crm.example.test/clara/webhooks/twilio/sms?x=1');
  assert.equal(relaySocketUrl('https://a.test', '/webhooks/twilio/relay'), 'wss://a.test/webhooks/twilio/relay');
  assert.equal(relaySocketUrl('http://localhost:3000', '/r'), 'ws://localhost:3000/r');
});

test("a request signed by the official package over the public URL passes; anything else is a 403", () => {
  const body = { CallSid: 'CA1', From: '+14155550100' };
  const signature = twilio.getExpectedTwilioSignature(token, 'https://crm.example.test/clara/webhooks/twilio/voice?call_id=1', body);
  assert.doesNotThrow(() => assertSignedByTwilio(request({ 'x-twilio-signature': signature }, body), { authToken: token, publicUrl }));
  refused(() => assertSignedByTwilio(request({}, body), { authToken: token, publicUrl }));
  refused(() => assertSignedByTwilio(request({ 'x-twilio-signature': signature }, { ...body, From: '+1999' }), { authToken: token, publicUrl }));
  refused(() => assertSignedByTwilio(request({ 'x-twilio-signature': signature }, body, '/webhooks/twilio/voice?call_id=2'), { authToken: token, publicUrl }));
  refused(() => assertSignedByTwilio(request({ 'x-twilio-signature': signature }, body), { authToken: 'other', publicUrl }));
  refused(() => assertSignedByTwilio(request({ 'x-twilio-signature': signature }, body), { authToken: undefined, publicUrl }));
});

test('HMAC-SHA256 signatures are checked when Twilio says so in X-Twilio-Webhooks-Signature-Settings', () => {
  const body = { MessageSid: 'SM1' };
  const url = 'https://crm.example.test/clara/webhooks/twilio/voice?call_id=1';
  const signature = twilio.getExpectedTwilioSignature(token, url, body, 'HMAC_SHA256');
  const headers = { 'x-twilio-signature': signature, 'x-twilio-webhooks-signature-settings': 'algorithm=HMAC_SHA256' };
  assert.doesNotThrow(() => assertSignedByTwilio(request(headers, body), { authToken: token, publicUrl }));
  refused(() => assertSignedByTwilio(request({ 'x-twilio-signature': signature }, body), { authToken: token, publicUrl }));
});
