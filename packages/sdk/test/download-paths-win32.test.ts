/**
 * Where a download puts a farm file on a Windows workstation, run here under
 * `path.win32`: the same function the download engine calls
 * (serverPathToLocal), with drive-letter and UNC roots.
 */
import assert from 'node:assert/strict';
import { win32 } from 'node:path';
import { test } from 'node:test';
import { serverPathToLocal } from '@openfarm/protocol';

test('farm files land under a drive-letter or UNC download folder, with backslashes', () => {
  assert.equal(
    serverPathToLocal('/10_shot/beauty.0001.exr', 'C:\\Users\\ann\\renders', win32),
    'C:\\Users\\ann\\renders\\10_shot\\beauty.0001.exr',
  );
  assert.equal(
    serverPathToLocal('/10_shot/passes/z.0001.exr', '\\\\nas\\projects\\renders\\', win32),
    '\\\\nas\\projects\\renders\\10_shot\\passes\\z.0001.exr',
  );
  assert.equal(serverPathToLocal('/', 'D:\\out', win32), 'D:\\out');
});

test('a farm path cannot leave the download folder on Windows', () => {
  for (const bad of ['/../x.png', '/a/../../x.png', '/a\\..\\..\\x.png', '/D:/Windows/x.dll', '/D:x.dll']) {
    assert.throws(() => serverPathToLocal(bad, 'C:\\renders', win32), Error, bad);
  }
});
