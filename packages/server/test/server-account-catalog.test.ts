/** User, catalogue, project, environment and transmit endpoints, with the state each one changes. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { CG_ID, ENDPOINT_LIST } from '@openfarm/protocol';
import { HANDLERS } from '../src/api/endpoint-routes.js';
import { createWorker, schedulerPlugin } from '../src/index.js';
import { NodeClient } from './scheduler-support.js';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';

describe('account, catalogues, projects, environments, transmit', () => {
  let farm: TestFarm;
  let alice: Client;
  let aliceId: number;

  before(async () => {
    farm = await startTestFarm({ plugins: [schedulerPlugin()] });
    const user = await farm.addUser('alice');
    aliceId = user.userId;
    alice = new Client(farm, user);
  });
  after(() => farm.close());

  test('every catalogue endpoint has a handler', () => {
    const missing = ENDPOINT_LIST.filter((e) => !(e.name in HANDLERS)).map((e) => e.name);
    assert.deepEqual(missing, []);
  });

  test('login: profile, settings, bids; settings update persists; logins are audited', async () => {
    const profile = await alice.api('user.queryUserProfile');
    assert.deepEqual(
      [profile.userId, profile.userName, profile.platform, profile.accountType],
      [aliceId, 'alice', 2, 1],
    );
    const settings = await alice.api('user.queryUserSetting');
    assert.equal(settings.taskOverTimeSec, 43200);
    await alice.api('user.updateUserSettings', { taskOverTimeSec: 7200 });
    assert.equal((await alice.api('user.queryUserSetting')).taskOverTimeSec, 7200);
    await alice.api('user.updateUserSettings', { taskOverTime: 3 });
    assert.equal((await alice.api('user.queryUserSetting')).taskOverTime, 3);
    const bids = await alice.api('user.getTransferBid');
    assert.equal(new Set([bids.input_bid, bids.output_bid, bids.config_bid]).size, 3);
    assert.equal(bids.parent_input_bid, null);
    const logins = await alice.api('user.loginRecord', { pageNum: 1, pageSize: 10 });
    assert.equal(logins.total, 1);
    assert.equal(logins.items[0]!.userId, aliceId);
  });

  test('sub-accounts sharing assets get the main input bid; the main account lists their output bids', async () => {
    const mainUser = await farm.addUser('studio');
    const subUser = await farm.addUser('junior', { subOf: mainUser.userId, shareMainCapital: true });
    const main = new Client(farm, mainUser);
    const sub = new Client(farm, subUser);
    const mainBids = await main.api('user.getTransferBid');
    const subBids = await sub.api('user.getTransferBid');
    assert.equal(subBids.parent_input_bid, mainBids.input_bid);
    assert.deepEqual(mainBids.sub_user_output_bids, [
      { userId: subUser.userId, outputBid: subBids.output_bid },
    ]);
    const profile = await sub.api('user.queryUserProfile');
    assert.deepEqual(
      [profile.mainUserId, profile.shareMainCapital, profile.accountType],
      [mainUser.userId, 1, 2],
    );
  });

  test('platforms and hardware configurations are seeded; an empty farm lists no software', async () => {
    const platforms = await alice.api('query.platforms', { zone: 2 });
    assert.ok(platforms.some((p) => p.platform === 2 && p.taskPrefix === 'W'));
    const hw = await alice.api('user.getHardwareConfig', { cloneTask: 'false' });
    assert.ok(
      hw.some(
        (h) =>
          h.type === 1 && h.model === 'Default' && h.ram === '64GB' && h.gpuNum === null && h.platform === 2,
      ),
    );
    assert.ok(hw.some((h) => h.type === 2 && h.gpuNum === '2*GPU'));
    // An empty farm renders nothing: the catalogue is what live render nodes advertise.
    assert.deepEqual((await alice.api('query.supportedSoftware')).renderInfoList, []);
    assert.deepEqual(await alice.api('query.supportedPlugin', { cgId: CG_ID.BLENDER, osName: 'linux' }), {
      cgVersion: [],
      cgPlugin: [],
    });
    assert.equal((await alice.callEndpoint('query.supportedPlugin', { cgId: 2999 })).envelope.code, 404);
  });

  test('software and plugins are what the registered render nodes render, with their versions', async () => {
    for (const [name, renderers] of [
      [
        'cat-a',
        [
          { cgName: 'Maya', version: '2023' },
          { cgName: 'Blender', version: '3.4.1' },
        ],
      ],
      [
        'cat-b',
        [
          { cgName: 'Maya', version: '2024' },
          { cgName: 'Houdini', version: '20.5.487' },
        ],
      ],
      [
        'cat-c',
        [
          { cgName: 'Blender', version: '4.2' },
          { cgName: 'NoSuchDcc', version: '1' },
        ],
      ],
    ] as const) {
      const w = await createWorker(farm.server.farm.store.db, name);
      assert.equal((await new NodeClient(farm.url, w.token, name).register(renderers)).code, 200);
    }
    const software = await alice.api('query.supportedSoftware');
    assert.deepEqual(
      software.renderInfoList.map((s) => [s.cgName, s.renderNodes, s.cgVersionList]),
      [
        ['Maya', 2, ['2023', '2024']],
        ['Houdini', 1, ['20.5.487']],
        ['Blender', 2, ['3.4.1', '4.2']],
      ],
      'only what nodes advertise, named from the table; a renderer the table does not know is left out',
    );
    const blender = await alice.api('query.supportedPlugin', { cgId: CG_ID.BLENDER, osName: 'linux' });
    assert.deepEqual(
      blender.cgVersion.map((v) => v.cgVersion),
      ['3', '3.4', '3.4.1', '4', '4.2'],
    );
    // A version the table knows keeps its id (3.4 is the table's 13th Blender version).
    assert.equal(blender.cgVersion.find((v) => v.cgVersion === '3.4')?.id, CG_ID.BLENDER * 1000 + 13);
    const maya = await alice.api('query.supportedPlugin', { cgId: CG_ID.MAYA });
    assert.deepEqual(
      maya.cgVersion.map((v) => v.cgVersion),
      ['2023', '2024'],
    );
    assert.ok(maya.cgPlugin.some((p) => p.pluginName === 'mtoa' && p.pluginVersions.length > 0));
    const houdini = await alice.api('query.supportedPlugin', { cgId: CG_ID.HOUDINI });
    assert.deepEqual(
      houdini.cgVersion.map((v) => v.cgVersion),
      ['20', '20.5', '20.5.487'],
    );
    const clarisse = await alice.api('query.supportedPlugin', { cgId: CG_ID.CLARISSE });
    assert.deepEqual(clarisse, { cgVersion: [], cgPlugin: [] }, 'no live node renders Clarisse');
    const c4dLinux = await alice.api('query.supportedPlugin', { cgId: CG_ID.CINEMA4D, osName: 'linux' });
    assert.deepEqual(c4dLinux.cgVersion, [], 'Cinema 4D renders on Windows nodes only');
  });

  test('error-code catalogue: every documented tip code, in Chinese or English, warning or error', async () => {
    const en = await alice.api('query.errorDetail', {
      language: 1,
      codes: ['999', '46000', '46001', '15013', '50001', '50110', '10035', '25009'],
    });
    assert.deepEqual(
      en.map((e) => [e.code, e.type]),
      [
        ['999', 1],
        ['46000', 1],
        ['46001', 0],
        ['15013', 0],
        ['50001', 0],
        ['50110', 0],
        ['10035', 1],
        ['25009', 0],
      ],
    );
    assert.match(en[1]!.desDescriptionCn ?? '', /movie/);
    const zh = await alice.api('query.errorDetail', { language: 0, code: '46003' });
    assert.match(zh[0]!.desDescriptionCn ?? '', /相机/);
    const unknown = await alice.api('query.errorDetail', { code: '123456' });
    assert.deepEqual([unknown[0]!.code, unknown[0]!.type], ['123456', 0]);
  });

  test('projects: add (idempotent), list, delete; task tags add and delete', async () => {
    await alice.api('tag.addLabel', { newName: 'shots' });
    await alice.api('tag.addLabel', { newName: 'shots' });
    await alice.api('tag.addLabel', { newName: 'assets', status: '1' });
    const list = await alice.api('tag.getLabelList');
    assert.deepEqual(
      list.projectNameList.map((p) => p.projectName),
      ['shots', 'assets'],
    );
    await alice.api('tag.deleteLabel', { delName: 'assets' });
    assert.deepEqual(
      (await alice.api('tag.getList', { flag: 0 })).projectNameList.map((p) => p.projectName),
      ['shots'],
    );
    assert.equal((await alice.callEndpoint('tag.deleteLabel', { delName: 'assets' })).envelope.code, 404);

    const [t1, t2] = (await alice.api('task.createTask', { count: 2, taskUserLevel: 50 })).taskIdList as [
      number,
      number,
    ];
    await alice.api('tag.addTaskTag', { label: 'hero', taskIds: [t1, t2] });
    await alice.api('tag.addTaskTag', { label: 'hero', taskIds: [t1] });
    const db = farm.server.farm.store.db;
    const tags = await db
      .selectFrom('task_labels')
      .select(['id', 'task_id', 'label'])
      .where('label', '=', 'hero')
      .orderBy('task_id')
      .execute();
    assert.deepEqual(
      tags.map((t) => t.task_id),
      [t1, t2],
    );
    await alice.api('tag.deleteTaskTag', { labelIds: [tags[0]!.id] });
    await alice.api('tag.deleteTaskTag', { taskIds: [t2], labelNames: ['hero'] });
    assert.equal(
      (await db.selectFrom('task_labels').select('id').where('label', '=', 'hero').execute()).length,
      0,
    );
  });

  test('render environments: add, update, default per software, filter, delete', async () => {
    const maya = await alice.api('query.supportedPlugin', { cgId: CG_ID.MAYA });
    const mtoa = maya.cgPlugin.find((p) => p.pluginName === 'mtoa')!.pluginVersions[0]!;
    const env = {
      cgId: CG_ID.MAYA,
      cgName: 'Maya',
      cgVersion: '2022',
      renderSystem: 1,
      pluginIds: [mtoa.pluginId],
    };
    assert.deepEqual(await alice.api('env.addRenderEnv', { ...env, editName: 'arnold' }), {
      editName: 'arnold',
    });
    await alice.api('env.addRenderEnv', { ...env, editName: 'plain', pluginIds: [] });
    assert.equal(
      (await alice.callEndpoint('env.addRenderEnv', { ...env, editName: 'plain' })).envelope.code,
      600,
    );
    await alice.api('env.updateRenderEnv', { ...env, editName: 'plain', cgVersion: '2024', pluginIds: [] });
    await alice.api('env.setDefaultRenderEnv', { editName: 'arnold' });
    await alice.api('env.setDefaultRenderEnv', { editName: 'plain' });
    const envs = await alice.api('env.getRenderEnv', { cgId: CG_ID.MAYA, osName: 1 });
    assert.deepEqual(
      envs.map((e) => [
        e.editName,
        e.cgVersion,
        e.isDefault,
        e.respUserPluginInfoVos?.map((p) => p.pluginName),
      ]),
      [
        ['arnold', '2022', 0, ['mtoa']],
        ['plain', '2024', 1, []],
      ],
    );
    assert.deepEqual(await alice.api('env.getRenderEnv', { cgIds: [CG_ID.BLENDER] }), []);
    await alice.api('env.deleteRenderEnv', { editName: 'arnold' });
    assert.equal((await alice.api('env.getRenderEnv', {})).length, 1);
  });

  test('transmit: job files stored per task; getConfig describes this server as the transfer engine', async () => {
    const id = (await alice.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    for (const fileName of ['task.json', 'upload.json', 'asset.json', 'tips.json'] as const) {
      await alice.api('transmit.uploadJsonContent', {
        taskId: id,
        fileName,
        content: JSON.stringify({ file: fileName }),
      });
    }
    await alice.api('transmit.uploadJsonContent', {
      taskId: id,
      fileName: 'tips.json',
      content: '{"46001": ["step 2"]}',
    });
    const files = await farm.server.farm.store.db
      .selectFrom('task_files')
      .select(['file_name', 'content'])
      .where('task_id', '=', id)
      .orderBy('file_name')
      .execute();
    assert.deepEqual(
      files.map((f) => f.file_name),
      ['asset.json', 'task.json', 'tips.json', 'upload.json'],
    );
    assert.equal(files.find((f) => f.file_name === 'tips.json')!.content, '{"46001": ["step 2"]}');

    const config = await alice.api('transmit.getTransferConfig');
    const bids = await alice.api('user.getTransferBid');
    assert.equal(config.inputBid, bids.input_bid);
    const engine = config.resqEngines[0]!;
    assert.equal(engine.engineName, 'openfarm');
    assert.deepEqual(
      engine.respTaskEngineLines?.map((l) => `${l.server}:${l.port}`),
      [farm.host],
    );
    assert.deepEqual(await alice.api('transmit.getOutputFiles', { treePath: '/' }), []);
  });

  test('taskRecord lists task operations with their request', async () => {
    const page = await alice.api('user.taskRecord', { pageNum: 1, pageSize: 100 });
    const buttons = page.items.map((r) => r.buttonName);
    assert.ok(buttons.includes('createTask'));
    assert.ok(page.items.every((r) => r.userId === aliceId && r.requestURI?.startsWith('/api/')));
    const none = await alice.api('user.taskRecord', { pageNum: 1, pageSize: 100, startDate: '2999-01-01' });
    assert.equal(none.total, 0);
  });

  test('reserved nodes, progress image, raysync and transfer server info answer honestly empty', async () => {
    assert.deepEqual(await alice.api('query.getPackNodeInfo'), []);
    const info = await alice.api('query.getTransferServerMsg', { zone: 1 });
    assert.equal(info.raysyncTransfer, null);
    const key = await alice.api('query.getRaysyncUserKey');
    assert.equal(key.userName, 'alice');
    const id = (await alice.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    const img = await alice.api('query.getTaskProcessingImg', { taskId: id });
    assert.deepEqual(img.grabInfo, []);
  });
});
