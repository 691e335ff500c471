/**
 * Affinity for warm sessions over the real node API: a node naming the task it
 * holds open (`warmTaskIds`) keeps getting that task's frames among tasks of
 * equal rank, a higher level or priority frames still win, and an older task
 * that nobody renders is not starved by it.
 */
import assert from 'node:assert/strict';
import { FrameStatus } from '@openfarm/protocol';
import { after, before, describe, test } from 'node:test';
import {
  frameRows,
  type NodeClient,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
} from './scheduler-support.js';

type Held = { frameId: number; epoch: number; job: { taskId: number } };

/** One poll of a one-slot node naming `warm`; its leased frame, held (running) until completed. */
async function lease(node: NodeClient, warm: number[]): Promise<Held | undefined> {
  const r = await node.call<{ leases: Held[] }>('/api/openfarm/workers/poll', {
    running: [],
    freeSlots: 1,
    waitMs: 0,
    warmTaskIds: warm,
  });
  assert.equal(r.code, 200);
  return r.data.leases[0];
}

/** Lease a frame and complete it at once; its task, or undefined when nothing was leased. */
async function take(node: NodeClient, warm: number[]): Promise<number | undefined> {
  const l = await lease(node, warm);
  if (l === undefined) return undefined;
  assert.equal((await node.complete(l)).code, 200);
  return l.job.taskId;
}

/**
 * A one-slot node as the agent runs it: it renders one frame at a time (the frame stays running
 * while other nodes poll), and names the task of its last frame as warm.
 */
class WarmNode {
  held: Held | undefined;
  warm: number[] = [];
  readonly tasks: number[] = [];
  constructor(readonly node: NodeClient) {}
  /** Finish the frame in hand, then ask for the next. */
  async step(): Promise<void> {
    if (this.held !== undefined) {
      assert.equal((await this.node.complete(this.held)).code, 200);
      this.warm = [this.held.job.taskId];
    }
    this.held = await lease(this.node, this.warm);
    if (this.held !== undefined) this.tasks.push(this.held.job.taskId);
  }
}

async function drain(node: NodeClient): Promise<void> {
  while ((await take(node, [])) !== undefined);
}

async function everyFrameDoneOnce(f: SchedulerFarm, tasks: number[]): Promise<void> {
  for (const t of tasks) {
    const rows = await frameRows(f, t);
    assert.ok(rows.length > 0);
    for (const r of rows) {
      assert.equal(r.state, FrameStatus.DONE, `task ${t} frame ${r.frame_index}`);
      assert.equal(Number(r.attempt), 1, `task ${t} frame ${r.frame_index} leased once`);
    }
  }
}

describe('scheduler affinity (warm sessions)', () => {
  let f: SchedulerFarm;
  before(async () => {
    f = await startSchedulerFarm({ leaseTtlMs: 5000, reapIntervalMs: 100, maxPollMs: 300 });
  });
  after(() => f.close());

  test('two nodes each keep their warm task while both have frames; a third task is still leased', async () => {
    const a = await submitTask(f.user, { frames: '1-6[1]' });
    const b = await submitTask(f.user, { frames: '1-6[1]' });
    const n1 = new WarmNode(await f.node('aff-1'));
    const n2 = new WarmNode(await f.node('aff-2'));
    // Without a warm task both nodes start on the older task A (submit order)…
    await n1.step();
    await n2.step();
    assert.deepEqual([n1.tasks, n2.tasks], [[a], [a]]);
    // …then n2 says it holds B open (it rendered B before): it keeps B although A is older and
    // still has frames (A has a node: n1), and n1 keeps A.
    n2.warm = [b];
    n2.held = undefined;
    const ref = (await frameRows(f, a)).find(
      (r) => r.state === FrameStatus.RUNNING && r.lease_owner === 'aff-2',
    )!;
    assert.equal((await n2.node.complete({ frameId: ref.id, epoch: Number(ref.lease_epoch) })).code, 200);
    for (let i = 0; i < 3; i++) {
      await n1.step();
      await n2.step();
    }
    assert.deepEqual(n1.tasks, [a, a, a, a]);
    assert.deepEqual(n2.tasks, [a, b, b, b], 'the warm task wins over an older one that has a node');
    // A third task of the same level, submitted while A and B have frames, is still leased: when A
    // runs out, n1 takes the oldest task left (B, which n2 renders, then C) and every frame ends.
    const c = await submitTask(f.user, { frames: '1-3[1]' });
    for (let i = 0; i < 6; i++) {
      await n1.step();
      await n2.step();
    }
    assert.deepEqual(n1.tasks, [a, a, a, a, a, b, c, c]);
    assert.deepEqual(n2.tasks, [a, b, b, b, b, b, c], 'n2 stayed on B to its end');
    assert.equal(n1.held, undefined);
    assert.equal(n2.held, undefined);
    await everyFrameDoneOnce(f, [a, b, c]);
  });

  test('an older task that no node renders is leased before the warm one (no starvation)', async () => {
    const n1 = await f.node('aff-old-1');
    const n2 = await f.node('aff-old-2');
    const old = await submitTask(f.user, { frames: '1-3[1]' });
    const warm2 = await submitTask(f.user, { frames: '1-5[1]' });
    const warm1 = await submitTask(f.user, { frames: '1-5[1]' });
    // n1 is warm on warm1 and n2 on warm2; `old` is older than both and nobody renders it: the
    // first node to poll takes it despite its warm task. Once `old` has a node, the other keeps
    // its warm task. (Had warm1 been older than warm2, n2 would take warm1 next: nobody renders it.)
    const held = (await lease(n1, [warm1]))!;
    assert.equal(held.job.taskId, old, 'the unattended older task first');
    assert.equal(await take(n2, [warm2]), warm2, 'old has a node now: n2 keeps its warm task');
    assert.equal((await n1.complete(held)).code, 200);
    // n1 is now warm on `old`, which it keeps to the end.
    assert.equal(await take(n1, [old]), old);
    assert.equal(await take(n1, [old]), old);
    assert.equal(await take(n1, [old]), warm2, 'old is done: the oldest task left, in submit order');
    await drain(n1);
    await everyFrameDoneOnce(f, [old, warm1, warm2]);
  });

  test('affinity never crosses priority: a higher level, then priority frames, win over a warm task', async () => {
    const n = await f.node('aff-prio');
    const low = await submitTask(f.user, { frames: '1-4[1]' });
    assert.equal(await take(n, [low]), low);
    const high = await submitTask(f.user, { frames: '1-1[1]', taskUserLevel: 80 });
    assert.equal(await take(n, [low]), high, 'a higher level wins over the warm task');
    // A test frame (pre_frames, type 4) of a younger task of the same level is leased before the warm task.
    const tested = await submitTask(f.user, { frames: '1-3[1]', preFrames: '100', stopAfterTest: '2' });
    assert.equal(await take(n, [low]), tested, 'priority frames first');
    assert.equal(await take(n, [low]), low, 'then the warm task again');
    await drain(n);
    await everyFrameDoneOnce(f, [low, high, tested]);
  });
});
