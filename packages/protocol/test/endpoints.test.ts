import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ApiError,
  ENDPOINT_LIST,
  ENDPOINTS,
  type EndpointName,
  endpointByPath,
  openApiDocument,
  parseRequest,
} from '@openfarm/protocol';

const METHODS = [
  'createTask',
  'submitTask',
  'stopTask',
  'startTask',
  'abortTask',
  'deleteTask',
  'updatePriority',
  'setTaskOvertimeTop',
  'fullSpeed',
  'editTaskHardwareConfig',
  'queryUserProfile',
  'queryUserSetting',
  'updateUserSettings',
  'getTransferBid',
  'getHardwareConfig',
  'taskRecord',
  'loginRecord',
  'platforms',
  'errorDetail',
  'getTaskList',
  'taskFrames',
  'allFrameStatus',
  'restartFailedFrames',
  'restartFrame',
  'stopFrame',
  'taskInfo',
  'supportedSoftware',
  'supportedPlugin',
  'getTransferServerMsg',
  'getRaysyncUserKey',
  'getTaskProcessingImg',
  'getFrameThumbnail',
  'getRenderLog',
  'getPackNodeInfo',
  'addLabel',
  'deleteLabel',
  'getLabelList',
  'getList',
  'addTaskTag',
  'deleteTaskTag',
  'addRenderEnv',
  'updateRenderEnv',
  'deleteRenderEnv',
  'setDefaultRenderEnv',
  'getRenderEnv',
  'uploadJsonContent',
  'getTransferConfig',
  'getOutputFiles',
  'eventsToken',
];

test('every reference method is in the catalogue', () => {
  const methods = new Set(ENDPOINT_LIST.map((e) => e.method));
  for (const m of METHODS) assert.ok(methods.has(m), m);
  assert.equal(ENDPOINT_LIST.length, METHODS.length);
});

test('names are unique, keyed by themselves and made of operator + method', () => {
  for (const [key, e] of Object.entries(ENDPOINTS)) {
    assert.equal(e.name, key);
    assert.equal(e.name, `${e.operator}.${e.method}`);
  }
  assert.equal(new Set(ENDPOINT_LIST.map((e) => e.name)).size, ENDPOINT_LIST.length);
});

test('every path, current or legacy, is unique and resolves to its endpoint', () => {
  const paths = ENDPOINT_LIST.flatMap((e) => [e.path, ...e.legacyPaths]);
  assert.equal(new Set(paths).size, paths.length);
  for (const e of ENDPOINT_LIST) {
    assert.match(e.path, /^\/api\//);
    assert.equal(endpointByPath(e.path), e);
    for (const p of e.legacyPaths) assert.equal(endpointByPath(p), e);
  }
  assert.equal(endpointByPath('/api/render/handle/getTaskList/v2/')?.name, 'query.getTaskList');
  assert.equal(endpointByPath('/api/render/handle/getTaskList/v2?x=1')?.name, 'query.getTaskList');
  assert.equal(endpointByPath('/api/nothing'), undefined);
});

test('paths the reference documents map to the right names', () => {
  const cases: Array<[string, EndpointName]> = [
    ['/api/render/submit/createTask', 'task.createTask'],
    ['/api/render/submit/task', 'task.submitTask'],
    ['/api/rendering/task/renderingTask/stopTask', 'task.stopTask'],
    ['/api/render/handle/stopTask', 'task.stopTask'],
    ['/api/render/task/abortTask', 'task.abortTask'],
    ['/api/render/transfer/getBid', 'user.getTransferBid'],
    ['/api/render/task/getTransferBid', 'user.getTransferBid'],
    ['/api/render/user/queryUserProfile', 'user.queryUserProfile'],
    ['/api/render/common/queryErrorDetail', 'query.errorDetail'],
    ['/api/render/transfer/getServerInfo', 'query.getTransferServerMsg'],
    ['/api/render/user/getRaySyncUserKey', 'query.getRaysyncUserKey'],
    ['/api/render/common/addRenderEnv', 'env.addRenderEnv'],
    ['/api/render/task/taskJsonFile', 'transmit.uploadJsonContent'],
    ['/api/render/submit/getUserPackNodeInfo', 'query.getPackNodeInfo'],
    ['/api/render/handle/operate/sdk/loginRecord', 'user.loginRecord'],
    ['/api/openfarm/events/token', 'openfarm.eventsToken'],
  ];
  for (const [path, name] of cases) assert.equal(endpointByPath(path)?.name, name, path);
});

const accepts: Array<[EndpointName, unknown]> = [
  ['task.createTask', { count: 1, taskUserLevel: 50 }],
  [
    'task.createTask',
    { count: 2, taskUserLevel: 60, labels: ['a'], cloneOriginalId: 5, artist: 'me', outUserId: 9 },
  ],
  ['task.submitTask', { taskId: 19084, producer: 'p' }],
  ['task.stopTask', { taskIds: [19084, 19085] }],
  ['task.updatePriority', { taskId: 1, taskUserLevel: 60 }],
  ['task.setTaskOvertimeTop', { taskIds: [1], overTime: 3600 }],
  [
    'task.editTaskHardwareConfig',
    { taskIds: [1], hardwareConfigId: [3], model: '2080Ti', gpuNum: '2*GPU', ram: '64' },
  ],
  ['user.queryUserProfile', {}],
  ['user.queryUserProfile', { anything: 'unknown keys pass' }],
  ['user.updateUserSettings', { taskOverTimeSec: 7200 }],
  ['user.updateUserSettings', { taskOverTime: 12 }],
  ['user.getHardwareConfig', { cloneTask: 'false' }],
  ['user.getHardwareConfig', { cloneTask: 'false', taskIds: [1, 2] }],
  ['user.taskRecord', { platform: '2', pageNum: 1, pageSize: 10, startDate: '2024-01-01 00:00:00' }],
  ['query.platforms', { zone: 2 }],
  ['query.errorDetail', { code: '15013', language: 1 }],
  ['query.errorDetail', { codes: ['50001', '999'], language: 0 }],
  ['query.getTaskList', { pageNum: 1, pageSize: 100, statusList: [5, 25], searchKeyword: 'cloakroom' }],
  ['query.taskFrames', { taskId: 1, pageNum: 1, pageSize: 100 }],
  ['query.restartFrame', { taskId: 1, selectAll: 1 }],
  ['query.restartFrame', { taskId: 1, selectAll: 0, ids: [10, 11] }],
  ['query.stopFrame', { taskId: 1, selectAll: 0, ids: [10], status: [2] }],
  ['query.restartFailedFrames', { taskIds: [1], status: [5] }],
  ['query.supportedPlugin', { cgId: 2000, osName: 'windows' }],
  ['query.getTransferServerMsg', { zone: 1 }],
  ['query.getFrameThumbnail', { id: 264, frameStatus: 4 }],
  ['query.getRenderLog', { renderingType: 'render', pageNum: 1, pageSize: 1, id: 5 }],
  ['tag.addLabel', { newName: 'proj', status: 1 }],
  ['tag.getList', { flag: 2 }],
  ['tag.addTaskTag', { label: 'x', taskIds: [1] }],
  ['tag.deleteTaskTag', { labelIds: [1] }],
  ['tag.deleteTaskTag', { taskIds: [1], labelNames: ['x'] }],
  [
    'env.addRenderEnv',
    { cgId: 2000, cgName: 'Maya', cgVersion: '2019', editName: 'e', renderSystem: 1, pluginIds: [2703] },
  ],
  ['env.getRenderEnv', { cgId: 2000, osName: 1 }],
  ['transmit.uploadJsonContent', { taskId: 1, fileName: 'task.json', content: '{"task_info":{}}' }],
  ['transmit.getOutputFiles', { treePath: '/' }],
  ['transmit.getOutputFiles', { treePath: '/', taskId: 5 }],
];

// The reference client sends some numbers as their decimal text (cgIds from
// its DCC_ID_MAPPINGS table, ids and levels read from a command line).
const numericText: Array<[EndpointName, unknown, Record<string, unknown>]> = [
  ['env.getRenderEnv', { cgIds: ['2007', 2000], osName: '0' }, { cgIds: [2007, 2000], osName: 0 }],
  ['env.getRenderEnv', { cgId: '2007', osName: 1 }, { cgId: 2007, osName: 1 }],
  ['task.stopTask', { taskIds: ['19084', 19085] }, { taskIds: [19084, 19085] }],
  ['task.updatePriority', { taskId: '1', taskUserLevel: '60' }, { taskId: 1, taskUserLevel: 60 }],
  ['task.setTaskOvertimeTop', { taskIds: ['1'], overTime: '3600' }, { taskIds: [1], overTime: 3600 }],
  [
    'task.createTask',
    { count: '1', taskUserLevel: '50', outUserId: '9' },
    { count: 1, taskUserLevel: 50, outUserId: 9 },
  ],
  [
    'query.taskFrames',
    { taskId: '5', pageNum: '2', pageSize: '100' },
    { taskId: 5, pageNum: 2, pageSize: 100 },
  ],
  ['query.platforms', { zone: '2' }, { zone: 2 }],
  [
    'query.restartFrame',
    { taskId: '1', selectAll: '0', ids: ['10'] },
    { taskId: 1, selectAll: 0, ids: [10] },
  ],
  ['query.getTaskList', { pageNum: 1, pageSize: 10, statusList: ['25'] }, { statusList: [25] }],
  ['query.supportedPlugin', { cgId: '2007', osName: 'linux' }, { cgId: 2007 }],
  ['tag.addLabel', { newName: 'a', status: '1' }, { status: 1 }],
  ['user.updateUserSettings', { taskOverTimeSec: '7200' }, { taskOverTimeSec: 7200 }],
  ['user.loginRecord', { pageNum: 1, pageSize: 10, startDate: '', endDate: '' }, { startDate: undefined }],
];

for (const [name, body, expected] of numericText) {
  test(`${name} takes ${JSON.stringify(body)} as numbers`, () => {
    const r = ENDPOINTS[name].request.safeParse(body);
    assert.ok(r.success, r.success ? '' : JSON.stringify(r.error.issues));
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual((r.data as Record<string, unknown>)[key], value, key);
    }
  });
}

const rejects: Array<[EndpointName, unknown, RegExp]> = [
  ['task.createTask', { taskUserLevel: 50 }, /count/],
  ['task.createTask', { count: 1, taskUserLevel: 101 }, /taskUserLevel/],
  ['task.createTask', { count: 0, taskUserLevel: 50 }, /count/],
  ['task.createTask', { count: 1.5, taskUserLevel: 50 }, /count/],
  ['task.submitTask', { taskId: '19084x' }, /taskId/],
  // Only plain decimal text stands for a number.
  ['task.submitTask', { taskId: '1e3' }, /taskId/],
  ['task.submitTask', { taskId: ' 7' }, /taskId/],
  ['task.submitTask', { taskId: '7.0' }, /taskId/],
  ['task.submitTask', { taskId: '0x10' }, /taskId/],
  ['task.submitTask', { taskId: '' }, /taskId/],
  ['task.submitTask', { taskId: '-3' }, /taskId/],
  ['env.getRenderEnv', { cgIds: ['blender'] }, /cgIds/],
  ['env.getRenderEnv', { cgIds: ['1999'] }, /cgIds/],
  ['query.supportedPlugin', { cgId: '20070' }, /cgId/],
  ['task.submitTask', { taskId: -1 }, /taskId/],
  ['task.stopTask', { taskIds: [] }, /taskIds/],
  ['task.stopTask', { taskIds: [0] }, /taskIds/],
  ['task.stopTask', {}, /taskIds/],
  ['user.updateUserSettings', {}, /./],
  ['user.getHardwareConfig', { cloneTask: false }, /cloneTask/],
  ['query.platforms', { zone: 3 }, /zone/],
  ['query.errorDetail', { language: 1 }, /code/],
  ['query.getTaskList', { pageNum: 1, pageSize: 0 }, /pageSize/],
  ['query.getTaskList', { pageNum: 1, pageSize: 1001 }, /pageSize/],
  ['query.getTaskList', { pageNum: 0, pageSize: 10 }, /pageNum/],
  ['query.getTaskList', { pageNum: 1, pageSize: 10, startTime: '2024/01/01' }, /startTime/],
  ['query.restartFrame', { taskId: 1, selectAll: 0 }, /ids/],
  ['query.restartFrame', { taskId: 1, selectAll: 2 }, /selectAll/],
  ['tag.addLabel', { newName: '' }, /newName/],
  [
    'env.addRenderEnv',
    { cgId: 2000, cgName: 'Maya', cgVersion: '2019', editName: 'e', pluginIds: [] },
    /renderSystem/,
  ],
  ['transmit.uploadJsonContent', { taskId: 1, fileName: 'other.json', content: '{}' }, /fileName/],
  ['transmit.getOutputFiles', {}, /treePath/],
];

for (const [name, body] of accepts) {
  test(`${name} accepts ${JSON.stringify(body)}`, () => {
    const r = ENDPOINTS[name].request.safeParse(body);
    assert.ok(r.success, r.success ? '' : JSON.stringify(r.error.issues));
  });
}

for (const [name, body, field] of rejects) {
  test(`${name} rejects ${JSON.stringify(body)}`, () => {
    const r = ENDPOINTS[name].request.safeParse(body);
    assert.equal(r.success, false);
    assert.match(JSON.stringify(r.error?.issues), field);
  });
}

test('unknown keys survive request parsing', () => {
  const r = ENDPOINTS['task.submitTask'].request.parse({ taskId: 1, extra: 'kept' });
  assert.equal((r as Record<string, unknown>).extra, 'kept');
});

test('response schemas accept answers shaped like the reference', () => {
  const task = {
    id: 18280,
    sceneName: 'cloakroom.blend',
    taskStatus: 25,
    outputFileName: '18280_cloakroom',
    isOpen: 1,
    respRenderingTaskList: [{ id: 18281, sceneName: 'cloakroom.blend', taskStatus: 25, layerName: 'l1' }],
    taskKeyValueVo: { tiles: '1', allCamera: ['cam'], renderableCamera: ['cam'] },
  };
  const paged = { pageCount: 1, pageNum: 1, total: 1, size: 100, items: [task] };
  assert.ok(ENDPOINTS['query.taskInfo'].response.safeParse(paged).success);
  const badChild = { ...paged, items: [{ ...task, respRenderingTaskList: [{ id: 'x' }] }] };
  assert.equal(ENDPOINTS['query.taskInfo'].response.safeParse(badChild).success, false);

  assert.ok(
    ENDPOINTS['task.createTask'].response.safeParse({
      taskIdList: [19097],
      aliasTaskIdList: ['2W19097'],
      userId: 7,
    }).success,
  );
  assert.ok(
    ENDPOINTS['user.getHardwareConfig'].response.safeParse([
      {
        id: 3,
        type: 2,
        model: '2080Ti',
        ram: '64GB',
        gpuNum: '2*GPU',
        platform: 21,
        current: false,
        notSupportCgId: [2001],
        notSupportCode: ['46002'],
        notSupportPluginList: ['redshift 2\\.6'],
        status: 1,
      },
    ]).success,
  );
  assert.ok(
    ENDPOINTS['user.getTransferBid'].response.safeParse({
      config_bid: '30201',
      output_bid: '20201',
      input_bid: '10201',
      parent_input_bid: '10201',
      sub_user_output_bids: [{ userId: 2, outputBid: '20202' }],
    }).success,
  );
  assert.ok(ENDPOINTS['task.fullSpeed'].response.safeParse('success').success);
  // The reference's settings answer mixes numbers, text and nulls.
  assert.ok(
    ENDPOINTS['user.queryUserSetting'].response.safeParse({
      infoStatus: null,
      accountType: null,
      shareMainCapital: 0,
      singleNodeRenderFrames: '1',
      maxIgnoreMapFlag: '1',
      autoCommit: '2',
      downloadDisable: 0,
      taskOverTime: 12,
    }).success,
  );
  assert.ok(
    ENDPOINTS['user.queryUserProfile'].response.safeParse({
      userId: 10001136,
      userName: 'someone',
      platform: 2,
      email: '',
      softType: 2000,
      accountType: 1,
    }).success,
  );
  assert.equal(ENDPOINTS['user.queryUserProfile'].response.safeParse({ userName: 'x' }).success, false);
  assert.ok(ENDPOINTS['task.submitTask'].response.safeParse(null).success);
  assert.equal(ENDPOINTS['task.submitTask'].response.safeParse({}).success, false);
  assert.ok(
    ENDPOINTS['openfarm.eventsToken'].response.safeParse({ token: 't', expiresAt: 1700000000000 }).success,
  );
});

test('the OpenAPI document has every path as a POST with the envelope', () => {
  const doc = openApiDocument({ serverUrl: 'http://127.0.0.1:7200' }) as {
    openapi: string;
    servers: Array<{ url: string }>;
    paths: Record<
      string,
      { post: { operationId: string; requestBody: unknown; responses: Record<string, unknown> } }
    >;
    components: { schemas: Record<string, unknown> };
  };
  assert.match(doc.openapi, /^3\./);
  assert.equal(doc.servers[0]?.url, 'http://127.0.0.1:7200');
  for (const e of ENDPOINT_LIST) {
    for (const p of [e.path, ...e.legacyPaths]) {
      const op = doc.paths[p]?.post;
      assert.ok(op, p);
      assert.ok(op.requestBody);
      assert.ok(op.responses['200']);
    }
  }
  const ids = Object.values(doc.paths).map((x) => x.post.operationId);
  assert.equal(new Set(ids).size, ids.length);
  // Shared schemas are hoisted, and no reference points at a local $defs any more.
  assert.ok(doc.components.schemas.TaskInfo);
  const text = JSON.stringify(doc);
  assert.ok(!text.includes('#/$defs/'));
  for (const m of text.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
    assert.ok(doc.components.schemas[m[1] as string], `dangling $ref ${m[1]}`);
  }
});

test('parseRequest answers 601 for a missing key and 600 for a bad value, listing the fields', () => {
  assert.deepEqual(parseRequest(ENDPOINTS['task.stopTask'], { taskIds: [1, 2] }), { taskIds: [1, 2] });
  assert.deepEqual(parseRequest(ENDPOINTS['user.queryUserProfile'], undefined), {});

  const missing = captureApiError(() => parseRequest(ENDPOINTS['task.createTask'], { taskUserLevel: 50 }));
  assert.equal(missing.code, 601);
  assert.equal(missing.path, '/api/render/submit/createTask');
  assert.deepEqual(
    (missing.detail as Array<{ path: string }>).map((d) => d.path),
    ['count'],
  );
  assert.match(missing.message, /^Error code: 601, Error message: A required parameter is missing: count: /);
  // Legacy clients send no level: normal priority.
  assert.equal(parseRequest(ENDPOINTS['task.createTask'], { count: 1, outUserId: 3 }).taskUserLevel, 50);

  const bad = captureApiError(() => parseRequest(ENDPOINTS['task.stopTask'], { taskIds: [1, -2] }));
  assert.equal(bad.code, 600);
  assert.deepEqual(
    (bad.detail as Array<{ path: string }>).map((d) => d.path),
    ['taskIds[1]'],
  );

  // A union reports the branch the caller came closest to.
  const union = captureApiError(() =>
    parseRequest(ENDPOINTS['tag.deleteTaskTag'], { taskIds: [1], labelNames: [''] }),
  );
  assert.equal(union.code, 600);
  assert.deepEqual(
    (union.detail as Array<{ path: string }>).map((d) => d.path),
    ['labelNames[0]'],
  );
  assert.equal(captureApiError(() => parseRequest(ENDPOINTS['user.updateUserSettings'], {})).code, 601);
});

function captureApiError(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError, String(e));
    return e;
  }
  assert.fail('expected an ApiError');
}

test('the block-render progress answer accepts numbers written as text, as the reference sends them', () => {
  const answer = {
    block: 16,
    currentTaskType: 'Render',
    grabInfo: [
      [
        {
          couponFee: '0.00',
          frameIndex: '0',
          renderInfo: '',
          frameBlock: '1',
          frameEst: '0',
          grabUrl: '/small_pic/1/2/3/a.jpg',
          feeAmount: '0.20',
          frameUsed: '66',
          frameStatus: '4',
          framePercent: '100',
          isMaxPrice: '0',
          startTime: '2018-11-09 18:28:26',
          endTime: '2018-11-09 18:29:32',
        },
      ],
    ],
    height: 1500,
    sceneName: 'scene.max-Camera007',
    startTime: '2018-11-09 18:27:40',
    width: 2000,
  };
  assert.ok(ENDPOINTS['query.getTaskProcessingImg'].response.safeParse(answer).success);
  assert.equal(
    ENDPOINTS['query.getTaskProcessingImg'].response.safeParse({ grabInfo: [[{ frameStatus: {} }]] }).success,
    false,
  );
});
