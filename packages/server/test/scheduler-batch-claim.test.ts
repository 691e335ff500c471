/**
 * A node asking for several frames (freeSlots > 1) gets them from one claim
 * statement: in the task's lease order, each under its own fenced lease, never
 * a frame another node holds, spilling over to the next task when one runs out;
 * and completions arriving together settle the task once, correctly.
 */
import assert from 'node:assert/strict';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { after, before, describe, test } from 'node:test';
import {
  frameRows,
  type NodeClient,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
  taskStatus,
  type WireLease,
} from './scheduler-support.js';

describe('batch claim', () => {
  let f: SchedulerFarm;
  before(async () => {
    f = await startSchedulerFarm({ leaseTtlMs: 5000, reapIntervalMs: 100, maxPollMs: 300 });
  });
  after(() => f.close());

  test('nodes asking for 4 frames at once each get 4 different frames; none leased twice or skipped', async () => {
    // On PostgreSQL these polls run side by side on the pool's connections: SKIP LOCKED must send
    // each batch past the frames another batch holds, and no batch may come back short while
    // frames wait.
    const NODES = 6;
    const SLOTS = 4;
    const ROUNDS = 3;
    const taskId = await submitTask(f.user, { frames: `1-${NODES * SLOTS * ROUNDS}[1]` });
    const nodes: NodeClient[] = [];
    for (let i = 0; i < NODES; i++) nodes.push(await f.node(`batch-${i}`));
    const leased = new Set<number>();
    for (let round = 0; round < ROUNDS; round++) {
      const answers = await Promise.all(nodes.map((n) => n.poll([], SLOTS, 0)));
      const rows = await frameRows(f, taskId);
      const held: Array<{ node: NodeClient; lease: WireLease }> = [];
      answers.forEach((a, i) => {
        const node = nodes[i]!;
        assert.equal(a.leases.length, SLOTS, `round ${round}: ${node.name} got ${SLOTS} frames`);
        // One node's frames come in the task's order.
        const numbers = a.leases.map((l) => l.frameNumbers[0]!);
        assert.deepEqual(
          numbers,
          [...numbers].sort((x, y) => x - y),
        );
        for (const lease of a.leases) {
          assert.ok(!leased.has(lease.frameId), `frame ${lease.frameId} leased once`);
          leased.add(lease.frameId);
          const row = rows.find((r) => r.id === lease.frameId)!;
          assert.equal(row.state, FrameStatus.RUNNING);
          assert.equal(row.lease_owner, node.name);
          assert.equal(Number(row.lease_epoch), lease.epoch);
          assert.equal(lease.epoch, 1);
          assert.equal(lease.attempt, 1);
          held.push({ node, lease });
        }
      });
      // Every completion at once: the task's status passes coalesce and must still end right.
      const done = await Promise.all(held.map(({ node, lease }) => node.complete(lease)));
      assert.deepEqual(
        done.map((d) => d.code),
        held.map(() => 200),
      );
    }
    assert.equal(leased.size, NODES * SLOTS * ROUNDS);
    const rows = await frameRows(f, taskId);
    assert.ok(rows.every((r) => r.state === FrameStatus.DONE && Number(r.attempt) === 1));
    assert.equal(await taskStatus(f, taskId), TaskStatus.FINISHED);
  });

  test('a batch spills over to the next task; a stale epoch from a batch is refused', async () => {
    const first = await submitTask(f.user, { frames: '1-2[1]' });
    const second = await submitTask(f.user, { frames: '1-5[1]' });
    const node = await f.node('batch-spill');
    const { leases } = await node.poll([], 4, 0);
    assert.deepEqual(
      leases.map((l) => [l.job.taskId, l.frameNumbers[0]]),
      [
        [first, 1],
        [first, 2],
        [second, 1],
        [second, 2],
      ],
    );
    // Each lease of the batch is fenced on its own: a wrong epoch for one is refused, the right one taken.
    const l = leases[0]!;
    assert.equal((await node.complete({ frameId: l.frameId, epoch: l.epoch + 1 })).code, 7006);
    const done = await Promise.all(leases.map((x) => node.complete(x)));
    assert.deepEqual(
      done.map((d) => d.code),
      [200, 200, 200, 200],
    );
    assert.equal(await taskStatus(f, first), TaskStatus.FINISHED);
    assert.equal(await taskStatus(f, second), TaskStatus.RENDERING);
    const rest = await node.poll([], 8, 0);
    assert.deepEqual(
      rest.leases.map((x) => x.frameNumbers[0]),
      [3, 4, 5],
    );
    await Promise.all(rest.leases.map((x) => node.complete(x)));
    assert.equal(await taskStatus(f, second), TaskStatus.FINISHED);
  });
});
