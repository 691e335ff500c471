import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ApiError } from '@openfarm/protocol';
import {
  HardwareConfigIdError,
  type JobFilePaths,
  NotSupportCGSoftwareError,
  NotSupportHardwareCodeError,
  NotSupportPluginError,
  RayvisionCheck,
  SoftwareVersionError,
  TipsBlockingError,
} from '@openfarm/sdk';
import { blenderTaskJson, CPU_64GB, startFarm, type TestFarm } from './farm-fixture.js';

const CREATE_TASK = '/api/render/submit/createTask';

let farm: TestFarm;
let dir: string;
before(async () => {
  farm = await startFarm();
  dir = await mkdtemp(join(tmpdir(), 'openfarm-sdk-check-'));
});
after(async () => {
  await farm.close();
  await rm(dir, { recursive: true, force: true });
});

let jobs = 0;
/** A job folder with task.json, tips.json and upload.json, as an analyzer leaves it. */
async function job(task: object, tips: object = {}): Promise<Required<Omit<JobFilePaths, 'assetJson'>>> {
  const folder = await mkdtemp(join(dir, `job${++jobs}-`));
  const paths = {
    taskJson: join(folder, 'task.json'),
    tipsJson: join(folder, 'tips.json'),
    uploadJson: join(folder, 'upload.json'),
  };
  await writeFile(paths.taskJson, JSON.stringify(task));
  await writeFile(paths.tipsJson, JSON.stringify(tips));
  await writeFile(paths.uploadJson, JSON.stringify({ asset: [] }));
  return paths;
}

async function readTask(
  path: string,
): Promise<ReturnType<typeof blenderTaskJson> & { scene_info_render?: unknown }> {
  return JSON.parse(await readFile(path, 'utf8'));
}

function createTaskCalls(since: number): number {
  return farm.requests.slice(since).filter((p) => p === CREATE_TASK).length;
}

describe('RayvisionCheck', () => {
  test('a farm with no render node for the software: the check warns what to start, the task waits', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    const paths = await job(blenderTaskJson('1'));
    const taskId = await new RayvisionCheck(farm.client({ logger }), paths).execute({
      hardwareConfig: CPU_64GB,
    });
    assert.ok(taskId > 0);
    assert.deepEqual(warnings, [
      'no linux render node of this farm can render Blender 3.4 now: the task will wait until one does; ' +
        'start a render node with Blender 3.4 installed (openfarm worker) to render it',
    ]);
    // The render node the tip asks for: from here on the farm lists Blender 3.4.1 and what it satisfies.
    await farm.addRenderNode('check-blender', [{ cgName: 'Blender', version: '3.4.1' }]);
    warnings.length = 0;
    await new RayvisionCheck(farm.client({ logger }), await job(blenderTaskJson('1'))).execute({
      hardwareConfig: CPU_64GB,
    });
    assert.deepEqual(warnings, []);
  });

  test('fills ids, hardware fields and string values; creates the project; rewrites task.json', async () => {
    const task = blenderTaskJson('1-3[1]', { project_name: 'ocean' });
    (task.task_info as Record<string, unknown>).job_stop_time = 3600; // a number where the farm reads text
    const paths = await job(task);
    const api = farm.client();
    const taskId = await new RayvisionCheck(api, paths).execute({ hardwareConfig: CPU_64GB });
    const written = await readTask(paths.taskJson);
    const info = written.task_info;
    assert.equal(info.task_id, String(taskId));
    assert.equal(info.user_id, String(farm.user.userId));
    const project = (await api.tag.getProjectList()).find((p) => p.projectName === 'ocean');
    assert.ok(project, 'the project was created');
    assert.equal(info.project_id, String(project.projectId));
    const config = (await api.user.getHardwareConfig()).find(
      (c) => c.platform === 2 && c.model === 'Default' && c.ram === '64GB',
    )!;
    assert.equal(info.hardwareConfigId, String(config.id));
    assert.equal(info.ram, '64');
    assert.equal(info.graphics_cards_num, '2');
    assert.equal((info as Record<string, unknown>).job_stop_time, '3600');
    assert.ok(Object.values(info).every((v) => typeof v === 'string'));
    assert.deepEqual(written.scene_info_render, task.scene_info);
    // The checked task.json is what the farm accepts.
    await api.transmit.uploadJsonContent(taskId, JSON.stringify(written));
    await api.submit(taskId);
    assert.equal((await api.query.taskInfo([taskId])).items[0]!.totalFrames, 3);
  });

  test('ids already present are kept; no project name means project "0"', async () => {
    const api = farm.client();
    const [existing] = (await api.task.createTask()).taskIdList;
    const paths = await job(blenderTaskJson('1', { task_id: String(existing) }));
    const since = farm.requests.length;
    assert.equal(await new RayvisionCheck(api, paths).execute({ hardwareConfig: CPU_64GB }), existing);
    assert.equal(createTaskCalls(since), 0);
    const info = (await readTask(paths.taskJson)).task_info;
    assert.equal(info.project_id, '0');
  });

  test('an unsupported software version is refused with the supported list, before any id is taken', async () => {
    const task = blenderTaskJson('1');
    task.software_config.cg_version = '9.9';
    const paths = await job(task);
    const before = await readFile(paths.taskJson, 'utf8');
    const since = farm.requests.length;
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({ hardwareConfig: CPU_64GB }),
      (e) => {
        assert.ok(e instanceof SoftwareVersionError);
        assert.equal(e.code, 1000000);
        assert.ok(e.supported.includes('3.4'));
        assert.match(e.message, /Blender 9\.9 is not supported, supported versions: .*3\.4/);
        assert.match(e.message, /start a render node with it installed/);
        return true;
      },
    );
    assert.equal(createTaskCalls(since), 0);
    assert.equal(await readFile(paths.taskJson, 'utf8'), before, 'task.json is untouched');
  });

  test('no matching hardware config lists the allowed ones', async () => {
    const paths = await job(blenderTaskJson('1'));
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({
        hardwareConfig: { model: 'Default', ram: '256GB', gpuNum: null },
      }),
      (e) => {
        assert.ok(e instanceof HardwareConfigIdError);
        assert.equal(e.code, 1000001);
        assert.deepEqual(e.allowed.map((c) => c.ram).sort(), ['128GB', '64GB']);
        assert.match(e.message, /allowed hardware configs: .*64GB/);
        return true;
      },
    );
  });

  test('a hardware config that excludes the software is refused', async () => {
    const task = blenderTaskJson('1', { cg_id: '2013', platform: '21' });
    task.software_config = { cg_name: 'Clarisse', cg_version: 'clarisse_ifx_4.0_sp3', plugins: {} };
    const paths = await job({ ...task, scene_info: { image_node: [] } });
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({
        hardwareConfig: { model: '1080Ti', ram: '64GB', gpuNum: '1*GPU' },
      }),
      NotSupportCGSoftwareError,
    );
  });

  test('a tips code the hardware model refuses is reported with the configs that would take the scene', async () => {
    const paths = await job(blenderTaskJson('1'), { '46002': ['Eevee'] });
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({ hardwareConfig: CPU_64GB }),
      (e) => {
        assert.ok(e instanceof NotSupportHardwareCodeError);
        assert.deepEqual(e.codes, ['46002']);
        return true;
      },
    );
  });

  test('a plugin the hardware config refuses is named', async () => {
    const db = farm.server.farm.store.db;
    await db
      .updateTable('hardware_configs')
      .set({ not_support_plugin_list: JSON.stringify(['(red)shift 3']) })
      .where('platform', '=', 2)
      .where('ram', '=', '128GB')
      .execute();
    const task = blenderTaskJson('1');
    task.software_config.plugins = { Redshift: '3.5.1', cycles: '1' } as Record<string, string> as never;
    const paths = await job(task);
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({
        hardwareConfig: { model: 'Default', ram: '128GB' },
      }),
      (e) => {
        assert.ok(e instanceof NotSupportPluginError);
        assert.deepEqual(e.plugins, ['Redshift 3.5.1']);
        return true;
      },
    );
  });

  test('blocking tips stop the check with every error listed; warnings do not', async () => {
    const tips = { '46000': ['FFMPEG output'], '46001': ['frame step 2'], '46003': ['no scene camera'] };
    const paths = await job(blenderTaskJson('1'), tips);
    const since = farm.requests.length;
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({ hardwareConfig: CPU_64GB }),
      (e) => {
        assert.ok(e instanceof TipsBlockingError);
        assert.deepEqual(
          e.problems.map((p) => p.code),
          ['46000', '46003'],
        );
        assert.match(e.message, /There are 2 errors: .*FFMPEG output.*no scene camera/);
        return true;
      },
    );
    assert.equal(createTaskCalls(since), 0, 'a refused scene takes no task id');
    const warningsOnly = await job(blenderTaskJson('1'), { '46001': ['frame step 2'] });
    assert.ok(
      (await new RayvisionCheck(farm.client(), warningsOnly).execute({ hardwareConfig: CPU_64GB })) > 0,
    );
  });

  test('every malformed task_info field is named before the farm is asked anything', async () => {
    const paths = await job(blenderTaskJson('1', { frames_per_task: 'two', stop_after_test: '3' }));
    const since = farm.requests.length;
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({ hardwareConfig: CPU_64GB }),
      (e) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, 600);
        assert.match(e.message, /task_info\.frames_per_task/);
        assert.match(e.message, /task_info\.stop_after_test/);
        return true;
      },
    );
    assert.equal(farm.requests.length, since);
  });

  test('a broken upload.json is named before any id is taken; an explicit one must exist', async () => {
    const paths = await job(blenderTaskJson('1'));
    await writeFile(paths.uploadJson, JSON.stringify({ asset: [{ local: '/p/a.png' }] }));
    const since = farm.requests.length;
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({ hardwareConfig: CPU_64GB }),
      (e) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.code, 600);
        assert.match(e.message, /asset\[0\]\.server/);
        return true;
      },
    );
    assert.equal(farm.requests.length, since);
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({
        hardwareConfig: CPU_64GB,
        uploadJson: join(dir, 'no-such-upload.json'),
      }),
      (e) => e instanceof ApiError && e.code === 1000006,
    );
  });

  test('a task.json without software_config is named', async () => {
    const paths = await job({ task_info: {} });
    await assert.rejects(
      new RayvisionCheck(farm.client(), paths).execute({ hardwareConfig: CPU_64GB }),
      /software_config/,
    );
  });
});
