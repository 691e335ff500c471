/**
 * kill -9 of the farm while a 100,000-frame submit is writing its frames: the
 * half-written task stays preprocessing and is never leased, and the restarted
 * farm writes the rest (each frame once) and then makes it waiting. SQLite in
 * a child process on a data directory (the PostgreSQL pass skips it: the
 * resume itself is proven on both stores by server-big-submit.test.ts).
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { signHeaders, TaskStatus } from '@openfarm/protocol';
import { createWorker, type NewUser, openSqliteStore } from '@openfarm/server';
import { sql } from 'kysely';
import { firstLine, freePort, spawnTsx } from '../../../scripts/test-support/child-farm.js';
import { NodeClient } from './scheduler-support.js';

const CHILD = fileURLToPath(new URL('./server-submit-crash-child.ts', import.meta.url));
const BIG = 100_000;

async function startFarm(dataDir: string, port: number, createUser: boolean) {
  const child = spawnTsx(CHILD, [dataDir, String(port), ...(createUser ? ['create-user'] : [])]);
  children.push(child);
  const line = await firstLine(child, 'farm process');
  return { child, ...(JSON.parse(line) as { url: string; user?: NewUser }) };
}

const work = await mkdtemp(join(tmpdir(), 'openfarm-submit-crash-'));
const children: ChildProcess[] = [];
after(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await rm(work, { recursive: true, force: true });
});

const skip =
  process.env.OPENFARM_TEST_POSTGRES_URL !== undefined && process.env.OPENFARM_TEST_POSTGRES_URL !== ''
    ? 'SQLite child process only; the PostgreSQL pass proves the resume in server-big-submit.test.ts'
    : false;

test('kill -9 mid-submit: the half-written task never renders; the restart completes it', {
  skip,
}, async () => {
  const dataDir = join(work, 'farm');
  const port = await freePort();
  const first = await startFarm(dataDir, port, true);
  const user = first.user as NewUser;
  const url = first.url;
  const call = async <T>(path: string, body: unknown): Promise<T> => {
    const headers = signHeaders({
      accessId: user.accessId,
      accessKey: user.accessKey,
      domain: new URL(url).host,
      path,
      body,
      platform: '2',
    });
    const res = await fetch(url + path, { method: 'POST', headers, body: JSON.stringify(body) });
    const env = (await res.json()) as { code: number; data: T; message: string };
    if (env.code !== 200) throw new Error(`${path}: ${env.code} ${env.message}`);
    return env.data;
  };
  const info = async (taskId: number) =>
    (
      await call<{ items: Array<{ taskStatus: number; totalFrames: number }> }>(
        '/api/render/handle/queryTaskInfo/v2',
        { taskIds: [taskId] },
      )
    ).items[0]!;

  const { taskIdList } = await call<{ taskIdList: number[] }>('/api/render/submit/createTask', {
    count: 1,
    taskUserLevel: 50,
  });
  const taskId = taskIdList[0]!;
  await call('/api/render/submit/taskJsonFile', {
    taskId,
    fileName: 'task.json',
    content: JSON.stringify({
      task_info: { task_id: String(taskId), cg_id: '2007', input_cg_file: 'D:/p/shot.blend', platform: '2' },
      software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
      scene_info: { common: { frames: `1-${BIG}[1]`, scene_name: ['Scene'] } },
    }),
  });
  // The submit's connection dies with the farm; its answer does not matter.
  const submitting = call('/api/render/submit/task', { taskId }).catch(() => undefined);
  for (;;) {
    const now = await info(taskId);
    if (now.taskStatus === TaskStatus.PREPROCESSING && now.totalFrames > 0) break;
    assert.notEqual(now.taskStatus, TaskStatus.WAITING, 'the submit finished before it could be interrupted');
    await new Promise((r) => setTimeout(r, 5));
  }
  first.child.kill('SIGKILL');
  await new Promise((r) => first.child.once('exit', r));
  await submitting;

  // What the crash left: a preprocessing task with part of its frames, and a node to poll with.
  const store = openSqliteStore(join(dataDir, 'openfarm.db'));
  const count = async () =>
    Number(
      (
        await store.db
          .selectFrom('frames')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('task_id', '=', taskId)
          .executeTakeFirstOrThrow()
      ).n,
    );
  const left = await store.db
    .selectFrom('tasks')
    .select(['status', 'creating_frames'])
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  const written = await count();
  assert.deepEqual(left, { status: TaskStatus.PREPROCESSING, creating_frames: 1 });
  assert.ok(written > 0 && written < BIG, `killed mid-way (${written} of ${BIG} frames written)`);
  const worker = await createWorker(store.db, 'crash-node');

  const second = await startFarm(dataDir, port, false);
  const node = new NodeClient(second.url, worker.token, 'crash-node');
  await node.register([{ cgName: 'Blender', version: '3.4.1' }]);
  // Poll as a node does from the moment the farm is back: a lease may only come once every frame exists.
  let lease: { frameId: number; job: { taskId: number } } | undefined;
  const deadline = Date.now() + 60_000;
  while (lease === undefined) {
    assert.ok(Date.now() < deadline, 'the restarted farm completed the task within a minute');
    lease = (await node.poll([], 1, 50)).leases[0];
    if (lease !== undefined) {
      const now = await info(taskId);
      assert.equal(now.totalFrames, BIG, 'leased only after every frame existed');
    }
  }
  assert.equal(lease.job.taskId, taskId);
  assert.equal(await count(), BIG);
  const distinct = await store.db
    .selectFrom('frames')
    .select(sql<number>`count(distinct chunk_index)`.as('n'))
    .where('task_id', '=', taskId)
    .executeTakeFirstOrThrow();
  assert.equal(Number(distinct.n), BIG, 'no frame written twice');
  const task = await store.db
    .selectFrom('tasks')
    .select(['status', 'creating_frames'])
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  assert.equal(task.creating_frames, 0);
  assert.equal(task.status, TaskStatus.RENDERING);
  await store.close();
  second.child.kill('SIGTERM');
  await new Promise((r) => second.child.once('exit', r));
});
