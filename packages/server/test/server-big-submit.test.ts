/**
 * One large submit must not stall the farm (issue: a 100,000-frame task held
 * the SQLite writer for about 1 s, and `/healthz` and every other request
 * waited that long). The frames are written in short steps, and until the
 * last one exists the task is preprocessing and unleased; an interrupted
 * creation resumes without writing a frame twice. Runs on SQLite and, in the
 * PostgreSQL pass, on PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { sql } from 'kysely';
import { resumeFrameCreation } from '../src/tasks/resume-creation.js';
import { type NodeClient, type SchedulerFarm, startSchedulerFarm, submitTask } from './scheduler-support.js';

/**
 * The longest a request may wait while a submit writes frames: 400 ms, or on a
 * machine so loaded that the whole submit takes many seconds, a quarter of the
 * submit's time. Writing all frames in one transaction made a request wait
 * for (nearly) the whole submit, about 1 s on a quiet machine, so that fails
 * either way; steps of 1000 rows take about 10 ms each on a quiet one.
 */
function stallBound(submitMs: number): number {
  return Math.max(400, submitMs / 4);
}
const BIG = 100_000;

async function timed(f: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
}

function taskJson(taskId: number, frames: string) {
  return {
    task_info: {
      task_id: String(taskId),
      cg_id: '2007',
      input_cg_file: 'D:/projects/demo/shot.blend',
      platform: '2',
    },
    software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
    scene_info: { common: { frames, scene_name: ['Scene'], camera_name: 'Camera' } },
  };
}

async function frameCount(f: SchedulerFarm, taskId: number): Promise<number> {
  const r = await f.db
    .selectFrom('frames')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('task_id', '=', taskId)
    .executeTakeFirstOrThrow();
  return Number(r.n);
}

/** The state a crash after the first step leaves: 1000 of the task's rows, still creating. */
async function halfWritten(f: SchedulerFarm, taskId: number): Promise<void> {
  await f.db.deleteFrom('frames').where('task_id', '=', taskId).where('chunk_index', '>=', 1000).execute();
  await f.db
    .updateTable('tasks')
    .set({ status: TaskStatus.PREPROCESSING, creating_frames: 1, frames_created: 1000 })
    .where('id', '=', taskId)
    .execute();
}

describe('large submits', () => {
  let f: SchedulerFarm;
  let node: NodeClient;
  before(async () => {
    f = await startSchedulerFarm();
    node = await f.node('big-submit-node');
  });
  after(() => f.close());

  test(`a ${BIG}-frame submit never stalls /healthz or a signed read for long`, async () => {
    const small = await submitTask(f.user, { frames: '1-2[1]' });
    const { taskIdList } = await f.user.data<{ taskIdList: number[] }>('/api/render/submit/createTask', {
      count: 1,
      taskUserLevel: 50,
    });
    const taskId = taskIdList[0]!;
    await f.user.data('/api/render/submit/taskJsonFile', {
      taskId,
      fileName: 'task.json',
      content: JSON.stringify(taskJson(taskId, `1-${BIG}[1]`)),
    });
    let done = false;
    let sawPreprocessing = false;
    const started = performance.now();
    const submitting = f.user.data('/api/render/submit/task', { taskId }).finally(() => {
      done = true;
    });
    const health: number[] = [];
    const reads: number[] = [];
    while (!done) {
      health.push(await timed(() => fetch(`${f.farm.url}/healthz`).then((r) => r.text())));
      // A read of another task: what every other user of the farm does meanwhile.
      reads.push(await timed(() => f.user.api('query.taskInfo', { taskIds: [small] })));
      const now = await f.db
        .selectFrom('tasks')
        .select('status')
        .where('id', '=', taskId)
        .executeTakeFirstOrThrow();
      if (now.status === TaskStatus.PREPROCESSING) sawPreprocessing = true;
    }
    await submitting;
    const submitMs = performance.now() - started;
    const bound = stallBound(submitMs);
    const worst = Math.max(...health);
    const worstRead = Math.max(...reads);
    console.log(
      `# submit ${submitMs.toFixed(0)} ms, ${health.length} samples: /healthz max ${worst.toFixed(0)} ms, taskInfo max ${worstRead.toFixed(0)} ms (bound ${bound.toFixed(0)} ms)`,
    );
    assert.ok(worst < bound, `/healthz took ${worst.toFixed(0)} ms during the submit`);
    assert.ok(worstRead < bound, `taskInfo took ${worstRead.toFixed(0)} ms during the submit`);
    assert.ok(health.length >= 3, 'the submit ran long enough to be sampled');
    assert.ok(sawPreprocessing, 'while its frames were written the task showed as preprocessing (8)');
    assert.equal(await frameCount(f, taskId), BIG);
    const task = await f.db
      .selectFrom('tasks')
      .select(['status', 'creating_frames'])
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(task, { status: TaskStatus.WAITING, creating_frames: 0 });
    // The small task was submitted first, so it is leased first; then the big one is schedulable.
    const first = (await node.poll([], 2)).leases;
    assert.equal(first.length, 2);
    assert.ok(first.every((l) => l.job.taskId === small));
  });

  test('/healthz answers while a transaction holds the store (it does not queue behind the writer)', async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    let entered: () => void = () => {};
    const inside = new Promise<void>((r) => {
      entered = r;
    });
    const writer = f.db.transaction().execute(async (trx) => {
      await trx.updateTable('users').set({ task_over_time_sec: 43200 }).where('id', '=', f.userId).execute();
      entered();
      await held;
    });
    await inside;
    try {
      const res = await fetch(`${f.farm.url}/healthz`, { signal: AbortSignal.timeout(5000) });
      assert.equal(res.status, 200);
    } finally {
      release();
      await writer;
    }
  });

  test('a half-written task is never leased; resuming writes the rest once, even twice at a time', async () => {
    const taskId = await submitTask(f.user, { frames: '1-3000[1]', taskUserLevel: 90 });
    await halfWritten(f, taskId);
    // Drop the poll's cached task list; the node must not get a frame of the half-written task.
    const polled = await node.poll([], 5);
    assert.ok(
      polled.leases.every((l) => l.job.taskId !== taskId),
      'no frame of a task still being created is leased',
    );
    const changed: number[] = [];
    const resumes = await Promise.all([
      resumeFrameCreation(f.db, {
        stopped: () => false,
        changed: (t) => changed.push(...t.map((x) => x.id)),
      }),
      resumeFrameCreation(f.db, {
        stopped: () => false,
        changed: (t) => changed.push(...t.map((x) => x.id)),
      }),
    ]);
    assert.deepEqual(resumes, [1, 1]);
    assert.deepEqual(changed, [taskId], 'made waiting once');
    assert.equal(await frameCount(f, taskId), 3000);
    const distinct = await f.db
      .selectFrom('frames')
      .select(sql<number>`count(distinct chunk_index)`.as('n'))
      .where('task_id', '=', taskId)
      .executeTakeFirstOrThrow();
    assert.equal(Number(distinct.n), 3000, 'no chunk written twice');
    const task = await f.db
      .selectFrom('tasks')
      .select(['status', 'creating_frames', 'frames_created'])
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(task, { status: TaskStatus.WAITING, creating_frames: 0, frames_created: 3000 });
  });

  test('a task stopped while its frames are written gets the rest stopped; start queues them all', async () => {
    const taskId = await submitTask(f.user, { frames: '1-3000[1]' });
    await halfWritten(f, taskId);
    await f.user.api('task.stopTask', { taskIds: [taskId] });
    await resumeFrameCreation(f.db, { stopped: () => false, changed: () => {} });
    const states = async () =>
      (
        await f.db
          .selectFrom('frames')
          .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
          .where('task_id', '=', taskId)
          .groupBy('state')
          .execute()
      ).map((r) => [r.state, Number(r.n)]);
    assert.deepEqual(await states(), [[FrameStatus.STOPPED, 3000]]);
    const task = await f.db
      .selectFrom('tasks')
      .select(['status', 'creating_frames'])
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    assert.deepEqual(task, { status: TaskStatus.STOPPED, creating_frames: 0 });
    await f.user.api('task.startTask', { taskIds: [taskId] });
    assert.deepEqual(await states(), [[FrameStatus.WAITING, 3000]]);
  });
});
