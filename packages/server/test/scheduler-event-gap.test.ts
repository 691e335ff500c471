/**
 * The scheduler's caches after an event gap. With several servers, one learns
 * of changes made through the others from their events; when its bridge was
 * down (events.signalGap), changes went by unannounced, so what it cached about
 * tasks (spec, input list, "already started") may be stale and must be read
 * afresh. Here "another server" finishes and re-renders a task straight in the
 * database, without events, and the gap is then signalled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import {
  type NodeClient,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
  taskStatus,
} from './scheduler-support.js';

describe('scheduler after an event gap', () => {
  let f: SchedulerFarm;
  let node: NodeClient;
  before(async () => {
    f = await startSchedulerFarm({ reapIntervalMs: 60_000, maxPollMs: 200 });
    node = await f.node('gap-node');
  });
  after(() => f.close());

  test('a task finished and re-rendered elsewhere unannounced is started again on its next lease', async () => {
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const [first] = (await node.poll()).leases;
    assert.equal(first?.job.taskId, taskId);
    assert.equal(await taskStatus(f, taskId), TaskStatus.RENDERING);

    // Another server finished it and then re-rendered its frame; their events never arrived.
    await f.db
      .updateTable('frames')
      .set({
        state: FrameStatus.WAITING,
        lease_owner: null,
        lease_expires_at: null,
        lease_epoch: first.epoch + 1,
      })
      .where('task_id', '=', taskId)
      .execute();
    await f.db.updateTable('tasks').set({ status: TaskStatus.WAITING }).where('id', '=', taskId).execute();
    f.farm.server.farm.events.signalGap();

    const [again] = (await node.poll()).leases;
    assert.equal(again?.job.taskId, taskId);
    assert.equal(
      await taskStatus(f, taskId),
      TaskStatus.RENDERING,
      'the re-rendered task is rendering again',
    );
  });
});
