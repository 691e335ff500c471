/**
 * The overtime stop is enforced, not only stored: a frame running longer than
 * its task's `setTaskOverTimeStop` — or, for a task without one, the account's
 * `taskOverTimeSec` — is timed out (11), its node is told to kill the render,
 * and its last_error and render log (showLog) say which limit stopped it.
 * Over the real node API of a real farm.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { frameLimit } from '../src/scheduler/sql/time-out-frames.js';
import {
  frameRows,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
  taskStatus,
  waitFor,
} from './scheduler-support.js';

describe('overtime stop', () => {
  let f: SchedulerFarm;
  before(async () => {
    f = await startSchedulerFarm({ leaseTtlMs: 30_000, reapIntervalMs: 100, maxPollMs: 300 });
  });
  after(() => f.close());

  async function lastLogLine(frameId: number): Promise<string> {
    const page = await f.user.data<{ total: number; items: string[] }>('/api/render/handle/showLog', {
      id: frameId,
      pageNum: 1,
      pageSize: 1000,
    });
    return page.items.at(-1) ?? '';
  }

  test('setTaskOverTimeStop: a frame running longer is timed out, its node cancels it, status and log say why', async () => {
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const node = await f.node('overtime-a');
    const lease = (await node.poll()).leases[0]!;
    assert.equal(lease.job.taskId, taskId);
    const logged = await node.call('/api/openfarm/workers/frames/log', {
      frameId: lease.frameId,
      epoch: lease.epoch,
      lines: ['Fra:1 Mem:10M | Rendering 1 / 64 samples'],
    });
    assert.equal(logged.code, 200);
    // Set while the frame runs, with the id as the reference client may send it.
    await f.user.data('/api/render/handle/setTaskOverTimeStop', { taskIds: [String(taskId)], overTime: 1 });
    await waitFor(
      'frame timed out',
      async () => (await frameRows(f, taskId))[0]!.state === FrameStatus.TIMED_OUT,
    );
    assert.deepEqual((await node.poll([lease], 0)).cancel, [lease.frameId]);
    assert.equal((await node.complete(lease)).code, 7006, 'the late result of the stopped run is refused');
    const row = (await frameRows(f, taskId))[0]!;
    assert.match(row.last_error ?? '', /longer than 1 s, the task's overtime stop \(setTaskOverTimeStop\)/);
    assert.match(
      await lastLogLine(lease.frameId),
      /^\[openfarm\] frame ran longer than 1 s, the task's overtime stop/,
    );
    assert.equal(await taskStatus(f, taskId), TaskStatus.FAILED);
  });

  test("the account's taskOverTimeSec stops frames of tasks without their own overtime stop", async () => {
    await f.user.data('/api/render/setUp/updateUserSetting', { taskOverTimeSec: 1 });
    try {
      const own = await submitTask(f.user, { frames: '1-1[1]' });
      await f.user.data('/api/render/handle/setTaskOverTimeStop', { taskIds: [own], overTime: 3600 });
      const plain = await submitTask(f.user, { frames: '1-1[1]' });
      const a = await f.node('overtime-b');
      const b = await f.node('overtime-c');
      const leases = [(await a.poll()).leases[0]!, (await b.poll()).leases[0]!];
      const ownLease = leases.find((l) => l.job.taskId === own)!;
      const plainLease = leases.find((l) => l.job.taskId === plain)!;
      const ownNode = ownLease === leases[0] ? a : b;
      await waitFor(
        'frame timed out',
        async () => (await frameRows(f, plain))[0]!.state === FrameStatus.TIMED_OUT,
      );
      assert.match(
        (await frameRows(f, plain))[0]!.last_error ?? '',
        /the account's overtime setting \(taskOverTimeSec\)/,
      );
      assert.match(await lastLogLine(plainLease.frameId), /account's overtime setting/);
      // The task's own (longer) overtime stop wins over the account's: that frame still runs.
      assert.deepEqual((await ownNode.poll([ownLease], 0)).cancel, []);
      assert.equal((await frameRows(f, own))[0]!.state, FrameStatus.RUNNING);
      assert.equal((await ownNode.complete(ownLease)).code, 200);
      assert.equal(await taskStatus(f, own), TaskStatus.FINISHED);
    } finally {
      await f.user.data('/api/render/setUp/updateUserSetting', { taskOverTimeSec: 43200 });
    }
  });

  test('limits of weeks (seconds · 1000 past 32 bits) are judged, and the reaper pass goes on', async () => {
    await f.user.data('/api/render/setUp/updateUserSetting', { taskOverTimeSec: 0 });
    try {
      const weeks = 3_000_000;
      const taskId = await submitTask(f.user, { frames: '1-1[1]', jobStopTime: weeks });
      const node = await f.node('overtime-weeks');
      const lease = (await node.poll()).leases[0]!;
      assert.equal(lease.job.taskId, taskId);
      const startedAt = async (msAgo: number) =>
        f.db
          .updateTable('frames')
          .set({ started_at: Date.now() - msAgo })
          .where('id', '=', lease.frameId)
          .execute();
      await startedAt((weeks - 60) * 1000);
      await f.scheduler.reap();
      assert.equal((await frameRows(f, taskId))[0]!.state, FrameStatus.RUNNING, 'within its limit');
      await startedAt((weeks + 60) * 1000);
      await f.scheduler.reap();
      const row = (await frameRows(f, taskId))[0]!;
      assert.equal(row.state, FrameStatus.TIMED_OUT);
      assert.match(
        row.last_error ?? '',
        /longer than 3000000 s, the task's per-frame limit \(job_stop_time\)/,
      );
    } finally {
      await f.user.data('/api/render/setUp/updateUserSetting', { taskOverTimeSec: 43200 });
    }
  });

  test('the tightest limit applies; 0 is no limit', () => {
    assert.equal(frameLimit({ jobStopTime: 0, overTimeStop: 0, userOverTime: 0 }), undefined);
    assert.equal(frameLimit({ jobStopTime: 100, overTimeStop: 0, userOverTime: 50 })?.seconds, 50);
    assert.equal(frameLimit({ jobStopTime: 100, overTimeStop: 200, userOverTime: 50 })?.seconds, 100);
    assert.match(
      frameLimit({ jobStopTime: 0, overTimeStop: 20, userOverTime: 5 })!.reason,
      /setTaskOverTimeStop/,
    );
  });
});
