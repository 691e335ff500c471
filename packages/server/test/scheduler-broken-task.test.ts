/**
 * A task whose render spec cannot be built (here: task.json names no scene
 * file) used to be skipped by every poll of every node, its error swallowed,
 * and waited forever. It must fail: task status failed, its frames failed,
 * the reason in its task info and in each frame's render log. Real server,
 * real node API; runs on SQLite and, in the PostgreSQL pass, on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import {
  type NodeClient,
  type SchedulerFarm,
  startSchedulerFarm,
  submitTask,
  waitFor,
} from './scheduler-support.js';

describe('a task that cannot be rendered', () => {
  let f: SchedulerFarm;
  let node: NodeClient;
  before(async () => {
    f = await startSchedulerFarm({ maxPollMs: 200 });
    node = await f.node('broken-task-node');
  });
  after(() => f.close());

  async function submitBroken(frames: string, scenes: string[]): Promise<number> {
    const { taskIdList } = await f.user.data<{ taskIdList: number[] }>('/api/render/submit/createTask', {
      count: 1,
      taskUserLevel: 80,
    });
    const taskId = taskIdList[0]!;
    const taskJson = {
      // No input_cg_file: the farm cannot say which file to render.
      task_info: { task_id: String(taskId), cg_id: '2007', platform: '2' },
      software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
      scene_info: { common: { frames, scene_name: scenes, camera_name: 'Camera' } },
    };
    await f.user.data('/api/render/submit/taskJsonFile', {
      taskId,
      fileName: 'task.json',
      content: JSON.stringify(taskJson),
    });
    await f.user.data('/api/render/submit/task', { taskId });
    return taskId;
  }

  test('fails with the reason in its info and every frame log; polls go on to the next task', async () => {
    const broken = await submitBroken('1-5[1]', ['Scene']);
    const good = await submitTask(f.user, { frames: '1-1[1]', taskUserLevel: 50 });

    // The node's poll loop: the broken task (higher priority) must not hold up the good one.
    const leased: number[] = [];
    await waitFor(
      'the broken task failed and the good one leased',
      async () => {
        const { leases } = await node.poll([], 1, 100);
        for (const l of leases) {
          leased.push(l.job.taskId);
          assert.equal((await node.complete(l)).code, 200);
        }
        const [info] = (await f.user.api('query.taskInfo', { taskIds: [broken] })).items;
        return info?.taskStatus === TaskStatus.FAILED && leased.includes(good);
      },
      20_000,
    );
    assert.ok(!leased.includes(broken), 'no frame of the broken task was leased');

    const [info] = (await f.user.api('query.taskInfo', { taskIds: [broken] })).items;
    assert.equal(info?.taskStatus, TaskStatus.FAILED);
    const reason = String((info as { failReason?: unknown }).failReason);
    assert.match(reason, /input_cg_file/, 'task info says why');
    assert.equal(info?.failedFrames, 5);

    const frames = await f.user.api('query.taskFrames', { taskId: broken, pageNum: 1, pageSize: 10 });
    assert.equal(frames.items.length, 5);
    for (const frame of frames.items) {
      assert.equal(frame.frameStatus, FrameStatus.FAILED);
      const log = await f.user.api('query.getRenderLog', { id: frame.id, pageNum: 1, pageSize: 10 });
      assert.equal(log.items.length, 1);
      assert.match(String(log.items[0]), /input_cg_file/, 'the frame log says why');
    }
    // It stays failed: later polls neither lease nor reopen it.
    assert.deepEqual((await node.poll([], 1, 0)).leases, []);
    const [again] = (await f.user.api('query.taskInfo', { taskIds: [broken] })).items;
    assert.equal(again?.taskStatus, TaskStatus.FAILED);
  });

  test('a broken multi-scene task fails each layer and the parent', async () => {
    const parent = await submitBroken('1-3[1]', ['A', 'B']);
    await waitFor(
      'the parent failed',
      async () => {
        await node.poll([], 1, 100);
        const [info] = (await f.user.api('query.taskInfo', { taskIds: [parent] })).items;
        return info?.taskStatus === TaskStatus.FAILED;
      },
      20_000,
    );
    const [info] = (await f.user.api('query.taskInfo', { taskIds: [parent] })).items;
    assert.equal(info?.respRenderingTaskList?.length, 2);
    for (const child of info?.respRenderingTaskList ?? []) {
      assert.equal(child.taskStatus, TaskStatus.FAILED);
      assert.match(String((child as { failReason?: unknown }).failReason), /input_cg_file/);
    }
    assert.match(String((info as { failReason?: unknown }).failReason), /input_cg_file/);
    assert.equal(info?.failedFrames, 6);
  });
});
