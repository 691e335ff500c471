/**
 * Stop and abandon through the farm, with real Blender: the artist's API call
 * reaches the node through its next poll, the node kills the renderer's whole
 * process group (SIGTERM, grace, SIGKILL), the frame is never reported done,
 * and the node goes on to render other work.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { createWorker, type RunningFarmServer } from '@openfarm/server';
import { Agent, blenderAdapter, groupAlive, type InstalledRenderer } from '@openfarm/worker';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;
let agent: Agent | undefined;
let running: Promise<void> | undefined;
const workDir = () => join(root, 'node');

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-farm-stop-'));
  blender = await blenderAdapter.detect();
  // Short polls so a cancel reaches the node quickly; a long TTL so a busy machine reaps nothing.
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 20_000, reapIntervalMs: 200, maxPollMs: 500 });
  if (!blender) return;
  const w = await createWorker(server.farm.store.db, 'stopper');
  agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir: workDir(),
    threads: 1,
    renderers: [blender],
  });
  running = agent.run();
});
after(async () => {
  await agent?.stop();
  await running;
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

/** The pid of the renderer the node recorded for `frameId` (its process group leader). */
async function rendererPid(frameId: number): Promise<number | undefined> {
  const files = await readdir(join(workDir(), 'pids')).catch(() => [] as string[]);
  if (!files.includes(`${frameId}.json`)) return undefined;
  return (JSON.parse(await readFile(join(workDir(), 'pids', `${frameId}.json`), 'utf8')) as { pid: number })
    .pid;
}

for (const action of ['stop', 'abandon'] as const) {
  test(`${action} kills the running renderer through the farm`, async (t) => {
    if (!blender || !agent) return t.skip('blender is not installed');
    const db = server.farm.store.db;
    // 4096×4096 keeps Blender busy far longer than the bound below: only a kill ends it in time.
    const { taskId, api } = await submitSampleScene(server, root, {
      frames: 1,
      size: 4096,
      userName: `artist-${action}`,
    });
    const frame = () =>
      db.selectFrom('frames').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
    let pid: number | undefined;
    await waitUntil(
      'the node to start the renderer',
      async () => {
        const f = await frame();
        pid = f.state === FrameStatus.RUNNING ? await rendererPid(f.id) : undefined;
        return pid !== undefined;
      },
      90_000,
    );
    const frameId = (await frame()).id;
    const renderer = pid as number;
    assert.ok(groupAlive(renderer), 'a live renderer is recorded for the frame');
    const cancelledBefore = agent.outcomes.cancelled;

    const asked = performance.now();
    if (action === 'stop') await api.task.stopTask([taskId]);
    else await api.task.abortTask([taskId]);
    await waitUntil('the renderer to die', async () => !groupAlive(renderer), 15_000);
    t.diagnostic(
      `${action}: renderer gone ${((performance.now() - asked) / 1000).toFixed(2)} s after the call`,
    );
    await waitUntil(
      'the node to count the frame cancelled',
      async () => agent!.outcomes.cancelled > cancelledBefore,
      10_000,
    );

    const task = await db
      .selectFrom('tasks')
      .select('status')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    assert.equal(task.status, action === 'stop' ? TaskStatus.STOPPED : TaskStatus.ABANDONED);
    const f = await frame();
    assert.notEqual(f.state, FrameStatus.DONE, 'the frame is not reported done after the stop');
    assert.notEqual(f.state, FrameStatus.RUNNING, 'no lease is left running');
    const outputs = await db
      .selectFrom('transfer_manifest')
      .select('path')
      .where('storage', '=', 'output')
      .where('path', 'like', `/${taskId}_%`)
      .execute();
    assert.deepEqual(outputs, [], 'no output of the killed render');
    assert.equal(await rendererPid(frameId), undefined, 'the pid record is gone with the renderer');
  });
}

test('after the stops the node goes on rendering other work', async (t) => {
  if (!blender || !agent) return t.skip('blender is not installed');
  const db = server.farm.store.db;
  const doneBefore = agent.outcomes.done;
  const { taskId } = await submitSampleScene(server, root, { frames: 1, size: 64, userName: 'artist-after' });
  await waitUntil(
    'the small task to finish',
    async () =>
      (await db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirstOrThrow())
        .status === TaskStatus.FINISHED,
    120_000,
  );
  // The farm has the report before the node has counted it.
  await waitUntil(
    'the node to count the frame done',
    async () => agent!.outcomes.done === doneBefore + 1,
    10_000,
  );
});
