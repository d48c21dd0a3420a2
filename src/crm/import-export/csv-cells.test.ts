import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { escapeFormula, parseCell, parseNumber, toCsvCell, unescapeFormula } from './csv-cells.js';

describe('CSV cells', () => {
  test('escapes what a spreadsheet would run as a formula, and nothing else', () => {
    for (const evil of ['=HYPERLINK("http://x","y")', '+cmd|/C calc!A0', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1']) {
      assert.equal(escapeFormula(evil), `'${evil}`);
      assert.equal(unescapeFormula(escapeFormula(evil)), evil);
    }
    for (const plain of ['Ann', '+14155550123', '+1 (415) 555-0123', '-12.5', "'Tis", 'a=b']) {
      assert.equal(escapeFormula(plain), plain);
      assert.equal(unescapeFormula(plain), plain);
    }
  });

  test('exports lists as "a; b", objects as JSON and nothing as an empty cell', () => {
    assert.equal(toCsvCell(['a', 'b']), 'a; b');
    assert.equal(toCsvCell([]), '');
    assert.equal(toCsvCell(null), '');
    assert.equal(toCsvCell({ k: 1 }), '{"k":1}');
    assert.equal(toCsvCell(12.5), '12.5');
    assert.equal(toCsvCell(false), 'false');
    assert.equal(toCsvCell('=1+1'), "'=1+1");
  });

  test('reads numbers as people write them', () => {
    assert.equal(parseNumber('1,200.50'), 1200.5);
    assert.equal(parseNumber('$ 1,200'), 1200);
    assert.equal(parseNumber('€300'), 300);
    assert.equal(parseNumber('-5'), -5);
    assert.equal(parseNumber('1.200,50'), undefined);
    assert.equal(parseNumber('12,00'), undefined);
    assert.equal(parseNumber('abc'), undefined);
  });

  test('reads an exported cell back to the value it came from', () => {
    assert.deepEqual(parseCell("'=1+1", { type: 'text' }), { value: '=1+1' });
    assert.deepEqual(parseCell('a; b', { type: 'list' }), { value: ['a', 'b'] });
    assert.deepEqual(parseCell('{"k":1}', { type: 'json' }), { value: { k: 1 } });
    assert.deepEqual(parseCell('[1]', { type: 'json' }), { error: 'must be a JSON object' });
    assert.equal(parseCell('   ', { type: 'number' }), undefined);
  });
});
