/**
 * Another user's ids get "not found" and no data, from every family of
 * endpoints that server-isolation.test.ts does not already cover: frame ids
 * slipped into a call on one's own task, calls mixing one's own and another
 * user's task ids, files of every storage by path and by user id (outputs,
 * thumbnails, inputs, job files), job files placed under another user's task
 * id, the event stream, a render node reporting on another node's lease, and
 * the main account / sub-account boundaries.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, signHeaders, TaskStatus, TRANSFER_PATHS } from '@openfarm/protocol';
import { NODE_PATHS } from '@openfarm/protocol';
import { submitTask } from '../scheduler-support.js';
import type { Client } from '../support/farm.js';
import { readEvents } from '../support/sse.js';
import { fresh, keyOf, startTenantFarm, type TenantClient, type TenantFarm } from './tenant-farm.js';

const MISSING = 987_654;

/** An answer with the ids that legitimately differ blanked out. */
function shape(a: { status: number; code: number; message: string }, ids: readonly number[]): string {
  let message = a.message;
  for (const id of ids) message = message.replace(new RegExp(`\\b${id}\\b`, 'g'), 'ID');
  return JSON.stringify({ status: a.status, code: a.code, message });
}

describe("another user's ids", () => {
  let f: TenantFarm;
  let alice: TenantClient & { userId: number };
  let bob: TenantClient & { userId: number };
  /** Alice's rendered task: one frame, an output, a thumbnail and a log. */
  let taskId: number;
  let frameId: number;
  let outputPath: string;
  const output = fresh(3000);
  const thumbnail = fresh(900);

  before(async () => {
    f = await startTenantFarm();
    alice = await f.user('alice');
    bob = await f.user('bob');
    const node = await f.node('node-a');
    const leased = await f.leaseFrameOf(alice, node);
    taskId = leased.taskId;
    frameId = leased.lease.frameId;
    const out = await node.upload('output', leased.lease, keyOf(output), output, 'beauty.0001.png');
    assert.equal(out.code, 200, JSON.stringify(out));
    outputPath = (out.data as { path: string }).path;
    const thumb = await node.upload('thumbnail', leased.lease, keyOf(thumbnail), thumbnail);
    assert.equal(thumb.code, 200, JSON.stringify(thumb));
    const log = await node.call(NODE_PATHS.log, { ...leased.lease, lines: ['alice secret log line'] });
    assert.equal(log.code, 200);
    assert.equal((await node.complete(leased.lease)).code, 200);
    await alice.upload('input', '/D/alice/plate.exr', fresh(1000));
    await alice.upload('config', `/${taskId}/cfg/upload.json`, fresh(1100));
  });
  after(() => f.close());

  const frames = () => f.farm.server.farm.store.db.selectFrom('frames').selectAll().orderBy('id').execute();
  const tasks = () => f.farm.server.farm.store.db.selectFrom('tasks').selectAll().orderBy('id').execute();

  test("frame ids of another user's task, slipped into a call on one's own task, are refused and change nothing", async () => {
    const own = await submitTask(bob, { frames: '1-2[1]' });
    const before = await frames();
    for (const path of ['/api/render/handle/recommitTaskFrames', '/api/render/handle/stopTaskFrames']) {
      const onAlice = await bob.post(path, { taskId: own, selectAll: 0, ids: [frameId] });
      const onNothing = await bob.post(path, { taskId: own, selectAll: 0, ids: [MISSING] });
      assert.notEqual(onAlice.code, 200, `${path}: ${JSON.stringify(onAlice)}`);
      assert.equal(shape(onAlice, [frameId]), shape(onNothing, [MISSING]), path);
    }
    assert.deepEqual(await frames(), before);
  });

  test("a call naming one's own task and another user's is refused whole, like one naming a missing task", async () => {
    const own = await submitTask(bob, { frames: '1' });
    const before = await tasks();
    for (const path of [
      '/api/rendering/task/renderingTask/stopTask',
      '/api/render/handle/abandonTask',
      '/api/render/handle/deleteTask',
      '/api/render/handle/recommitTasks',
      '/api/render/handle/fullSpeedRendering',
    ]) {
      const onAlice = await bob.post(path, { taskIds: [own, taskId] });
      const onNothing = await bob.post(path, { taskIds: [own, MISSING] });
      assert.equal(onAlice.code, 404, `${path}: ${JSON.stringify(onAlice)}`);
      assert.equal(shape(onAlice, [taskId]), shape(onNothing, [MISSING]), path);
    }
    const labels = { label: 'x', taskIds: [own, taskId] };
    assert.equal((await bob.post('/api/render/handle/addTaskLabel', labels)).code, 404);
    await alice.data('/api/render/handle/addTaskLabel', { label: 'mine', taskIds: [taskId] });
    const untag = await bob.post('/api/render/handle/deleteTaskLabel', {
      taskIds: [taskId],
      labelNames: ['mine'],
    });
    const untagNothing = await bob.post('/api/render/handle/deleteTaskLabel', {
      taskIds: [MISSING],
      labelNames: ['mine'],
    });
    assert.equal(untag.code, 404, JSON.stringify(untag));
    assert.equal(shape(untag, [taskId]), shape(untagNothing, [MISSING]));
    const labelIds = (
      await f.farm.server.farm.store.db
        .selectFrom('task_labels')
        .select('id')
        .where('task_id', '=', taskId)
        .execute()
    ).map((l) => l.id);
    const byId = await bob.post('/api/render/handle/deleteTaskLabel', { labelIds });
    const byIdNothing = await bob.post('/api/render/handle/deleteTaskLabel', { labelIds: [MISSING] });
    assert.equal(byId.code, 404);
    assert.equal(shape(byId, labelIds), shape(byIdNothing, [MISSING]));
    const beforeLabels = await f.farm.server.farm.store.db.selectFrom('task_labels').selectAll().execute();
    assert.deepEqual(await tasks(), before);
    assert.deepEqual(
      await f.farm.server.farm.store.db.selectFrom('task_labels').selectAll().execute(),
      beforeLabels,
    );
  });

  test("another user's files answer like missing files, by path and by user id, in every storage", async () => {
    const thumbPath = `/${taskId}/thumbnails/frame_${frameId}.jpg`;
    const paths = [
      ['output', outputPath],
      ['config', thumbPath],
      ['config', `/${taskId}/cfg/upload.json`],
      ['input', '/D/alice/plate.exr'],
    ] as const;
    for (const [storage, path] of paths) {
      assert.ok(Buffer.isBuffer(await alice.read(storage, path)), `alice reads ${storage}:${path}`);
      assert.equal(await bob.read(storage, path), 404, `${storage}:${path}`);
      const byId = await bob.get(`/api/openfarm/transfer/files/${storage}${path}?userId=${alice.userId}`);
      const byNobody = await bob.get(`/api/openfarm/transfer/files/${storage}${path}?userId=${MISSING}`);
      assert.equal(byId.status, 404, `${storage}:${path}?userId`);
      const envelope = async (r: Response) => {
        const e = (await r.json()) as { code: number; message: string };
        return { status: r.status, code: e.code, message: e.message };
      };
      assert.equal(
        shape(await envelope(byId), [alice.userId]),
        shape(await envelope(byNobody), [MISSING]),
        `${storage}:${path}`,
      );
      const list = await bob.post(TRANSFER_PATHS.list, { storage, prefix: '/', userId: alice.userId });
      const listNobody = await bob.post(TRANSFER_PATHS.list, { storage, prefix: '/', userId: MISSING });
      assert.notEqual(list.code, 200, `${storage} list ${JSON.stringify(list)}`);
      assert.equal(shape(list, [alice.userId]), shape(listNobody, [MISSING]));
    }
    // The reference's output listing by task id, and bob's own root.
    assert.equal(
      (await bob.post('/api/render/file/operate/getOutputUserDirFile', { taskId, treePath: '/' })).code,
      404,
    );
    const own = await bob.data<unknown[]>('/api/render/file/operate/getOutputUserDirFile', { treePath: '/' });
    assert.deepEqual(own, []);
  });

  test("another user's upload session answers like a missing one, and keeps its bytes", async () => {
    const data = fresh(4000);
    const key = keyOf(data);
    const started = (await alice.post(TRANSFER_PATHS.uploads, key)).data as { uploadId: string };
    const nobody = '00000000-0000-4000-8000-000000000000';
    const chunk = await bob.put(`/api/openfarm/transfer/uploads/${started.uploadId}/0`, fresh(4000));
    const chunkNobody = await bob.put(`/api/openfarm/transfer/uploads/${nobody}/0`, fresh(4000));
    assert.equal(chunk.status, 404, JSON.stringify(chunk));
    assert.equal(chunk.message.replace(started.uploadId, 'ID'), chunkNobody.message.replace(nobody, 'ID'));
    const done = await bob.post(TRANSFER_PATHS.uploadComplete, { uploadId: started.uploadId });
    const doneNobody = await bob.post(TRANSFER_PATHS.uploadComplete, { uploadId: nobody });
    assert.equal(done.code, 404);
    assert.equal(done.message.replace(started.uploadId, 'ID'), doneNobody.message.replace(nobody, 'ID'));
    // Alice's session is untouched: it resumes at 0 and completes with her bytes.
    const resumed = (await alice.post(TRANSFER_PATHS.uploads, key)).data as {
      uploadId: string;
      offset: number;
    };
    assert.deepEqual(resumed, { uploadId: started.uploadId, offset: 0, complete: false });
    assert.equal((await alice.put(`/api/openfarm/transfer/uploads/${started.uploadId}/0`, data)).code, 200);
    assert.deepEqual(await alice.data(TRANSFER_PATHS.uploadComplete, { uploadId: started.uploadId }), key);
  });

  test("job files under another user's task id in one's own config storage never reach that task", async () => {
    const created = await alice.data<{ taskIdList: number[] }>('/api/render/submit/createTask', {
      count: 1,
      taskUserLevel: 50,
    });
    const target = created.taskIdList[0] as number;
    const refusedBefore = await alice.post('/api/render/submit/task', { taskId: target });
    assert.notEqual(refusedBefore.code, 200, 'no task.json yet');
    // Bob puts a task.json in his config storage at alice's task's path, and submits it as his.
    const evil = Buffer.from(JSON.stringify({ task_info: { task_id: String(target), cg_id: '2007' } }));
    await bob.upload('config', `/${target}/cfg/task.json`, evil);
    assert.equal((await bob.post('/api/render/submit/task', { taskId: target })).code, 404);
    const refusedAfter = await alice.post('/api/render/submit/task', { taskId: target });
    assert.equal(shape(refusedAfter, []), shape(refusedBefore, []), "bob's file is not alice's job file");
    assert.equal(await alice.read('config', `/${target}/cfg/task.json`), 404);
  });

  test("the event stream carries none of another user's events", async () => {
    const { token } = await bob.data<{ token: string }>('/api/openfarm/events/token');
    const res = await fetch(`${f.farm.url}/api/openfarm/events?token=${encodeURIComponent(token)}`);
    assert.equal(res.status, 200);
    const events = readEvents(res);
    try {
      // Alice's work: a task submitted, rendered, stopped and started, a frame's output uploaded.
      const node = await f.node('node-events');
      const leased = await f.leaseFrameOf(alice, node);
      await node.upload('output', leased.lease, keyOf(fresh(100)), fresh(100), 'x.png').catch(() => {});
      await alice.data('/api/rendering/task/renderingTask/stopTask', { taskIds: [leased.taskId] });
      await alice.data('/api/rendering/task/renderingTask/startTask', { taskIds: [leased.taskId] });
      // Then one of bob's: everything before it has been delivered by then.
      const own = await submitTask(bob, { frames: '1' });
      const got = await events.until((es) => es.some((e) => e.data.taskId === own));
      assert.ok(got.length > 0);
      for (const e of got) assert.equal(e.data.userId, bob.userId, JSON.stringify(e));
      assert.ok(!got.some((e) => e.data.taskId === leased.taskId || e.data.taskId === taskId));
    } finally {
      await events.close();
    }
    // Alice's events token is not a key to her stream for bob's signature, nor the other way round.
    const signed = signHeaders({
      accessId: bob.user.accessId,
      accessKey: bob.user.accessKey,
      domain: f.farm.host,
      path: '/api/openfarm/events',
      body: undefined,
      platform: '2',
    });
    const mixed = await fetch(
      `${f.farm.url}/api/openfarm/events?token=${encodeURIComponent(`${alice.userId}.x.y`)}`,
      {
        headers: signed,
      },
    );
    assert.notEqual(mixed.status, 200);
    await mixed.body?.cancel();
  });

  test("a render node cannot report on, or upload for, another node's lease", async () => {
    const a = await f.node('lease-holder');
    const b = await f.node('intruder');
    const leased = await f.leaseFrameOf(alice, a);
    const bytes = fresh(500);
    const put = await b.upload('output', leased.lease, keyOf(bytes), bytes, 'intruder.png');
    assert.equal(put.code, 7006, JSON.stringify(put));
    const thumb = await b.upload('thumbnail', leased.lease, keyOf(bytes), bytes);
    assert.equal(thumb.code, 7006);
    assert.equal((await b.call(NODE_PATHS.log, { ...leased.lease, lines: ['forged'] })).code, 7006);
    assert.equal((await b.progress(leased.lease, 0.5)).code, 7006);
    assert.equal((await b.fail(leased.lease, 'forged')).code, 7006);
    assert.equal((await b.complete(leased.lease)).code, 7006);
    const rows = await f.farm.server.farm.store.db
      .selectFrom('frames')
      .selectAll()
      .where('task_id', '=', leased.taskId)
      .execute();
    assert.equal(rows[0]?.state, FrameStatus.RUNNING);
    assert.equal(rows[0]?.lease_owner, 'lease-holder');
    const list = await alice.data<{ entries: Array<{ path: string }> }>(TRANSFER_PATHS.list, {
      storage: 'output',
      prefix: '/',
    });
    assert.ok(!list.entries.some((e) => e.path.endsWith('intruder.png')));
    assert.equal((await a.complete(leased.lease)).code, 200);
  });

  test("another user's render environment and project names: updates answer like missing ones; the same names are one's own", async () => {
    const env = (editName: string) => ({
      cgId: 2007,
      cgName: 'Blender',
      cgVersion: '3.4',
      editName,
      renderSystem: 0,
      pluginIds: [],
    });
    await alice.data('/api/render/plugin/addUserPluginConfig', env('lookdev'));
    await alice.data('/api/render/project/add', { newName: 'feature' });
    const db = f.farm.server.farm.store.db;
    const envsBefore = await db.selectFrom('render_envs').selectAll().orderBy('id').execute();
    const update = await bob.post('/api/render/plugin/editUserPluginConfig', {
      ...env('lookdev'),
      cgVersion: '3.3',
    });
    const updateNothing = await bob.post('/api/render/plugin/editUserPluginConfig', env('no-such-env'));
    assert.equal(update.code, 404, JSON.stringify(update));
    assert.equal(
      shape(update, []).replace('lookdev', 'N'),
      shape(updateNothing, []).replace('no-such-env', 'N'),
    );
    assert.deepEqual(await db.selectFrom('render_envs').selectAll().orderBy('id').execute(), envsBefore);
    // The same names made by bob are his own and leave alice's alone.
    await bob.data('/api/render/plugin/addUserPluginConfig', env('lookdev'));
    await bob.data('/api/render/project/add', { newName: 'feature' });
    await bob.data('/api/render/project/delete', { delName: 'feature' });
    const aliceProjects = await alice.data<{ projectNameList: Array<{ projectName: string }> }>(
      '/api/render/project/getList',
      {},
    );
    assert.ok(aliceProjects.projectNameList.some((p) => p.projectName === 'feature'));
    const aliceEnvs = await alice.data<Array<{ editName: string; cgVersion: string }>>(
      '/api/render/plugin/getUserPluginConfig',
      {},
    );
    assert.deepEqual(
      aliceEnvs.map((e) => [e.editName, e.cgVersion]),
      [['lookdev', '3.4']],
    );
  });

  test('main account and sub-accounts: each sees only what the account rules give it', async () => {
    const main = await f.user('studio');
    const sub = await f.user('junior', { subOf: main.userId });
    const sharing = await f.user('lead', { subOf: main.userId, shareMainCapital: true });
    await main.upload('input', '/D/lib/asset.abc', fresh(700));
    await main.upload('output', '/1_main/f.png', fresh(710));
    await main.upload('config', '/1/cfg/task.json', fresh(720));
    await sub.upload('output', '/2_sub/f.png', fresh(730));
    await sub.upload('config', '/2/cfg/task.json', fresh(740));
    await sub.upload('input', '/D/sub/own.abc', fresh(750));
    const can = async (
      c: TenantClient,
      storage: 'input' | 'output' | 'config',
      path: string,
      userId?: number,
    ) => {
      const res = await c.get(
        `/api/openfarm/transfer/files/${storage}${path}${userId ? `?userId=${userId}` : ''}`,
      );
      await res.arrayBuffer();
      return res.status === 200;
    };
    // A sub-account of its own assets sees none of its main account's storages.
    assert.equal(await can(sub, 'input', '/D/lib/asset.abc'), false);
    for (const s of ['input', 'output', 'config'] as const)
      assert.equal(
        await can(
          sub,
          s,
          s === 'input' ? '/D/lib/asset.abc' : s === 'output' ? '/1_main/f.png' : '/1/cfg/task.json',
          main.userId,
        ),
        false,
      );
    // One that shares them reads the main account's input storage as its own, and nothing else of it.
    assert.equal(await can(sharing, 'input', '/D/lib/asset.abc'), true);
    assert.equal(await can(sharing, 'output', '/1_main/f.png', main.userId), false);
    assert.equal(await can(sharing, 'config', '/1/cfg/task.json', main.userId), false);
    // The main account reads its sub-accounts' results, not their job files or assets.
    assert.equal(await can(main, 'output', '/2_sub/f.png', sub.userId), true);
    assert.equal(await can(main, 'config', '/2/cfg/task.json', sub.userId), false);
    assert.equal(await can(main, 'input', '/D/sub/own.abc', sub.userId), false);
    // A sibling sub-account and a stranger see nothing of a sub-account.
    assert.equal(await can(sharing, 'output', '/2_sub/f.png', sub.userId), false);
    assert.equal(await can(bob, 'output', '/2_sub/f.png', sub.userId), false);
    // Tasks: the main account acts on a sub-account's task; a sibling or a stranger gets 404.
    const subTask = await submitTask(sub, { frames: '1' });
    for (const c of [sharing, bob] as Client[])
      assert.equal(
        (await c.call('/api/render/handle/queryTaskInfo/v2', { taskIds: [subTask] })).envelope.code,
        404,
      );
    await main.data('/api/rendering/task/renderingTask/stopTask', { taskIds: [subTask] });
    const stopped = (await tasks()).find((x) => x.id === subTask);
    assert.ok(
      [TaskStatus.STOPPED, TaskStatus.STOPPED_BY_USER].includes(stopped?.status as never),
      `status ${stopped?.status}`,
    );
  });
});
