/** The README documents every endpoint path (current and legacy) and every command. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { ENDPOINT_LIST } from '@openfarm/protocol';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

test('every catalogue path appears in the README', () => {
  const missing = ENDPOINT_LIST.flatMap((e) => [e.path, ...e.legacyPaths]).filter(
    (p) => !readme.includes(`\`${p}\``),
  );
  assert.deepEqual(missing, []);
});

test('every command is documented', () => {
  for (const command of [
    'openfarm server',
    'users add',
    'users list',
    'users rotate-key',
    'users disable',
    'hardware list',
    'hardware add',
    'hardware disable',
  ]) {
    assert.ok(readme.includes(command), command);
  }
});
