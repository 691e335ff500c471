/** The render-node wire contract: what a node sends parses, with the defaults both ends rely on; bad bodies are refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nodeFailBody, nodePollBody, nodeRegisterBody, nodeUploadQuery } from '../src/index.js';

test('a minimal registration gets the defaults; a node with 0 slots is refused', () => {
  const r = nodeRegisterBody.parse({ os: 'linux', cores: 2, ramMb: 4096, slots: 1, renderers: [] });
  assert.deepEqual([r.gpus, r.platform, r.hardwareConfigIds, r.agentVersion], [0, null, [], '']);
  assert.equal(
    nodeRegisterBody.safeParse({ os: 'linux', cores: 2, ramMb: 1, slots: 0, renderers: [] }).success,
    false,
  );
});

test('poll, fail and upload bodies: bounds and types', () => {
  assert.deepEqual(nodePollBody.parse({ freeSlots: 1 }).running, []);
  assert.equal(nodePollBody.safeParse({ freeSlots: 1, running: [{ frameId: 0, epoch: 0 }] }).success, false);
  assert.equal(nodeFailBody.safeParse({ frameId: 1, epoch: 0, error: 'x'.repeat(16_385) }).success, false);
  const q = nodeUploadQuery.parse({ frameId: '7', epoch: '1', sha256: 'a'.repeat(64), size: '12' });
  assert.deepEqual([q.frameId, q.epoch, q.size], [7, 1, 12]);
  assert.equal(
    nodeUploadQuery.safeParse({ frameId: '-1', epoch: '1', sha256: 'a', size: '1' }).success,
    false,
  );
});
