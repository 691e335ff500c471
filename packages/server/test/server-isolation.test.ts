/** One user can never see or touch another's tasks, frames, files, projects or environments. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EndpointName } from '@openfarm/protocol';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';
import { blenderTaskJson } from './support/task-json.js';

describe('isolation between users', () => {
  let farm: TestFarm;
  let alice: Client;
  let bob: Client;
  let taskId: number;
  let frameId: number;
  const MISSING = 987654;

  before(async () => {
    farm = await startTestFarm();
    alice = new Client(farm, await farm.addUser('alice'));
    bob = new Client(farm, await farm.addUser('bob'));
    taskId = (await alice.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    await alice.api('transmit.uploadJsonContent', {
      taskId,
      fileName: 'task.json',
      content: JSON.stringify(blenderTaskJson(taskId)),
    });
    await alice.api('task.submitTask', { taskId });
    frameId = (await alice.api('query.taskFrames', { taskId, pageNum: 1, pageSize: 10 })).items[0]!.id;
    await alice.api('tag.addLabel', { newName: 'alice-project' });
    await alice.api('env.addRenderEnv', {
      cgId: 2007,
      cgName: 'Blender',
      cgVersion: '3.4',
      editName: 'alice-env',
      renderSystem: 0,
      pluginIds: [],
    });
  });
  after(() => farm.close());

  async function snapshot() {
    const db = farm.server.farm.store.db;
    return {
      tasks: await db.selectFrom('tasks').selectAll().orderBy('id').execute(),
      frames: await db.selectFrom('frames').selectAll().orderBy('id').execute(),
      files: await db.selectFrom('task_files').selectAll().execute(),
      labels: await db.selectFrom('task_labels').selectAll().execute(),
    };
  }

  /** Bob's call on Alice's object answers exactly like the same call on an id that does not exist. */
  async function assertLooksMissing(name: EndpointName, body: (id: number) => unknown, id: number) {
    const onAlice = await bob.callEndpoint(name, body(id));
    const onNothing = await bob.callEndpoint(name, body(MISSING));
    assert.equal(onAlice.envelope.code, 404, `${name}: ${onAlice.envelope.message}`);
    assert.equal(onAlice.status, onNothing.status);
    assert.equal(onAlice.envelope.code, onNothing.envelope.code);
    assert.equal(
      onAlice.envelope.message.replace(String(id), 'ID'),
      onNothing.envelope.message.replace(String(MISSING), 'ID'),
    );
  }

  test("every task and frame call on another user's ids answers like a missing id and changes nothing", async () => {
    const before = await snapshot();
    const taskCalls: Array<[EndpointName, (id: number) => unknown]> = [
      ['query.taskInfo', (id) => ({ taskIds: [id] })],
      ['query.taskFrames', (id) => ({ taskId: id, pageNum: 1, pageSize: 10 })],
      ['task.submitTask', (id) => ({ taskId: id })],
      ['task.stopTask', (id) => ({ taskIds: [id] })],
      ['task.startTask', (id) => ({ taskIds: [id] })],
      ['task.abortTask', (id) => ({ taskIds: [id] })],
      ['task.deleteTask', (id) => ({ taskIds: [id] })],
      ['task.fullSpeed', (id) => ({ taskIds: [id] })],
      ['task.updatePriority', (id) => ({ taskId: id, taskUserLevel: 60 })],
      ['task.setTaskOvertimeTop', (id) => ({ taskIds: [id], overTime: 10 })],
      ['task.editTaskHardwareConfig', (id) => ({ taskIds: [id], hardwareConfigId: 1 })],
      ['query.restartFailedFrames', (id) => ({ taskIds: [id] })],
      ['query.restartFrame', (id) => ({ taskId: id, selectAll: 1 })],
      ['query.stopFrame', (id) => ({ taskId: id, selectAll: 1 })],
      ['query.getTaskProcessingImg', (id) => ({ taskId: id })],
      ['transmit.uploadJsonContent', (id) => ({ taskId: id, fileName: 'task.json', content: '{}' })],
      ['transmit.getOutputFiles', (id) => ({ taskId: id, treePath: '/' })],
      ['tag.addTaskTag', (id) => ({ label: 'x', taskIds: [id] })],
      ['user.getHardwareConfig', (id) => ({ taskIds: [id] })],
      ['task.createTask', (id) => ({ count: 1, taskUserLevel: 50, cloneOriginalId: id })],
    ];
    for (const [name, body] of taskCalls) await assertLooksMissing(name, body, taskId);
    await assertLooksMissing('query.getRenderLog', (id) => ({ id }), frameId);
    await assertLooksMissing('query.getFrameThumbnail', (id) => ({ id }), frameId);
    assert.deepEqual(await snapshot(), before);
  });

  test("lists and stats show only the caller's own work", async () => {
    const list = await bob.api('query.getTaskList', { pageNum: 1, pageSize: 100 });
    assert.equal(list.total, 0);
    const stats = await bob.api('query.allFrameStatus');
    assert.equal(stats.totalFrames, 0);
    assert.equal((await alice.api('query.allFrameStatus')).totalFrames, 3);
    assert.deepEqual((await bob.api('tag.getLabelList')).projectNameList, []);
    assert.deepEqual((await bob.api('tag.getList', { flag: 2 })).projectNameList, []);
    assert.equal(
      (await bob.callEndpoint('tag.deleteLabel', { delName: 'alice-project' })).envelope.code,
      404,
    );
    assert.deepEqual(await bob.api('env.getRenderEnv', {}), []);
    assert.equal(
      (await bob.callEndpoint('env.setDefaultRenderEnv', { editName: 'alice-env' })).envelope.code,
      404,
    );
    assert.equal(
      (await bob.callEndpoint('env.deleteRenderEnv', { editName: 'alice-env' })).envelope.code,
      404,
    );
    assert.equal((await alice.api('env.getRenderEnv', {})).length, 1);
    assert.deepEqual(await bob.api('transmit.getOutputFiles', { treePath: '/' }), []);
  });

  test("a main account sees its sub-accounts' tasks; a sub-account does not see its main account's", async () => {
    const mainUser = await farm.addUser('studio');
    const main = new Client(farm, mainUser);
    const sub = new Client(farm, await farm.addUser('junior', { subOf: mainUser.userId }));
    const subTask = (await sub.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    const mainTask = (await main.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    assert.deepEqual(
      (await main.api('query.getTaskList', { pageNum: 1, pageSize: 10 })).items.map((t) => t.id),
      [mainTask, subTask],
    );
    assert.deepEqual(
      (await sub.api('query.getTaskList', { pageNum: 1, pageSize: 10 })).items.map((t) => t.id),
      [subTask],
    );
    assert.equal((await sub.callEndpoint('query.taskInfo', { taskIds: [mainTask] })).envelope.code, 404);
    await main.api('tag.addLabel', { newName: 'main-project' });
    await sub.api('tag.addLabel', { newName: 'sub-project' });
    const names = async (c: Client, flag: 0 | 1 | 2) =>
      (await c.api('tag.getList', { flag })).projectNameList.map((p) => p.projectName).sort();
    assert.deepEqual(await names(sub, 0), ['sub-project']);
    assert.deepEqual(await names(sub, 1), ['main-project', 'sub-project']);
    assert.deepEqual(await names(main, 2), ['main-project', 'sub-project']);
    assert.deepEqual(await names(main, 0), ['main-project']);
  });
});
