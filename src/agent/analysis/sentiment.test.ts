import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sentimentOf } from './sentiment.js';

const label = (text: string) => sentimentOf(text).label;

test('plain positive and negative prospect speech', () => {
  assert.equal(label('this is perfect we love it'), 'positive');
  assert.equal(label('sounds good send it over'), 'positive');
  assert.equal(label('im really frustrated with how slow our current system is'), 'negative');
  assert.equal(label('thats way too expensive for us'), 'negative');
  assert.equal(label('i want to cancel'), 'negative');
});

test('negation flips: "not interested" is negative, "not bad" faintly positive', () => {
  assert.equal(label('not interested'), 'negative');
  assert.equal(label('we are not interested at all'), 'negative');
  assert.equal(label('its not bad actually'), 'positive');
  assert.ok(sentimentOf('its not bad actually').score < sentimentOf('its good actually').score, 'not bad is weaker than good');
  assert.equal(label('i dont think its a good fit'), 'negative');
  assert.equal(label('its not that expensive'), 'positive');
  assert.equal(label('no problem at all'), 'positive');
  assert.equal(label('no thanks'), 'negative');
});

test('"no" reaches only the next word: "no i love it" is positive', () => {
  assert.equal(label('no i love it'), 'positive');
});

test('intensifiers strengthen and softeners weaken', () => {
  const plain = sentimentOf('it is expensive').score;
  assert.ok(sentimentOf('it is way too expensive').score < plain);
  assert.ok(sentimentOf('it is a bit expensive').score > plain);
  assert.ok(sentimentOf('i really love it').score > sentimentOf('i love it').score);
});

test('what follows "but" weighs more', () => {
  assert.equal(label('its a bit pricey but i love it'), 'positive');
  assert.equal(label('i love the idea but its too expensive'), 'negative');
});

test('works the same on lowercase unpunctuated speech and on typed chat', () => {
  assert.deepEqual(sentimentOf("Honestly? It's NOT bad, I'd say."), sentimentOf('honestly its not bad id say'));
  assert.deepEqual(sentimentOf("We don't need it."), sentimentOf('we dont need it'));
  assert.equal(label('we dont need it'), 'negative');
});

test('"like" as a filler is not sentiment, as a verb it is', () => {
  assert.equal(sentimentOf('we are like fifty people').score, 0);
  assert.equal(label('i would like a demo'), 'positive');
  assert.equal(label('i dont like it'), 'negative');
});

test('sales words: a competitor, opting out, buying signals', () => {
  assert.equal(label('we are already talking to a competitor'), 'negative');
  assert.equal(label('please stop calling me'), 'negative');
  assert.equal(label('can we get started this week'), 'positive');
});

test('facts without feeling are neutral, score 0', () => {
  assert.deepEqual(sentimentOf('my email is jane at acme dot com'), { score: 0, label: 'neutral' });
  assert.deepEqual(sentimentOf(''), { score: 0, label: 'neutral' });
});

test('scores stay within -1..1 and have three decimals', () => {
  for (const text of ['love love love perfect amazing excellent best', 'terrible awful horrible scam worst hate', 'fine']) {
    const { score } = sentimentOf(text);
    assert.ok(score > -1 && score < 1, text);
    assert.equal(Math.round(score * 1000) / 1000, score);
  }
});
