/**
 * `openfarm workers drain NAME` against a running farm: the node's frame in progress
 * is renewed and finished as usual, no new frame is leased to it, `--wait` returns
 * once it holds none (or fails after `--timeout`), and `workers enable` puts it back
 * to work. Runs on the data directory's SQLite (the command's SQL is the same on
 * PostgreSQL, covered by workers-command's disable test).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import {
  type NodeClient,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
} from '../../server/test/scheduler-support.js';
import { runInProcess as runCli } from './cli-runner.js';

let f: SchedulerFarm;

before(async () => {
  const saved = process.env.OPENFARM_TEST_POSTGRES_URL;
  delete process.env.OPENFARM_TEST_POSTGRES_URL;
  try {
    f = await startSchedulerFarm();
  } finally {
    if (saved !== undefined) process.env.OPENFARM_TEST_POSTGRES_URL = saved;
  }
});
after(() => f?.close());

const drain = (name: string, ...args: string[]) =>
  runCli(['workers', 'drain', name, ...args, '--data', f.farm.dataDir]);

async function leaseOne(node: NodeClient) {
  const answer = await node.poll([], 1, 0);
  assert.equal(answer.leases.length, 1);
  return answer.leases[0] as { frameId: number; epoch: number };
}

test('drain: the frame in progress finishes, no new one is leased, --wait returns when the node is idle', async () => {
  const node = await f.node('drain-a');
  await submitTask(f.user, { frames: '1-4[1]' });
  const lease = await leaseOne(node);

  const waiting = drain('drain-a', '--wait');
  // Once the command has switched the node (it runs alongside in this process), the farm leases
  // nothing more to it, and the running frame's lease is still renewed.
  for (;;) {
    const row = await f.db
      .selectFrom('workers')
      .select('disabled')
      .where('name', '=', 'drain-a')
      .executeTakeFirst();
    if (row?.disabled === 1) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  for (let i = 0; i < 3; i++) {
    const answer = await node.poll([lease], 1, 0);
    assert.deepEqual(answer.cancel, [], 'the frame in progress is not taken back');
    assert.deepEqual(answer.leases, [], 'a draining node gets no new frame');
  }
  assert.equal((await node.complete(lease)).code, 200);
  const r = await waiting;
  assert.equal(r.status, 0, r.stderr);
  assert.match(
    r.stdout,
    /render node drain-a is draining: it takes no new frames; 1 frame\(s\) still rendering/,
  );
  assert.match(r.stdout, /render node drain-a is drained: no frame left/);
  assert.deepEqual((await node.poll([], 1, 0)).leases, []);

  // Another node takes the remaining frames meanwhile; enable puts the drained one back to work.
  const enabled = await runCli(['workers', 'enable', 'drain-a', '--data', f.farm.dataDir]);
  assert.equal(enabled.status, 0, enabled.stderr);
  await leaseOne(node);
});

test('drain --wait --timeout: fails while the node still renders, and the node stays drained', async () => {
  const node = await f.node('drain-b');
  await submitTask(f.user, { frames: '1-2[1]' });
  const lease = await leaseOne(node);
  const r = await drain('drain-b', '--wait', '--timeout', '1500ms');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /render node drain-b still renders 1 frame\(s\); it stays drained/);
  const answer = await node.poll([lease], 1, 0);
  assert.deepEqual([answer.leases, answer.cancel], [[], []]);
  const unknown = await drain('no-such-node');
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no render node named "no-such-node"/);
});
