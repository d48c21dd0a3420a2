import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Actor } from './actor.js';
import { ActorCache } from './actor-cache.js';

const actor = (userId: string): Actor => ({ userId, role: 'agent', email: `${userId}@test.local`, fullName: userId, via: 'session' });

test('an entry lives for its time to live, then is looked up again', () => {
  let now = 0;
  const cache = new ActorCache(1000, 10, () => now);
  cache.set('h1', actor('u1'));
  now = 999;
  assert.equal(cache.get('h1')?.userId, 'u1');
  now = 1000;
  assert.equal(cache.get('h1'), undefined);
  assert.equal(cache.size, 0);
});

test('past its bound the oldest entry goes first', () => {
  const cache = new ActorCache(60_000, 2);
  cache.set('h1', actor('u1'));
  cache.set('h2', actor('u2'));
  cache.set('h3', actor('u3'));
  assert.equal(cache.get('h1'), undefined);
  assert.equal(cache.get('h2')?.userId, 'u2');
  assert.equal(cache.get('h3')?.userId, 'u3');
});

test("forgetting a user drops every credential of theirs and nobody else's", () => {
  const cache = new ActorCache();
  cache.set('session-a', actor('u1'));
  cache.set('key-b', actor('u1'));
  cache.set('session-c', actor('u2'));
  cache.forgetUser('u1');
  assert.equal(cache.get('session-a'), undefined);
  assert.equal(cache.get('key-b'), undefined);
  assert.equal(cache.get('session-c')?.userId, 'u2');
  cache.forget('session-c');
  assert.equal(cache.size, 0);
});

test('a remembered actor cannot be changed by a request that holds it', () => {
  const cache = new ActorCache();
  cache.set('h1', actor('u1'));
  const held = cache.get('h1') as Actor;
  assert.throws(() => {
    (held as { role: string }).role = 'admin';
  }, TypeError);
});
