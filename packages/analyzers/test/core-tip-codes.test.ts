import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tipCodeEntry } from '@openfarm/protocol';
import { TIP_CODES } from '../src/index.js';

test('every code an analyzer writes has a description in the server’s tips-code table', () => {
  const values = Object.entries(TIP_CODES);
  assert.ok(values.length >= 8);
  for (const [name, code] of values) {
    const entry = tipCodeEntry(code);
    assert.ok(entry, `TIP_CODES.${name} = ${code} is not in TIP_CODE_TABLE`);
    assert.equal(entry.code, code);
  }
  // Missing files and version mismatches warn; they never block a submission on their own.
  for (const code of [TIP_CODES.mayaMissingFile, TIP_CODES.houdiniMissingFile, TIP_CODES.versionMismatch])
    assert.equal(tipCodeEntry(code)?.type, 0, code);
});
