import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { knownTipCode, TIP_CODE_TABLE, tipCodeEntry } from '../src/index.js';

describe('tips-code table', () => {
  test('each code once, as digits, with a severity and text in both languages', () => {
    const codes = TIP_CODE_TABLE.map((t) => t.code);
    // A repeated code would make queryAnalyseErrorDetail's id (position + 1) disagree with the entry it answers.
    assert.equal(new Set(codes).size, codes.length);
    for (const t of TIP_CODE_TABLE) {
      assert.match(t.code, /^\d+$/);
      assert.ok(t.type === 0 || t.type === 1, t.code);
      assert.ok(t.en.length > 0 && t.zh.length > 0, t.code);
      // A solution is given in both languages or in neither.
      assert.equal(t.solutionEn === '', t.solutionZh === '', t.code);
    }
  });

  test('lookups by text or number; the Houdini check range is filled in', () => {
    assert.equal(tipCodeEntry('46000')?.type, 1);
    assert.equal(tipCodeEntry(15013)?.type, 0);
    assert.equal(tipCodeEntry('123456'), undefined);
    for (const code of [50002, 50016, 50104, 50110]) assert.ok(tipCodeEntry(code), String(code));
    assert.equal(tipCodeEntry(50017), undefined);
  });

  test('knownTipCode gives the text a tips.json holds, and refuses codes without a description', () => {
    assert.equal(knownTipCode(25009), '25009');
    assert.throws(() => knownTipCode(12345), /12345 is not in TIP_CODE_TABLE/);
  });

  test('the table cannot be changed at run time', () => {
    assert.ok(Object.isFrozen(TIP_CODE_TABLE));
    assert.ok(Object.isFrozen(TIP_CODE_TABLE[0]));
  });
});
