/**
 * Invariants under churn, not speed: 5000 no-op frames, 8 node loops that are
 * killed at random (their leases abandoned mid-frame, some of their reports
 * arriving late, as from a node that froze and woke up). Every frame must be
 * done exactly once, and the task counters the API reports must equal the rows.
 */
import assert from 'node:assert/strict';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { after, before, test } from 'node:test';
import { createWorker, type Lease, nodeOf, recordRegistration, type SchedulerNode } from '@openfarm/server';
import { type SchedulerFarm, startSchedulerFarm, submitTask, taskStatus } from './scheduler-support.js';

const TASKS = 10;
const FRAMES_PER_TASK = 500;
const LOOPS = 8;

let f: SchedulerFarm;
before(async () => {
  f = await startSchedulerFarm({ leaseTtlMs: 250, reapIntervalMs: 40, maxPollMs: 50 });
});
after(() => f.close());

/** A deterministic pseudo-random sequence, so a failure can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('5000 frames, 8 node loops with random kills: each frame done exactly once', async () => {
  const taskIds: number[] = [];
  for (let i = 0; i < TASKS; i++)
    taskIds.push(await submitTask(f.user, { frames: `1-${FRAMES_PER_TASK}[1]` }));
  const nodes: SchedulerNode[] = [];
  for (let i = 0; i < LOOPS; i++) {
    const w = await createWorker(f.db, `stress-${i}`);
    await recordRegistration(f.db, w.id, {
      os: 'linux',
      cores: 1,
      ramMb: 1024,
      gpus: 0,
      slots: 1,
      platform: null,
      renderers: [{ cgName: 'Blender', version: '3.4.1' }],
      hardwareConfigIds: [],
      agentVersion: 'stress',
    });
    const row = await f.db.selectFrom('workers').selectAll().where('id', '=', w.id).executeTakeFirstOrThrow();
    nodes.push(nodeOf(row));
  }
  const accepted = new Map<number, number>();
  let kills = 0;
  let lateRefused = 0;
  let lateAccepted = 0;
  const late: Array<Promise<void>> = [];
  const total = TASKS * FRAMES_PER_TASK;
  const doneCount = () => [...accepted.values()].reduce((a, b) => a + b, 0);

  const loop = async (node: SchedulerNode, seed: number): Promise<void> => {
    const random = rng(seed);
    let idle = 0;
    while (doneCount() < total && idle < 400) {
      const { leases } = await f.scheduler.poll(node, { running: [], freeSlots: 2, waitMs: 20 });
      if (leases.length === 0) {
        idle++;
        continue;
      }
      idle = 0;
      if (random() < 0.02) {
        // Killed mid-frame: these leases are abandoned; half the time the
        // frozen node's report arrives much later.
        kills++;
        for (const l of leases) {
          if (random() < 0.5) late.push(lateReport(node, l, 100 + random() * 400));
        }
        continue;
      }
      for (const l of leases) {
        if (await f.scheduler.complete(node, l)) accepted.set(l.frameId, (accepted.get(l.frameId) ?? 0) + 1);
      }
    }
  };
  const lateReport = async (node: SchedulerNode, l: Lease, ms: number): Promise<void> => {
    await new Promise((r) => setTimeout(r, ms));
    if (await f.scheduler.complete(node, l)) {
      lateAccepted++;
      accepted.set(l.frameId, (accepted.get(l.frameId) ?? 0) + 1);
    } else lateRefused++;
  };

  await Promise.all(nodes.map((n, i) => loop(n, i + 1)));
  await Promise.all(late);

  assert.ok(kills > 10, `the run had kills (${kills})`);
  assert.ok(lateRefused > 0, 'some late reports came after the frame was re-leased, and were refused');
  const duplicates = [...accepted.entries()].filter(([, n]) => n !== 1);
  assert.deepEqual(duplicates, [], 'no frame was completed twice');
  assert.equal(accepted.size, total, 'every frame completed');

  const rows = await f.db
    .selectFrom('frames')
    .select(['task_id', 'state', (eb) => eb.fn.countAll<number>().as('n')])
    .where('task_id', 'in', taskIds)
    .groupBy(['task_id', 'state'])
    .execute();
  assert.ok(rows.every((r) => r.state === FrameStatus.DONE && Number(r.n) === FRAMES_PER_TASK));
  for (const id of taskIds) assert.equal(await taskStatus(f, id), TaskStatus.FINISHED);

  const info = await f.user.data<{ items: Array<{ id: number; totalFrames: number; doneFrames: number }> }>(
    '/api/render/handle/queryTaskInfo/v2',
    { taskIds },
  );
  for (const t of info.items) {
    assert.equal(t.totalFrames, FRAMES_PER_TASK, `task ${t.id} total`);
    assert.equal(t.doneFrames, FRAMES_PER_TASK, `task ${t.id} done`);
  }
  console.log(
    `stress: ${total} frames, ${kills} kills, late reports accepted ${lateAccepted}, refused ${lateRefused}`,
  );
});
