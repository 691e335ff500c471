/** Task lifecycle over real HTTP: create, job files, submit with frame expansion, every task and frame action. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, FrameType, type TaskInfo, TaskStatus } from '@openfarm/protocol';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';
import { blenderTaskJson, mayaTaskJson } from './support/task-json.js';

type FrameRow = {
  id: number;
  taskId: number;
  frameIndex: string;
  frameStatus: number;
  frameType?: number | null;
  recommitFlag?: number | null;
};

describe('tasks and frames', () => {
  let farm: TestFarm;
  let alice: Client;

  before(async () => {
    farm = await startTestFarm();
    alice = new Client(farm, await farm.addUser('alice'));
  });
  after(() => farm.close());

  async function info(id: number): Promise<TaskInfo> {
    const page = await alice.api('query.taskInfo', { taskIds: [id] });
    assert.equal(page.items.length, 1);
    return page.items[0]!;
  }

  async function frames(taskId: number): Promise<FrameRow[]> {
    const page = await alice.api('query.taskFrames', { taskId, pageNum: 1, pageSize: 1000 });
    return page.items as FrameRow[];
  }

  /** The counters of a task must equal what its frames say. */
  async function assertCountersMatchFrames(id: number): Promise<TaskInfo> {
    const t = await info(id);
    const fs = await frames(id);
    const count = (states: number[]) => fs.filter((f) => states.includes(f.frameStatus)).length;
    assert.equal(t.totalFrames, fs.length);
    assert.equal(t.doneFrames, count([FrameStatus.DONE]));
    assert.equal(t.failedFrames, count([FrameStatus.FAILED, FrameStatus.TIMED_OUT]));
    assert.equal(t.executingFrames, count([FrameStatus.RUNNING]));
    assert.equal(t.abortFrames, count([FrameStatus.STOPPED]));
    return t;
  }

  async function newTask(json: (id: number) => unknown): Promise<number> {
    const created = await alice.api('task.createTask', { count: 1, taskUserLevel: 50 });
    const id = created.taskIdList[0]!;
    await alice.api('transmit.uploadJsonContent', {
      taskId: id,
      fileName: 'task.json',
      content: JSON.stringify(json(id)),
    });
    return id;
  }

  test('createTask allocates consecutive ids with platform aliases and records labels and artist', async () => {
    const created = await alice.api('task.createTask', {
      count: 3,
      taskUserLevel: 60,
      labels: ['lookdev'],
      artist: 'ann',
    });
    assert.equal(created.taskIdList.length, 3);
    const [a, b, c] = created.taskIdList as [number, number, number];
    assert.deepEqual([b - a, c - b], [1, 1]);
    assert.deepEqual(
      created.aliasTaskIdList,
      created.taskIdList.map((id) => `2W${id}`),
    );
    const t = await info(a);
    assert.equal(t.taskUserLevel, 60);
    assert.equal(t.taskStatus, TaskStatus.WAITING);
    assert.equal(t.submitDate, null);
    const labels = await farm.server.farm.store.db
      .selectFrom('task_labels')
      .select(['task_id', 'label'])
      .execute();
    assert.deepEqual(
      labels.filter((l) => created.taskIdList.includes(l.task_id)).map((l) => l.label),
      ['lookdev', 'lookdev', 'lookdev'],
    );
    const gpu = await alice.api('task.createTask', { count: 1, taskUserLevel: 50 }, { platform: '21' });
    assert.match(gpu.aliasTaskIdList[0]!, /^21G\d+$/);
    const unknownPlatform = await alice.callEndpoint(
      'task.createTask',
      { count: 1, taskUserLevel: 50 },
      { platform: '99' },
    );
    assert.equal(unknownPlatform.envelope.code, 600);
  });

  test('submit refuses a task without task.json (601 naming it) and a broken task.json (600 naming the field)', async () => {
    const { taskIdList } = await alice.api('task.createTask', { count: 1, taskUserLevel: 50 });
    const id = taskIdList[0]!;
    const missing = await alice.callEndpoint('task.submitTask', { taskId: id });
    assert.equal(missing.envelope.code, 601);
    assert.match(missing.envelope.message, /task\.json/);
    const bad = mayaTaskJson(id, { frames_per_task: 'three' });
    await alice.api('transmit.uploadJsonContent', {
      taskId: id,
      fileName: 'task.json',
      content: JSON.stringify(bad),
    });
    const invalid = await alice.callEndpoint('task.submitTask', { taskId: id });
    assert.equal(invalid.envelope.code, 600);
    assert.match(invalid.envelope.message, /task\.json\.task_info\.frames_per_task/);
    const badRange = mayaTaskJson(id);
    badRange.scene_info_render.beauty.common.frames = '10-1[1]';
    await alice.api('transmit.uploadJsonContent', {
      taskId: id,
      fileName: 'task.json',
      content: JSON.stringify(badRange),
    });
    const range = await alice.callEndpoint('task.submitTask', { taskId: id });
    assert.equal(range.envelope.code, 600);
    assert.match(range.envelope.message, /scene_info_render\[beauty\]\.frames/);
    assert.equal((await frames(id)).length, 0, 'a refused submit creates no frames');
    assert.equal((await info(id)).submitDate, null);
  });

  test('a layered Maya scene becomes child tasks; priority frames first, the rest chunked and held', async () => {
    const id = await newTask((i) => mayaTaskJson(i));
    await alice.api('task.submitTask', { taskId: id, producer: 'prod' });
    const t = await assertCountersMatchFrames(id);
    assert.equal(t.isOpen, 1);
    assert.equal(t.sceneName, 'shot010.ma');
    assert.equal(t.producer, 'prod');
    assert.equal(t.outputFileName, `${id}_shot010`);
    const kids = t.respRenderingTaskList ?? [];
    assert.deepEqual(
      kids.map((k) => [k.layerName, k.framesRange, k.totalFrames, k.layerParentId]),
      [
        ['beauty', '1-10[1]', 4, id],
        ['shadow', '1-4[1]', 2, id],
      ],
    );
    assert.equal(t.totalFrames, 6);
    assert.match(kids[0]!.taskAlias ?? '', new RegExp(`^2W${kids[0]!.id}$`));
    assert.equal(kids[0]!.outputFileName, `${kids[0]!.id}_shot010`);
    const beauty = await frames(kids[0]!.id);
    assert.deepEqual(
      beauty.map((f) => [f.frameIndex, f.frameType, f.frameStatus]),
      [
        ['1', FrameType.PRIORITY, FrameStatus.WAITING],
        ['2-4[1]', FrameType.MAIN, FrameStatus.WAITING_PRIORITY],
        ['5-7[1]', FrameType.MAIN, FrameStatus.WAITING_PRIORITY],
        ['8-10[1]', FrameType.MAIN, FrameStatus.WAITING_PRIORITY],
      ],
    );
    assert.equal((await frames(id)).length, 6, "the parent pages over its children's frames");
    const again = await alice.callEndpoint('task.submitTask', { taskId: id });
    assert.equal(again.envelope.code, 7008);

    // fullSpeed releases the held main frames.
    assert.equal(await alice.api('task.fullSpeed', { taskIds: [id] }), 'success');
    assert.ok((await frames(id)).every((f) => f.frameStatus === FrameStatus.WAITING));
    await assertCountersMatchFrames(id);
  });

  test('concurrent submits of one task create its frames once', async () => {
    const id = await newTask((i) => blenderTaskJson(i));
    const results = await Promise.all(
      [1, 2, 3].map(() => alice.callEndpoint('task.submitTask', { taskId: id })),
    );
    assert.deepEqual(results.map((r) => r.envelope.code).sort(), [200, 7008, 7008]);
    assert.equal((await frames(id)).length, 3);
  });

  test('a single-scene Blender task renders in the task itself, one frame per unit', async () => {
    const id = await newTask((i) => blenderTaskJson(i));
    await alice.api('task.submitTask', { taskId: id });
    const t = await assertCountersMatchFrames(id);
    assert.equal(t.isOpen, 0);
    assert.equal(t.layerName, 'Scene');
    assert.deepEqual(
      (await frames(id)).map((f) => [f.frameIndex, f.frameStatus]),
      [
        ['1', FrameStatus.WAITING],
        ['3', FrameStatus.WAITING],
        ['5', FrameStatus.WAITING],
      ],
    );
  });

  test('stop, start, stop frames, re-render frames and failed frames move real rows', async () => {
    const id = await newTask((i) => blenderTaskJson(i, { frames_per_task: '1' }));
    await alice.api('task.submitTask', { taskId: id });
    const db = farm.server.farm.store.db;
    const [first] = await frames(id);
    // A worker holds the first frame (as the scheduler would record it).
    await db
      .updateTable('frames')
      .set({ state: FrameStatus.RUNNING, lease_owner: 'node-1', lease_epoch: 7 })
      .where('id', '=', first!.id)
      .execute();

    await alice.api('task.stopTask', { taskIds: [id] });
    let t = await assertCountersMatchFrames(id);
    assert.equal(t.taskStatus, TaskStatus.STOPPED);
    assert.equal(t.abortFrames, 3);
    const held = await db
      .selectFrom('frames')
      .select(['lease_owner', 'lease_epoch'])
      .where('id', '=', first!.id)
      .executeTakeFirstOrThrow();
    assert.deepEqual(held, { lease_owner: null, lease_epoch: 8 }, 'the worker lost its lease: a stale epoch');

    await alice.api('task.startTask', { taskIds: [id] });
    t = await assertCountersMatchFrames(id);
    assert.equal(t.taskStatus, TaskStatus.WAITING);
    assert.equal(t.waitingCount, 3);

    const fs = await frames(id);
    await alice.api('query.stopFrame', { taskId: id, selectAll: 0, ids: [fs[1]!.id] });
    assert.deepEqual(
      (await frames(id)).map((f) => f.frameStatus),
      [1, 3, 1],
    );
    await alice.api('query.restartFrame', { taskId: id, selectAll: 1, status: [FrameStatus.STOPPED] });
    const after = await frames(id);
    assert.deepEqual(
      after.map((f) => [f.frameStatus, f.recommitFlag]),
      [
        [1, 1],
        [1, 2],
        [1, 1],
      ],
    );

    // The scheduler finishes the task with one failed frame; recommitTasks reopens it.
    await db.updateTable('frames').set({ state: FrameStatus.DONE }).where('task_id', '=', id).execute();
    await db.updateTable('frames').set({ state: FrameStatus.FAILED }).where('id', '=', fs[2]!.id).execute();
    await db
      .updateTable('tasks')
      .set({ status: TaskStatus.FINISHED_WITH_FAILURES, completed_date: Date.now() })
      .where('id', '=', id)
      .execute();
    await alice.api('query.restartFailedFrames', { taskIds: [id] });
    t = await assertCountersMatchFrames(id);
    assert.equal(t.taskStatus, TaskStatus.WAITING);
    assert.equal(t.completedDate, null);
    assert.deepEqual(
      (await frames(id)).map((f) => f.frameStatus),
      [4, 4, 1],
    );

    const foreignFrame = await alice.callEndpoint('query.restartFrame', {
      taskId: id,
      selectAll: 0,
      ids: [999999],
    });
    assert.equal(foreignFrame.envelope.code, 404);

    // Retrying failed frames of a stopped task keeps it stopped: reopening it
    // as waiting would leave it waiting on its stopped frames forever, and
    // startTask (which acts on stopped tasks) would then do nothing.
    await alice.api('task.stopTask', { taskIds: [id] });
    await db.updateTable('frames').set({ state: FrameStatus.FAILED }).where('id', '=', fs[0]!.id).execute();
    await alice.api('query.restartFailedFrames', { taskIds: [id] });
    t = await assertCountersMatchFrames(id);
    assert.equal(t.taskStatus, TaskStatus.STOPPED);
    assert.deepEqual(
      (await frames(id)).map((f) => f.frameStatus),
      [1, 4, 3],
    );
    await alice.api('task.startTask', { taskIds: [id] });
    t = await assertCountersMatchFrames(id);
    assert.equal(t.taskStatus, TaskStatus.WAITING);
    assert.deepEqual(
      (await frames(id)).map((f) => f.frameStatus),
      [1, 4, 1],
    );
  });

  test('priority, overtime stop, hardware config, abandon and delete to the recycle bin', async () => {
    const id = await newTask((i) => blenderTaskJson(i));
    await alice.api('task.submitTask', { taskId: id });
    await alice.api('task.updatePriority', { taskId: id, taskUserLevel: 80 });
    await alice.api('task.setTaskOvertimeTop', { taskIds: [id], overTime: 7200 });
    const hw = await alice.api('user.getHardwareConfig', { cloneTask: 'false' });
    const config = hw.find((h) => h.model === 'Default' && h.ram === '128GB' && h.platform === 2)!;
    await alice.api('task.editTaskHardwareConfig', { taskIds: [id], hardwareConfigId: [config.id] });
    let t = await info(id);
    assert.deepEqual([t.taskUserLevel, t.overTimeStop, t.taskRam], [80, 7200, 128]);
    const current = await alice.api('user.getHardwareConfig', { taskIds: [id] });
    assert.deepEqual(
      current.filter((h) => h.current === true).map((h) => h.id),
      [config.id],
    );
    const badConfig = await alice.callEndpoint('task.editTaskHardwareConfig', {
      taskIds: [id],
      hardwareConfigId: 99999,
    });
    assert.equal(badConfig.envelope.code, 600);

    await alice.api('task.abortTask', { taskIds: [id] });
    t = await assertCountersMatchFrames(id);
    assert.equal(t.taskStatus, TaskStatus.ABANDONED);
    assert.equal(t.abortFrames, t.totalFrames);

    await alice.api('task.deleteTask', { taskIds: [id] });
    const live = await alice.api('query.getTaskList', { pageNum: 1, pageSize: 1000 });
    assert.ok(!live.items.some((x) => x.id === id));
    const bin = await alice.api('query.getTaskList', { pageNum: 1, pageSize: 1000, recycleFlag: 1 });
    assert.deepEqual(
      bin.items.map((x) => [x.id, x.isDelete]),
      [[id, 1]],
    );
    const gone = await alice.callEndpoint('task.stopTask', { taskIds: [id] });
    assert.equal(gone.envelope.code, 404, 'a deleted task takes no more actions');
  });

  test('task list: paging, status filter, keyword and date range', async () => {
    const all = await alice.api('query.getTaskList', { pageNum: 1, pageSize: 1000 });
    assert.ok(all.total >= 5);
    const page2 = await alice.api('query.getTaskList', { pageNum: 2, pageSize: 2 });
    assert.equal(page2.size, 2);
    assert.equal(page2.pageCount, Math.ceil(all.total / 2));
    assert.deepEqual(
      page2.items.map((x) => x.id),
      all.items.slice(2, 4).map((x) => x.id),
    );
    assert.ok(
      all.items.every((x, i) => i === 0 || all.items[i - 1]!.id > x.id),
      'newest first',
    );
    const maya = await alice.api('query.getTaskList', {
      pageNum: 1,
      pageSize: 100,
      searchKeyword: 'SHOT010',
    });
    assert.ok(maya.items.length >= 1 && maya.items.every((x) => x.sceneName === 'shot010.ma'));
    const byId = await alice.api('query.getTaskList', {
      pageNum: 1,
      pageSize: 100,
      searchKeyword: String(maya.items[0]!.id),
    });
    assert.ok(byId.items.some((x) => x.id === maya.items[0]!.id));
    const stopped = await alice.api('query.getTaskList', {
      pageNum: 1,
      pageSize: 100,
      statusList: [TaskStatus.ABANDONED],
    });
    assert.ok(stopped.items.every((x) => x.taskStatus === TaskStatus.ABANDONED));
    const future = await alice.api('query.getTaskList', {
      pageNum: 1,
      pageSize: 100,
      startTime: '2999-01-01 00:00:00',
    });
    assert.equal(future.total, 0);
    const today = new Date().toISOString().slice(0, 10);
    const range = await alice.api('query.getTaskList', {
      pageNum: 1,
      pageSize: 1000,
      startTime: today,
      endTime: `${today} 23:59:59`,
    });
    assert.equal(range.total, all.total);
    const wildcard = await alice.api('query.getTaskList', { pageNum: 1, pageSize: 100, searchKeyword: '%' });
    assert.equal(wildcard.total, 0, 'LIKE wildcards in a keyword match literally');
  });

  test('account-wide frame stats equal the frame rows of live tasks', async () => {
    const stats = await alice.api('query.allFrameStatus');
    const db = farm.server.farm.store.db;
    const rows = await db
      .selectFrom('frames')
      .innerJoin('tasks', 'tasks.id', 'frames.task_id')
      .select('frames.state')
      .where('tasks.is_delete', '=', 0)
      .execute();
    assert.equal(stats.totalFrames, rows.length);
    assert.equal(stats.doneFramesTotal, rows.filter((r) => r.state === FrameStatus.DONE).length);
    assert.equal(
      stats.totalFrames,
      stats.doneFramesTotal +
        stats.failedFramesTotal +
        stats.executingFramesTotal +
        stats.waitingFramesTotal +
        rows.filter((r) => r.state === FrameStatus.STOPPED).length,
    );
  });

  test("a clone starts with the original's job files, retargeted to its own id", async () => {
    const original = await newTask((i) => blenderTaskJson(i));
    const clone = await alice.api('task.createTask', {
      count: 1,
      taskUserLevel: 50,
      cloneOriginalId: original,
    });
    const id = clone.taskIdList[0]!;
    await alice.api('task.submitTask', { taskId: id });
    const t = await info(id);
    assert.equal(t.cloneOriginalId, original);
    assert.equal(t.totalFrames, 3);
  });
});
