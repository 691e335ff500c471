import assert from 'node:assert/strict';
import { test } from 'node:test';
import { warmKey, warmKeyTaskId } from '../src/agent/warm-pool.js';

test("a warm session's key gives back its task id, whatever its layer or renderer path holds", () => {
  assert.equal(warmKeyTaskId(warmKey(42, 'RenderLayer|2', '/opt/blender 3.4/blender', 2)), 42);
  assert.equal(warmKeyTaskId(warmKey(7, '', 'C:\\Blender\\blender.exe', 1)), 7);
  assert.notEqual(warmKey(1, 'a', 'b', 1), warmKey(1, 'a', 'b', 2));
  for (const key of ['', 'x|y', '0|a|b|1', '-3|a|b|1', '1.5|a|b|1', 'nokey'])
    assert.equal(warmKeyTaskId(key), undefined);
});
