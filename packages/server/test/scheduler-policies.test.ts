/**
 * Scheduling policies over the real node API: retries then failure, the
 * per-task blocklist, stop_after_test with full speed, per-frame and task
 * timeouts, and a multi-scene .blend rendered as child tasks.
 */
import assert from 'node:assert/strict';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { after, before, describe, test } from 'node:test';
import {
  frameRows,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
  taskStatus,
  waitFor,
} from './scheduler-support.js';

describe('scheduler policies', () => {
  let f: SchedulerFarm;
  before(async () => {
    f = await startSchedulerFarm({ leaseTtlMs: 3000, reapIntervalMs: 100, maxPollMs: 300, maxRetries: 2 });
  });
  after(() => f.close());

  test('a failing frame is retried up to the limit, then failed; the task ends 30', async () => {
    const taskId = await submitTask(f.user, { frames: '1-2[1]' });
    const nodes = [await f.node('retry-a'), await f.node('retry-b'), await f.node('retry-c')];
    // Frame 1 fails on every node (3 runs = 1 + maxRetries 2); frame 2 renders.
    let runs = 0;
    for (let i = 0; i < 10 && (await taskStatus(f, taskId)) !== TaskStatus.FINISHED_WITH_FAILURES; i++) {
      const node = nodes[i % 3]!;
      const l = (await node.poll()).leases[0];
      if (l === undefined) continue;
      if (l.frameNumbers[0] === 1) {
        runs++;
        assert.equal(l.attempt, runs);
        assert.equal((await node.fail(l, `boom ${runs}`)).code, 200);
      } else assert.equal((await node.complete(l)).code, 200);
    }
    assert.equal(runs, 3);
    const rows = await frameRows(f, taskId);
    assert.equal(rows[0]!.state, FrameStatus.FAILED);
    assert.equal(rows[0]!.last_error, 'boom 3');
    assert.equal(rows[1]!.state, FrameStatus.DONE);
    assert.equal(await taskStatus(f, taskId), TaskStatus.FINISHED_WITH_FAILURES);
  });

  test('a node that fails 3 frames of a task is kept off it; other nodes still get it', async () => {
    const taskId = await submitTask(f.user, { frames: '1-6[1]' });
    const bad = await f.node('block-bad');
    for (let i = 0; i < 3; i++) {
      const l = (await bad.poll()).leases[0]!;
      assert.equal(l.job.taskId, taskId);
      await bad.fail(l);
    }
    assert.equal((await bad.poll()).leases.length, 0, 'blocklisted');
    const other = await f.node('block-good');
    const seen = new Set<number>();
    for (let l = (await other.poll()).leases[0]; l !== undefined; l = (await other.poll()).leases[0]) {
      seen.add(l.frameNumbers[0]!);
      await other.complete(l);
    }
    // Frame 1 went back to the queue after each failure and, being first, came
    // back to the bad node until its 3 runs (1 + maxRetries 2) were used up.
    assert.deepEqual([...seen].sort(), [2, 3, 4, 5, 6]);
    assert.equal((await frameRows(f, taskId))[0]!.state, FrameStatus.FAILED);
    assert.equal(await taskStatus(f, taskId), TaskStatus.FINISHED_WITH_FAILURES);
    // The blocklist is per task: the bad node still gets a new task.
    const next = await submitTask(f.user, { frames: '1-1[1]' });
    const l = (await bad.poll()).leases[0]!;
    assert.equal(l.job.taskId, next);
    await bad.complete(l);
  });

  test('stop_after_test: the priority frame renders, the task pauses at 40 until full speed', async () => {
    const taskId = await submitTask(f.user, { frames: '1-4[1]', preFrames: '100', stopAfterTest: '1' });
    const a = await f.node('test-a');
    const first = (await a.poll()).leases[0]!;
    assert.deepEqual(first.frameNumbers, [1]);
    assert.equal((await a.poll()).leases.length, 0, 'main frames are held while the test frame renders');
    await a.complete(first);
    assert.equal(await taskStatus(f, taskId), TaskStatus.TEST_DONE);
    assert.equal((await a.poll()).leases.length, 0, 'paused after the test frame');
    await f.user.data('/api/render/handle/fullSpeedRendering', { taskIds: [taskId] });
    const rest: number[] = [];
    for (let l = (await a.poll()).leases[0]; l !== undefined; l = (await a.poll()).leases[0]) {
      rest.push(...l.frameNumbers);
      await a.complete(l);
    }
    assert.deepEqual(rest, [2, 3, 4]);
    assert.equal(await taskStatus(f, taskId), TaskStatus.FINISHED);
  });

  test('job_stop_time: a frame running too long is timed out (11) and its node told to cancel', async () => {
    const taskId = await submitTask(f.user, { frames: '1-1[1]', jobStopTime: 1 });
    const a = await f.node('timeout-a');
    const l = (await a.poll()).leases[0]!;
    await waitFor(
      'frame timed out',
      async () => (await frameRows(f, taskId))[0]!.state === FrameStatus.TIMED_OUT,
    );
    assert.deepEqual((await a.poll([l], 0)).cancel, [l.frameId]);
    assert.equal((await a.complete(l)).code, 7006);
    assert.equal(await taskStatus(f, taskId), TaskStatus.FAILED);
  });

  test('task_stop_time: a task running too long is stopped by timeout (23)', async () => {
    const taskId = await submitTask(f.user, { frames: '1-3[1]', taskStopTime: 1 });
    const a = await f.node('task-timeout-a');
    const l = (await a.poll()).leases[0]!;
    await waitFor(
      'task stopped by timeout',
      async () => (await taskStatus(f, taskId)) === TaskStatus.STOPPED_TIMEOUT,
    );
    assert.deepEqual((await a.poll([l], 0)).cancel, [l.frameId]);
    const rows = await frameRows(f, taskId);
    assert.ok(rows.every((r) => r.state === FrameStatus.STOPPED));
  });

  test('timeouts of 30 days (more than 2^31 ms) neither fire early nor stop the short ones firing', async () => {
    // Seconds × 1000 past 2^31 overflows a 32-bit integer: on PostgreSQL that
    // is an error, which would fail every reaper pass while such a task runs.
    const month = 30 * 24 * 3600;
    const long = await submitTask(f.user, { frames: '1-1[1]', jobStopTime: month, taskStopTime: month });
    const a = await f.node('long-timeout-a');
    const held = (await a.poll()).leases[0]!;
    assert.equal(held.job.taskId, long);
    // a stays alive (its polls renew the lease) while the short timeouts run out.
    const alive = async (): Promise<void> =>
      assert.deepEqual((await a.poll([held], 0)).cancel, [], 'the 30-day frame keeps its lease');

    const frameLimited = await submitTask(f.user, { frames: '1-1[1]', jobStopTime: 1 });
    const b = await f.node('long-timeout-b');
    assert.equal((await b.poll()).leases[0]!.job.taskId, frameLimited);
    await waitFor('short frame timed out', async () => {
      await alive();
      return (await frameRows(f, frameLimited))[0]!.state === FrameStatus.TIMED_OUT;
    });

    const taskLimited = await submitTask(f.user, { frames: '1-1[1]', taskStopTime: 1 });
    const c = await f.node('long-timeout-c');
    assert.equal((await c.poll()).leases[0]!.job.taskId, taskLimited);
    await waitFor('short task stopped by timeout', async () => {
      await alive();
      return (await taskStatus(f, taskLimited)) === TaskStatus.STOPPED_TIMEOUT;
    });

    await alive();
    assert.equal((await a.complete(held)).code, 200);
    assert.equal(await taskStatus(f, long), TaskStatus.FINISHED);
  });

  test('a .blend with 2 scenes renders as 2 child tasks, each leased with its scene', async () => {
    const parent = await submitTask(f.user, { frames: '1-2[1]', scenes: ['Main', 'Alt'] });
    const children = await f.db
      .selectFrom('tasks')
      .select(['id', 'layer_name', 'output_file_name'])
      .where('parent_id', '=', parent)
      .orderBy('id')
      .execute();
    assert.deepEqual(
      children.map((c) => c.layer_name),
      ['Main', 'Alt'],
    );
    const a = await f.node('layers-a');
    const seen: string[] = [];
    for (let l = (await a.poll()).leases[0]; l !== undefined; l = (await a.poll()).leases[0]) {
      seen.push(`${l.job.layer}:${l.frameNumbers[0]}:${l.job.outputFolder}`);
      await a.complete(l);
    }
    assert.deepEqual(seen.sort(), [
      `Alt:1:${children[1]!.id}_shot`,
      `Alt:2:${children[1]!.id}_shot`,
      `Main:1:${children[0]!.id}_shot`,
      `Main:2:${children[0]!.id}_shot`,
    ]);
    assert.equal(await taskStatus(f, parent), TaskStatus.FINISHED);
  });
});
