/**
 * The scheduler's caches when another server changes a task. With several
 * servers on one database, one learns of changes made through the others from
 * their events, which arrive through the PostgreSQL bridge
 * (EventBus.deliverLocal, as the bridge calls it); a task another server
 * finished must lose what this one cached about it (its spec, inputs,
 * "already started"), so a re-render is marked rendering again by whichever
 * server leases it. When the bridge was down (events.signalGap), changes went
 * by unannounced and every cache is read afresh. Here "another server"
 * finishes and re-renders a task straight in the database, and its events are
 * delivered as the bridge would, or lost and the gap signalled.
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

describe('scheduler caches and changes made through another server', () => {
  let f: SchedulerFarm;
  let node: NodeClient;
  before(async () => {
    f = await startSchedulerFarm({ reapIntervalMs: 60_000, maxPollMs: 200 });
    node = await f.node('other-server-node');
  });
  after(() => f.close());

  /** A one-frame task leased here and marked rendering; the lease's epoch. */
  async function leasedTask(): Promise<{ taskId: number; epoch: number }> {
    const taskId = await submitTask(f.user, { frames: '1-1[1]' });
    const [first] = (await node.poll()).leases;
    assert.equal(first?.job.taskId, taskId);
    assert.equal(await taskStatus(f, taskId), TaskStatus.RENDERING);
    return { taskId, epoch: first.epoch };
  }

  /** Another server's change to the task and its frame, straight in the database. */
  async function changeElsewhere(
    taskId: number,
    frame: { state: number; lease_epoch?: number },
    status: number,
  ): Promise<void> {
    await f.db
      .updateTable('frames')
      .set({ ...frame, lease_owner: null, lease_expires_at: null })
      .where('task_id', '=', taskId)
      .execute();
    await f.db.updateTable('tasks').set({ status }).where('id', '=', taskId).execute();
  }

  async function assertRenderingAgain(taskId: number): Promise<void> {
    const [again] = (await node.poll()).leases;
    assert.equal(again?.job.taskId, taskId);
    assert.equal(
      await taskStatus(f, taskId),
      TaskStatus.RENDERING,
      'the re-rendered task is rendering again, not left waiting by a stale "started" mark',
    );
  }

  test('a task finished and re-rendered through another server, events delivered, is started again on its next lease here', async () => {
    const { taskId, epoch } = await leasedTask();
    const events = f.farm.server.farm.events;
    await changeElsewhere(taskId, { state: FrameStatus.DONE }, TaskStatus.FINISHED);
    events.deliverLocal({ userId: f.userId, type: 'task', taskId, status: TaskStatus.FINISHED });
    // Then a re-render through that server: the frame waits again under a new epoch.
    await changeElsewhere(taskId, { state: FrameStatus.WAITING, lease_epoch: epoch + 1 }, TaskStatus.WAITING);
    events.deliverLocal({ userId: f.userId, type: 'task', taskId, status: TaskStatus.WAITING });
    await assertRenderingAgain(taskId);
  });

  test('a task finished and re-rendered elsewhere unannounced (an event gap) is started again on its next lease', async () => {
    const { taskId, epoch } = await leasedTask();
    // Another server finished it and then re-rendered its frame; their events never arrived.
    await changeElsewhere(taskId, { state: FrameStatus.WAITING, lease_epoch: epoch + 1 }, TaskStatus.WAITING);
    f.farm.server.farm.events.signalGap();
    await assertRenderingAgain(taskId);
  });
});
