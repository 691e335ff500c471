import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import { blenderTaskJson, CPU_64GB, startFarm, type TestFarm } from './farm-fixture.js';

let farm: TestFarm;
before(async () => {
  farm = await startFarm();
});
after(() => farm.close());

describe('tag operator', () => {
  test('addLabel, getLabelList, getProjectList, getList and deleteLabel manage projects', async () => {
    const api = farm.client();
    await api.tag.addLabel('forest');
    await api.tag.addLabel('river', 0);
    const names = (await api.tag.getProjectList()).map((p) => p.projectName);
    assert.ok(names.includes('forest') && names.includes('river'));
    assert.deepEqual(
      (await api.tag.getLabelList()).projectNameList.map((p) => p.projectName).sort(),
      [...names].sort(),
    );
    const scoped = await api.tag.getList(2);
    assert.ok(scoped.projectNameList.some((p) => p.projectName === 'forest'));
    await api.tag.deleteLabel('river');
    assert.ok(!(await api.tag.getProjectList()).some((p) => p.projectName === 'river'));
  });

  test('checkAndAddProjectName finds or creates the project, once', async () => {
    const api = farm.client();
    const id = await api.checkAndAddProjectName('canyon');
    assert.match(id, /^\d+$/);
    assert.equal(await api.checkAndAddProjectName('canyon'), id);
    const matching = (await api.tag.getProjectList()).filter((p) => p.projectName === 'canyon');
    assert.deepEqual(
      matching.map((p) => String(p.projectId)),
      [id],
    );
  });

  test('addTaskTag and deleteTaskTag tag tasks', async () => {
    const api = farm.client();
    const [id] = (await api.task.createTask()).taskIdList;
    await api.tag.addTaskTag('hero', [id!]);
    await api.tag.deleteTaskTag({ taskIds: [id!], labelNames: ['hero'] });
    // Removing it again finds nothing to remove, which is not an error worth failing a script on.
    await api.tag.deleteTaskTag({ taskIds: [id!], labelNames: ['hero'] });
    await assert.rejects(api.tag.addTaskTag('hero', [999_999]), ApiError);
  });
});

describe('env operator', () => {
  test('addRenderEnv, updateRenderEnv, setDefaultRenderEnv, getRenderEnv and deleteRenderEnv', async () => {
    const api = farm.client();
    const env = {
      cgId: 2007,
      cgName: 'Blender',
      cgVersion: '3.4',
      editName: 'b34',
      renderSystem: 0 as const,
      pluginIds: [],
    };
    assert.deepEqual(await api.env.addRenderEnv(env), { editName: 'b34' });
    await api.env.addRenderEnv({ ...env, editName: 'b36', cgVersion: '3.6' });
    await api.env.updateRenderEnv({ ...env, cgVersion: '3.5' });
    await api.env.setDefaultRenderEnv('b36');
    let envs = await api.env.getRenderEnv({ name: 'blender', osName: 0 });
    const byName = new Map(envs.map((e) => [e.editName, e]));
    assert.equal(byName.get('b34')?.cgVersion, '3.5');
    assert.ok(byName.get('b36')?.isDefault);
    assert.ok(!byName.get('b34')?.isDefault);
    await api.env.deleteRenderEnv('b34');
    envs = await api.env.getRenderEnv({ cgNames: ['blender'], osName: 0 });
    assert.deepEqual(
      envs.map((e) => e.editName),
      ['b36'],
    );
  });
});

describe('transmit operator', () => {
  test('uploadJsonContent stores a job file the submit then reads', async () => {
    const api = farm.client();
    const [id] = (await api.task.createTask()).taskIdList;
    const task = blenderTaskJson('1-2[1]', {
      task_id: String(id),
      user_id: String(farm.user.userId),
      project_id: '0',
    });
    await api.transmit.uploadJsonContent(id!, JSON.stringify(task));
    await api.submit(id!);
    assert.equal((await api.query.taskInfo([id!])).items[0]!.totalFrames, 2);
  });

  test('getTransferConfig answers the account storage ids', async () => {
    const api = farm.client();
    const config = await api.transmit.getTransferConfig();
    const bids = await api.user.getTransferBid();
    assert.equal(String(config.inputBid), String(bids.input_bid));
    assert.equal(String(config.outputBid), String(bids.output_bid));
  });

  test('getOutputFiles lists the output storage: a submitted task has its <id>_<scene> folder', async () => {
    const api = farm.client();
    const id = await api.submitByData(blenderTaskJson('1'), { hardwareConfig: CPU_64GB });
    const forTask = await api.transmit.getOutputFiles({ taskId: id });
    assert.deepEqual(
      forTask.map((f) => [f.fileName, f.directory]),
      [[`${id}_shot`, true]],
    );
    const root = await api.transmit.getOutputFiles();
    assert.ok(root.some((f) => f.fileName === `${id}_shot`));
  });
});
