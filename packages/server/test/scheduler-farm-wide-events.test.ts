/**
 * The scheduler's caches when another server changes a task and says so. With
 * several servers on one database, the others' task events arrive through the
 * PostgreSQL bridge (EventBus.deliverLocal, as the bridge calls it); a task
 * another server finished must lose what this one cached about it (its spec,
 * inputs, "already started"), so a re-render is marked rendering again by
 * whichever server leases it. Here "another server" finishes and re-renders a
 * task straight in the database and its events are delivered as the bridge
 * would. (scheduler-event-gap covers the same caches when the events were lost.)
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

describe('scheduler caches and task events of another server', () => {
  let f: SchedulerFarm;
  let node: NodeClient;
  before(async () => {
    f = await startSchedulerFarm({ reapIntervalMs: 60_000, maxPollMs: 200 });
    node = await f.node('farm-wide-node');
  });
  after(() => f.close());

  test('a task finished and re-rendered through another server is started again on its next lease here', async () => {
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const [first] = (await node.poll()).leases;
    assert.equal(first?.job.taskId, taskId);
    assert.equal(await taskStatus(f, taskId), TaskStatus.RENDERING);
    const events = f.farm.server.farm.events;

    // Another server completed the frame and settled the task: its event comes over the bridge.
    await f.db
      .updateTable('frames')
      .set({ state: FrameStatus.DONE, lease_owner: null, lease_expires_at: null })
      .where('task_id', '=', taskId)
      .execute();
    await f.db.updateTable('tasks').set({ status: TaskStatus.FINISHED }).where('id', '=', taskId).execute();
    events.deliverLocal({ userId: f.userId, type: 'task', taskId, status: TaskStatus.FINISHED });

    // Then a re-render through that server: the frame waits again under a new epoch.
    await f.db
      .updateTable('frames')
      .set({ state: FrameStatus.WAITING, lease_epoch: first.epoch + 1 })
      .where('task_id', '=', taskId)
      .execute();
    await f.db.updateTable('tasks').set({ status: TaskStatus.WAITING }).where('id', '=', taskId).execute();
    events.deliverLocal({ userId: f.userId, type: 'task', taskId, status: TaskStatus.WAITING });

    const [again] = (await node.poll()).leases;
    assert.equal(again?.job.taskId, taskId);
    assert.equal(
      await taskStatus(f, taskId),
      TaskStatus.RENDERING,
      'the re-rendered task is rendering again, not left waiting by a stale "started" mark',
    );
  });
});
