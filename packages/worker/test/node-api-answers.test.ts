/**
 * The node parses the farm's answers with the wire contract's schemas
 * (@openfarm/protocol node-wire.ts): a well-formed answer is taken as is, one
 * that does not match is refused with a NodeApiError naming the field, instead
 * of a half-read lease failing later inside a render.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { NodeApi, NodeApiError } from '../src/agent/node-api.js';

let server: Server;
let answer: unknown;
let url = '';

before(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ code: 200, message: 'success', data: answer }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

const lease = {
  frameId: 9,
  epoch: 2,
  attempt: 1,
  leaseExpiresAt: 1_700_000_000_000,
  frameIndex: '3',
  frameNumbers: [3],
  frameType: 5,
  job: {
    taskId: 5,
    taskJson: { task_info: { task_id: '5' } },
    layer: 'Scene',
    scenePath: '/D/proj/shot.blend',
    inputs: [{ serverPath: '/D/proj/shot.blend', sha256: 'c'.repeat(64), size: 10 }],
    missingInputs: [],
    outputFolder: '5_shot',
  },
};

test('a poll answer that matches the contract is taken; fields the node does not know are dropped', async () => {
  answer = { leases: [{ ...lease, fromANewerFarm: 1 }], cancel: [4], disabled: false };
  const a = await new NodeApi(url, 'token').poll([], 1, 0);
  assert.deepEqual(a, { leases: [lease], cancel: [4], disabled: false });
});

test('a poll or registration answer that does not match is refused, naming the field', async () => {
  const { epoch: _, ...noEpoch } = lease;
  answer = { leases: [noEpoch], cancel: [], disabled: false };
  await assert.rejects(new NodeApi(url, 'token').poll([], 1, 0), (err: unknown) => {
    assert.ok(err instanceof NodeApiError);
    assert.match(err.message, /does not match this node's contract \(leases\.0\.epoch/);
    return true;
  });
  answer = { workerId: 1, name: 'n1', disabled: false };
  await assert.rejects(
    new NodeApi(url, 'token').register({
      os: 'linux',
      cores: 1,
      ramMb: 1,
      gpus: 0,
      slots: 1,
      platform: null,
      renderers: [],
      hardwareConfigIds: [],
      agentVersion: '',
    }),
    /does not match this node's contract \(leaseTtlMs/,
  );
});
