/** The render-node wire contract: what a node sends parses, with the defaults both ends rely on; bad bodies are refused. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  nodeFailBody,
  nodePollAnswer,
  nodePollBody,
  nodeRegisterAnswer,
  nodeRegisterBody,
  nodeUploadQuery,
} from '../src/index.js';

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

test('answers: a poll answer with a lease parses; unknown fields are dropped; a lease without its epoch is refused', () => {
  const job = {
    taskId: 5,
    taskJson: { task_info: { task_id: '5' } },
    layer: 'Scene',
    scenePath: '/D/proj/shot.blend',
    inputs: [{ serverPath: '/D/proj/shot.blend', sha256: 'b'.repeat(64), size: 10 }],
    missingInputs: [],
    outputFolder: '5_shot',
  };
  const lease = {
    frameId: 9,
    epoch: 1,
    attempt: 1,
    leaseExpiresAt: 1_700_000_000_000,
    frameIndex: '1',
    frameNumbers: [1],
    frameType: 5,
    job,
  };
  const a = nodePollAnswer.parse({ leases: [{ ...lease, newerField: true }], cancel: [3], disabled: false });
  assert.deepEqual(a.leases[0], lease);
  assert.deepEqual(a.cancel, [3]);
  const { epoch: _, ...noEpoch } = lease;
  assert.equal(nodePollAnswer.safeParse({ leases: [noEpoch], cancel: [], disabled: false }).success, false);
  assert.equal(
    nodePollAnswer.safeParse({
      leases: [{ ...lease, job: { ...job, inputs: [{ serverPath: '/x', sha256: 'nothex', size: 1 }] } }],
      cancel: [],
      disabled: false,
    }).success,
    false,
  );
  const r = nodeRegisterAnswer.parse({
    workerId: 1,
    name: 'n1',
    disabled: false,
    leaseTtlMs: 60_000,
    maxPollMs: 25_000,
  });
  assert.equal(r.name, 'n1');
  assert.equal(nodeRegisterAnswer.safeParse({ workerId: 1, name: 'n1', disabled: false }).success, false);
});
