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

  test('addTaskTag and deleteTaskTag tag tasks (read back from the farm store: no call lists tags)', async () => {
    const api = farm.client();
    const db = farm.server.farm.store.db;
    const tagsOf = async (taskId: number) =>
      (await db.selectFrom('task_labels').select(['id', 'label']).where('task_id', '=', taskId).execute())
        .map((r) => [r.id, r.label] as const)
        .sort((a, b) => a[0] - b[0]);
    const [a, b] = (await api.task.createTask({ count: 2 })).taskIdList as [number, number];
    await api.tag.addTaskTag('hero', [a, b]);
    await api.tag.addTaskTag('wide', [a]);
    assert.deepEqual(
      (await tagsOf(a)).map(([, label]) => label),
      ['hero', 'wide'],
    );
    await api.tag.deleteTaskTag({ taskIds: [a], labelNames: ['hero'] });
    assert.deepEqual(
      (await tagsOf(a)).map(([, label]) => label),
      ['wide'],
    );
    const [[heroOfB]] = (await tagsOf(b)) as [[number, string]];
    await api.tag.deleteTaskTag([heroOfB]);
    assert.deepEqual(await tagsOf(b), []);
    await assert.rejects(api.tag.deleteTaskTag([heroOfB]), (e) => e instanceof ApiError && e.code === 404);
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

  test('getOutputFiles lists the output storage: nothing for a task before its frames render', async () => {
    const api = farm.client();
    const id = await api.submitByData(blenderTaskJson('1'), { hardwareConfig: CPU_64GB });
    assert.deepEqual(await api.transmit.getOutputFiles({ taskId: id }), []);
    assert.deepEqual(await api.transmit.getOutputFiles({ treePath: '/' }), []);
    await assert.rejects(api.transmit.getOutputFiles({ taskId: 999_999 }), ApiError);
  });
});
