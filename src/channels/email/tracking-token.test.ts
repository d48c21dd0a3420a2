import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isTrackableUrl, signClickToken, signOpenToken, trackingKey, verifyClickToken, verifyOpenToken } from './tracking-token.js';

const key = trackingKey('a-test-secret-of-at-least-thirty-two-characters');
const otherKey = trackingKey('another-secret-of-at-least-thirty-two-characters');
const id = '0b0f4b3e-8a2d-4f5e-9c1a-2b3c4d5e6f70';

test('an open token verifies to its email and is URL-safe', () => {
  const token = signOpenToken(key, id);
  assert.match(token, /^[A-Za-z0-9_-]+$/);
  assert.equal(verifyOpenToken(key, token), id);
});

test('an open token signed with another key, altered or cut is rejected', () => {
  const token = signOpenToken(key, id);
  assert.equal(verifyOpenToken(otherKey, token), undefined);
  const bytes = Buffer.from(token, 'base64url');
  bytes[3] = (bytes[3] ?? 0) ^ 1; // another email id, same MAC
  assert.equal(verifyOpenToken(key, bytes.toString('base64url')), undefined);
  assert.equal(verifyOpenToken(key, token.slice(0, -2)), undefined);
  assert.equal(verifyOpenToken(key, `${token}AA`), undefined);
  assert.equal(verifyOpenToken(key, 'not a token!'), undefined);
  assert.equal(verifyOpenToken(key, ''), undefined);
});

test('a click token carries its URL, and only that URL', () => {
  const url = 'https://example.com/book?utm=email&x=1';
  const token = signClickToken(key, id, url);
  assert.deepEqual(verifyClickToken(key, token), { messageId: id, url });

  // Splicing another destination under the same MAC (an open redirect attempt) fails.
  const bytes = Buffer.from(token, 'base64url');
  const forged = Buffer.concat([bytes.subarray(0, 32), Buffer.from('https://evil.example/phish')]).toString('base64url');
  assert.equal(verifyClickToken(key, forged), undefined);
  assert.equal(verifyClickToken(otherKey, token), undefined);
});

test('a click token redirects to the normalised URL: no control characters reach the Location header', () => {
  const token = signClickToken(key, id, 'https://example.com/a\r\nSet-Cookie: x=1');
  const click = verifyClickToken(key, token);
  assert.ok(click);
  assert.doesNotMatch(click.url, /[\r\n ]/);
  assert.equal(click.url, 'https://example.com/aSet-Cookie:%20x=1');
});

test('open and click tokens are not interchangeable', () => {
  const open = signOpenToken(key, id);
  assert.equal(verifyClickToken(key, open), undefined);
  const click = signClickToken(key, id, 'https://example.com/');
  assert.equal(verifyOpenToken(key, click), undefined);
});

test('only absolute http(s) URLs without credentials are tracked', () => {
  assert.equal(isTrackableUrl('https://example.com/a'), true);
  assert.equal(isTrackableUrl('http://example.com'), true);
  assert.equal(isTrackableUrl('javascript:alert(1)'), false);
  assert.equal(isTrackableUrl('mailto:a@example.com'), false);
  assert.equal(isTrackableUrl('//evil.example'), false);
  assert.equal(isTrackableUrl('https://user:pass@example.com'), false);
  assert.equal(isTrackableUrl(`https://example.com/${'a'.repeat(2100)}`), false);
  assert.throws(() => signClickToken(key, id, 'javascript:alert(1)'));
});

test('the key depends on the secret', () => {
  assert.notDeepEqual(key, otherKey);
  assert.equal(key.length, 32);
});
