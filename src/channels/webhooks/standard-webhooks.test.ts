import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  generateWebhookSecret,
  isWellFormedSecret,
  signWebhook,
  verifyWebhook,
  WebhookVerificationError,
} from './standard-webhooks.js';

// The test vector of the Standard Webhooks reference libraries.
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const ID = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
const TIMESTAMP = 1614265330;
const BODY = '{"test": 2432232314}';
const SIGNATURE = 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=';

const headers = (overrides: Record<string, string | undefined> = {}) => ({
  'webhook-id': ID,
  'webhook-timestamp': String(TIMESTAMP),
  'webhook-signature': SIGNATURE,
  ...overrides,
});
const options = { toleranceSeconds: 300, nowSeconds: TIMESTAMP + 10 };

describe('Standard Webhooks signatures', () => {
  test('signing matches the reference test vector', () => {
    assert.equal(signWebhook(SECRET, ID, TIMESTAMP, BODY), SIGNATURE);
    assert.equal(signWebhook(SECRET, ID, TIMESTAMP, Buffer.from(BODY)), SIGNATURE);
  });

  test('a valid signature verifies and gives back the id', () => {
    assert.deepEqual(verifyWebhook(SECRET, headers(), BODY, options), { id: ID, timestamp: TIMESTAMP });
  });

  test('one valid signature among several (secret rotation) is enough', () => {
    const many = `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,abc ${SIGNATURE}`;
    assert.equal(verifyWebhook(SECRET, headers({ 'webhook-signature': many }), BODY, options).id, ID);
  });

  test('a changed body, id, secret or signature fails', () => {
    const fails = (run: () => unknown) => assert.throws(run, WebhookVerificationError);
    fails(() => verifyWebhook(SECRET, headers(), `${BODY} `, options));
    fails(() => verifyWebhook(SECRET, headers({ 'webhook-id': 'msg_other' }), BODY, options));
    fails(() => verifyWebhook(generateWebhookSecret(), headers(), BODY, options));
    fails(() => verifyWebhook(SECRET, headers({ 'webhook-signature': 'v1,' }), BODY, options));
    fails(() => verifyWebhook(SECRET, headers({ 'webhook-signature': SIGNATURE.slice(0, 10) }), BODY, options));
    fails(() => verifyWebhook(SECRET, headers({ 'webhook-signature': SIGNATURE.replace('v1,', 'v1a,') }), BODY, options));
  });

  test('missing headers and malformed timestamps fail', () => {
    for (const name of ['webhook-id', 'webhook-timestamp', 'webhook-signature']) {
      assert.throws(() => verifyWebhook(SECRET, headers({ [name]: undefined }), BODY, options), /Missing/);
    }
    assert.throws(() => verifyWebhook(SECRET, headers({ 'webhook-timestamp': 'hello' }), BODY, options), /timestamp/);
  });

  test('timestamps outside the tolerance fail either way (replays, clock skew)', () => {
    assert.throws(() => verifyWebhook(SECRET, headers(), BODY, { toleranceSeconds: 300, nowSeconds: TIMESTAMP + 301 }), /too far/);
    assert.throws(() => verifyWebhook(SECRET, headers(), BODY, { toleranceSeconds: 300, nowSeconds: TIMESTAMP - 301 }), /too far/);
    assert.ok(verifyWebhook(SECRET, headers(), BODY, { toleranceSeconds: 300, nowSeconds: TIMESTAMP + 300 }));
  });

  test('generated secrets are whsec_ with 32 random bytes, each different', () => {
    const a = generateWebhookSecret();
    const b = generateWebhookSecret();
    assert.ok(isWellFormedSecret(a), a);
    assert.notEqual(a, b);
    assert.equal(Buffer.from(a.slice('whsec_'.length), 'base64').length, 32);
    assert.equal(isWellFormedSecret('whsec_c2hvcnQ='), false, 'too short');
    assert.equal(isWellFormedSecret('plain-text-secret-of-some-length'), false);
  });
});
