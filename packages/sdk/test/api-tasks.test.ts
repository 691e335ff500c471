import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError, FrameStatus, TaskStatus } from '@openfarm/protocol';
import { RayvisionError } from '@openfarm/sdk';
import { blenderTaskJson, CPU_64GB, startFarm, type TestFarm } from './farm-fixture.js';

let farm: TestFarm;
before(async () => {
  farm = await startFarm();
});
after(() => farm.close());

/** Create, check, store and submit a Blender task over HTTP; returns its id. */
function submitFrames(frames: string): Promise<number> {
  return farm.client().submitByData(blenderTaskJson(frames), { hardwareConfig: CPU_64GB, producer: 'tests' });
}

async function statusOf(taskId: number): Promise<number> {
  const info = await farm.client().query.taskInfo([taskId]);
  return info.items[0]!.taskStatus;
}

describe('task operator', () => {
  test('createTask allocates ids for the account', async () => {
    const created = await farm.client().task.createTask({ count: 2, taskUserLevel: 60 });
    assert.equal(created.taskIdList.length, 2);
    assert.equal(created.userId, farm.user.userId);
    assert.equal(created.aliasTaskIdList.length, 2);
  });

  test('taskId is allocated once and reused until that task is submitted', async () => {
    const api = farm.client();
    const [first, again] = await Promise.all([api.task.taskId(), api.task.taskId()]);
    assert.equal(first, again);
    const task = blenderTaskJson('1', {
      task_id: String(first),
      user_id: String(farm.user.userId),
      project_id: '0',
    });
    await api.transmit.uploadJsonContent(first, JSON.stringify(task));
    await api.task.submitTask(first);
    const next = await api.task.taskId();
    assert.ok(next > first);
  });

  test('submitTask of a task without task.json names what is missing', async () => {
    const api = farm.client();
    const [id] = (await api.task.createTask()).taskIdList;
    await assert.rejects(api.task.submitTask(id!), (e) => e instanceof ApiError && e.code === 601);
  });

  test('submit with a non-integer id is error 2000 before any call', async () => {
    await assert.rejects(farm.client().submit('12a'), (e) => e instanceof RayvisionError && e.code === 2000);
  });

  test('submitByData + submit: the task and its frames exist, waiting', async () => {
    const api = farm.client();
    const taskJson = blenderTaskJson('1-4[1]');
    const id = await api.submitByData(taskJson, { hardwareConfig: CPU_64GB, producer: 'tests' });
    assert.equal(taskJson.task_info.task_id, '', 'the caller’s document is not modified');
    const info = (await api.query.taskInfo([id])).items[0]!;
    assert.equal(info.id, id);
    assert.equal(info.totalFrames, 4);
    assert.equal(info.producer, 'tests');
    assert.equal(info.taskStatus, TaskStatus.WAITING);
  });

  test('stopTask, startTask, abortTask and deleteTask move the task through its states', async () => {
    const api = farm.client();
    const id = await submitFrames('1-2[1]');
    await api.task.stopTask([id]);
    assert.equal(await statusOf(id), TaskStatus.STOPPED);
    await api.task.startTask([id]);
    assert.equal(await statusOf(id), TaskStatus.WAITING);
    await api.task.abortTask([id]);
    assert.equal(await statusOf(id), TaskStatus.ABANDONED);
    await api.task.deleteTask([id]);
    const bin = await api.query.getTaskList({ recycleFlag: 1 });
    assert.ok(
      bin.items.some((t) => t.id === id),
      'the deleted task is in the recycle bin',
    );
    const live = await api.query.getTaskList();
    assert.ok(!live.items.some((t) => t.id === id));
  });

  test('updatePriority, setTaskOvertimeTop, fullSpeed and editTaskHardwareConfig change the task', async () => {
    const api = farm.client();
    const id = await submitFrames('1');
    await api.task.updatePriority(id, 60);
    await api.task.setTaskOvertimeTop([id], 600);
    let info = (await api.query.taskInfo([id])).items[0]!;
    assert.equal(info.taskUserLevel, 60);
    assert.equal(info.overTimeStop, 600);
    const configs = await api.user.getHardwareConfig();
    const big = configs.find((c) => c.platform === 2 && c.ram === '128GB')!;
    await api.task.editTaskHardwareConfig({ taskIds: [id], hardwareConfigId: big.id });
    info = (await api.query.taskInfo([id])).items[0]!;
    assert.equal(info.taskRam, 128);
    assert.equal(await api.task.fullSpeed([id]), 'success');
  });
});

describe('query operator: tasks and frames', () => {
  test('getTaskList pages and filters', async () => {
    const api = farm.client();
    const a = await submitFrames('1');
    const b = await submitFrames('2');
    const page = await api.query.getTaskList({ pageSize: 1 });
    assert.equal(page.items.length, 1);
    assert.ok(page.total >= 2);
    const found = await api.query.getTaskList({ searchKeyword: String(b) });
    assert.deepEqual(
      found.items.map((t) => t.id),
      [b],
    );
    await api.task.stopTask([a]);
    const stopped = await api.query.getTaskList({ statusList: [TaskStatus.STOPPED] });
    assert.ok(stopped.items.every((t) => t.taskStatus === TaskStatus.STOPPED));
    assert.ok(stopped.items.some((t) => t.id === a));
  });

  test('taskFrames, getAllFrames and allFrameStatus read the frames', async () => {
    const api = farm.client();
    const before = await api.query.allFrameStatus();
    const id = await submitFrames('1-5[1]');
    const page = await api.query.taskFrames(id, { pageSize: 2 });
    assert.equal(page.items.length, 2);
    assert.equal(page.total, 5);
    const all = await api.query.getAllFrames(id, { pageSize: 2 });
    assert.deepEqual([...all.keys()].sort(), ['1', '2', '3', '4', '5']);
    assert.ok([...all.values()].every((f) => f.taskId === id && f.frameStatus === FrameStatus.WAITING));
    const after = await api.query.allFrameStatus();
    assert.equal(after.totalFrames, before.totalFrames + 5);
    assert.equal(after.waitingFramesTotal, before.waitingFramesTotal + 5);
  });

  test('stopFrame and frameNumberToStop stop frames; restartFrame and getCustomFrames requeue them', async () => {
    const api = farm.client();
    const id = await submitFrames('1-4[1]');
    const stoppedIds = await api.query.frameNumberToStop(id, ['2', 3]);
    let frames = await api.query.getAllFrames(id);
    assert.deepEqual(stoppedIds.sort(), [frames.get('2')!.id, frames.get('3')!.id].sort());
    assert.equal(frames.get('2')!.frameStatus, FrameStatus.STOPPED);
    assert.equal(frames.get('1')!.frameStatus, FrameStatus.WAITING);
    await api.query.getCustomFrames(id, ['2']);
    frames = await api.query.getAllFrames(id);
    assert.equal(frames.get('2')!.frameStatus, FrameStatus.WAITING);
    assert.equal(frames.get('3')!.frameStatus, FrameStatus.STOPPED);
    await api.query.getCustomeFrames(id, ['3']);
    assert.equal((await api.query.getAllFrames(id)).get('3')!.frameStatus, FrameStatus.WAITING);
    await api.query.stopFrame(id);
    frames = await api.query.getAllFrames(id);
    assert.ok([...frames.values()].every((f) => f.frameStatus === FrameStatus.STOPPED));
    await api.query.restartFrame(id, { selectAll: 0, ids: [frames.get('4')!.id] });
    frames = await api.query.getAllFrames(id);
    assert.equal(frames.get('4')!.frameStatus, FrameStatus.WAITING);
    assert.equal(frames.get('1')!.frameStatus, FrameStatus.STOPPED);
    await api.query.restartFrame(id);
    assert.ok(
      [...(await api.query.getAllFrames(id)).values()].every((f) => f.frameStatus === FrameStatus.WAITING),
    );
  });

  test('frame numbers the task does not have are refused, naming them', async () => {
    const api = farm.client();
    const id = await submitFrames('1-2[1]');
    await assert.rejects(api.query.getCustomFrames(id, ['9']), /no frame 9/);
  });

  test('restartFailedFrames requeues the frames in the given states', async () => {
    const api = farm.client();
    const id = await submitFrames('1-3[1]');
    await api.query.stopFrame(id);
    await api.query.restartFailedFrames([id]);
    let frames = [...(await api.query.getAllFrames(id)).values()];
    assert.ok(
      frames.every((f) => f.frameStatus === FrameStatus.STOPPED),
      'stopped frames are not failed ones',
    );
    await api.query.restartFailedFrames([id], [FrameStatus.STOPPED]);
    frames = [...(await api.query.getAllFrames(id)).values()];
    assert.ok(frames.every((f) => f.frameStatus === FrameStatus.WAITING));
  });

  test('getSmallTaskId answers the task itself for a single-unit scene', async () => {
    const id = await submitFrames('1');
    assert.deepEqual(await farm.client().query.getSmallTaskId(id), [id]);
  });

  test('getTaskProcessingImg, getFrameThumbnail and getRenderLog answer for a frame not rendered yet', async () => {
    const api = farm.client();
    const id = await submitFrames('1');
    const frame = [...(await api.query.getAllFrames(id)).values()][0]!;
    const progress = await api.query.getTaskProcessingImg(id);
    assert.ok(progress !== null && typeof progress === 'object');
    assert.deepEqual(await api.query.getFrameThumbnail(frame.id), []);
    assert.deepEqual(await api.query.getFrameThumbnall(frame.id), []);
    const log = await api.query.getRenderLog(frame.id, { pageSize: 50 });
    assert.deepEqual(log.items, []);
  });

  test('another account cannot read or act on the task', async () => {
    const id = await submitFrames('1');
    const other = await farm.addUser('someone-else');
    const api = farm.client({ accessId: other.accessId, accessKey: other.accessKey });
    await assert.rejects(api.query.taskInfo([id]), ApiError);
    await assert.rejects(api.task.stopTask([id]), ApiError);
  });
});

describe('query operator: catalogues', () => {
  test('platforms lists the render regions', async () => {
    const platforms = await farm.client().query.platforms();
    assert.ok(platforms.some((p) => p.platform === 2));
  });

  test('errorDetail describes tips codes in the domain language', async () => {
    const api = farm.client();
    const [movie] = await api.query.errorDetail({ code: '46000' });
    assert.equal(movie!.type, 1);
    assert.match(movie!.desDescriptionCn ?? '', /movie/i, 'a non-renderbus domain gets English');
    const zh = await api.query.errorDetail({ codes: ['46001'], language: 0 });
    assert.equal(zh[0]!.type, 0);
    assert.match(zh[0]!.desDescriptionCn ?? '', /帧/);
  });

  test('supportedSoftware and supportedPlugin list software and versions', async () => {
    const api = farm.client();
    // What the farm's live render nodes render: one registers first, as on a real farm.
    await farm.addRenderNode('api-blender', [{ cgName: 'Blender', version: '3.4.1' }]);
    const list = await api.query.supportedSoftware();
    assert.ok(list.renderInfoList.some((s) => s.cgId === 2007 && s.cgName === 'Blender'));
    const detail = await api.query.supportedPlugin('blender', 'linux');
    assert.ok(detail.cgVersion.some((v) => v.cgVersion === '3.4'));
    await assert.rejects(api.query.supportedPlugin('no-such-dcc'), /unknown software/);
  });

  test('getTransferServerMsg, getRaysyncUserKey and getPackNodeInfo answer', async () => {
    const api = farm.client();
    const server = await api.query.getTransferServerMsg();
    assert.equal(typeof server, 'object');
    const key = await api.query.getRaysyncUserKey();
    assert.equal(typeof key, 'object');
    assert.ok(Array.isArray(await api.query.getPackNodeInfo()));
  });

  test('a body the catalogue refuses fails with 600 without reaching the server', async () => {
    const api = farm.client();
    const before = farm.requests.length;
    await assert.rejects(
      api.query.taskFrames(0),
      (e) => e instanceof ApiError && e.code === 600 && /taskId/.test(e.message),
    );
    assert.equal(farm.requests.length, before);
  });
});
