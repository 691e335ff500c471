/** Bad input gets a clear envelope error and changes nothing. */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ENDPOINTS, type EndpointName, signHeaders } from '@openfarm/protocol';
import { Client, startTestFarm, type TestFarm } from './support/farm.js';
import { blenderTaskJson } from './support/task-json.js';

describe('bad input', () => {
  let farm: TestFarm;
  let alice: Client;
  let taskId: number;

  before(async () => {
    farm = await startTestFarm({ bodyLimit: 64 * 1024 });
    alice = new Client(farm, await farm.addUser('alice'));
    taskId = (await alice.api('task.createTask', { count: 1, taskUserLevel: 50 })).taskIdList[0]!;
    await alice.api('transmit.uploadJsonContent', {
      taskId,
      fileName: 'task.json',
      content: JSON.stringify(blenderTaskJson(taskId)),
    });
    await alice.api('task.submitTask', { taskId });
  });
  after(() => farm.close());

  async function snapshot() {
    const db = farm.server.farm.store.db;
    return {
      tasks: await db.selectFrom('tasks').selectAll().orderBy('id').execute(),
      frames: await db.selectFrom('frames').selectAll().orderBy('id').execute(),
      files: await db.selectFrom('task_files').selectAll().execute(),
      users: await db.selectFrom('users').selectAll().execute(),
      projects: await db.selectFrom('projects').selectAll().execute(),
      envs: await db.selectFrom('render_envs').selectAll().execute(),
    };
  }

  async function expectCode(name: EndpointName, body: unknown, code: number, field?: string) {
    const { status, envelope } = await alice.callEndpoint(name, body);
    assert.equal(envelope.code, code, `${name} ${JSON.stringify(body)}: ${envelope.message}`);
    assert.equal(envelope.result, false);
    assert.ok(status >= 400, `HTTP status ${status}`);
    if (field !== undefined) assert.match(envelope.message, new RegExp(field.replace(/[.[\]]/g, '\\$&')));
  }

  test('wrong types, missing fields, negatives and huge pages are refused naming the field, changing nothing', async () => {
    const before = await snapshot();
    await expectCode('task.createTask', { taskUserLevel: 50 }, 601, 'count');
    // Decimal text stands for its number (the reference client sends some); anything else is refused.
    await expectCode('task.createTask', { count: 'two', taskUserLevel: 50 }, 600, 'count');
    await expectCode('task.createTask', { count: '2.0', taskUserLevel: 50 }, 600, 'count');
    await expectCode('task.createTask', { count: '', taskUserLevel: 50 }, 600, 'count');
    await expectCode('task.stopTask', { taskIds: ['7 '] }, 600, 'taskIds[0]');
    await expectCode('task.createTask', { count: -1, taskUserLevel: 50 }, 600, 'count');
    await expectCode('task.createTask', { count: 1.5, taskUserLevel: 50 }, 600, 'count');
    await expectCode('task.stopTask', { taskIds: [-5] }, 600, 'taskIds[0]');
    await expectCode('task.stopTask', { taskIds: 'all' }, 600, 'taskIds');
    await expectCode('task.stopTask', {}, 601, 'taskIds');
    await expectCode('query.getTaskList', { pageNum: 1, pageSize: 1_000_000 }, 600, 'pageSize');
    await expectCode('query.getTaskList', { pageNum: 0, pageSize: 10 }, 600, 'pageNum');
    await expectCode(
      'query.getTaskList',
      { pageNum: 1, pageSize: 10, startTime: 'yesterday' },
      600,
      'startTime',
    );
    await expectCode('query.taskFrames', { taskId, pageNum: 1, pageSize: -10 }, 600, 'pageSize');
    await expectCode('user.updateUserSettings', { taskOverTimeSec: -1 }, 600);
    await expectCode(
      'transmit.uploadJsonContent',
      { taskId, fileName: 'evil.json', content: '{}' },
      600,
      'fileName',
    );
    await expectCode(
      'transmit.uploadJsonContent',
      { taskId, fileName: 'task.json', content: '{not json' },
      600,
      'content',
    );
    await expectCode(
      'env.addRenderEnv',
      {
        cgId: 2007,
        cgName: 'Blender',
        cgVersion: '3.4',
        editName: 'e',
        renderSystem: 0,
        pluginIds: [424242],
      },
      600,
      'pluginIds',
    );
    await expectCode('query.restartFrame', { taskId, selectAll: 0 }, 600, 'ids');
    assert.deepEqual(await snapshot(), before);
  });

  test('unknown task ids answer 404, and a batch with one unknown id changes none of the others', async () => {
    const before = await snapshot();
    await expectCode('task.stopTask', { taskIds: [999999] }, 404);
    await expectCode('task.stopTask', { taskIds: [taskId, 999999] }, 404);
    await expectCode('task.deleteTask', { taskIds: [999999, taskId] }, 404);
    await expectCode('query.taskInfo', { taskIds: [999999] }, 404);
    await expectCode('task.submitTask', { taskId: 999999 }, 404);
    assert.deepEqual(await snapshot(), before);
  });

  test('malformed JSON, a wrong content type, an unknown route and an oversized body get envelopes', async () => {
    const before = await snapshot();
    const path = ENDPOINTS['task.createTask'].path;
    const headers = signHeaders({
      accessId: alice.user.accessId,
      accessKey: alice.user.accessKey,
      domain: farm.host,
      path,
      body: {},
      platform: '2',
    });
    const post = async (p: string, body: string, extra: Record<string, string> = {}) => {
      const res = await fetch(`${farm.url}${p}`, { method: 'POST', headers: { ...headers, ...extra }, body });
      return {
        status: res.status,
        envelope: (await res.json()) as { code: number; message: string; requestId: string },
      };
    };
    const malformed = await post(path, '{"count": 1,');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.envelope.code, 600);
    assert.match(malformed.envelope.message, /malformed JSON/);

    const text = await post(path, 'count=1', { 'Content-Type': 'text/plain' });
    assert.equal(text.envelope.code, 603);

    const unknown = await post('/api/render/nothing/here', '{}');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.envelope.code, 404);
    assert.match(unknown.envelope.requestId, /^[0-9a-f]{32}$/);
    const getUnknown = await fetch(`${farm.url}/nothing`);
    assert.equal(((await getUnknown.json()) as { code: number }).code, 404);

    const big = await post(
      ENDPOINTS['transmit.uploadJsonContent'].path,
      JSON.stringify({ taskId, fileName: 'task.json', content: `"${'x'.repeat(100 * 1024)}"` }),
    );
    assert.equal(big.status, 413);
    assert.equal(big.envelope.code, 7002);
    assert.deepEqual(await snapshot(), before);
  });
});
