/**
 * kill -9 of a render node mid-frame, with real Blender: the frame's lease
 * expires, the reaper returns it, another node renders it, and it is done
 * exactly once; the dead node's late report is refused. The renderer the dead
 * node left running is found and killed the way a restarted node does it.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { createWorker, type RunningFarmServer } from '@openfarm/server';
import {
  Agent,
  blenderAdapter,
  groupAlive,
  type InstalledRenderer,
  killLeftoverRenderers,
  LeaseLostError,
  NodeApi,
} from '@openfarm/worker';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-node-kill-'));
  blender = await blenderAdapter.detect();
  // A lease outlives a few missed polls, so a busy machine does not reap a live node.
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 6000, reapIntervalMs: 100, maxPollMs: 500 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

test('a node killed with SIGKILL mid-frame: the frame is re-leased and done exactly once', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const db = server.farm.store.db;
  // 2048×2048 makes a frame take several seconds: long enough to kill the node mid-render.
  const { taskId } = await submitSampleScene(server, root, { frames: 1, size: 2048, userName: 'artist' });
  const a = await createWorker(db, 'doomed');
  const workA = join(root, 'doomed');
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      fileURLToPath(new URL('node-process.ts', import.meta.url)),
    ].concat([server.url, a.token, workA]),
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  // Whatever fails below, the node process must not outlive the test.
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const frame = () =>
    db.selectFrom('frames').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();
  // Rendering has begun once the node recorded its Blender process (progress reports are
  // at most one a second, and a frame may finish before the first).
  await waitUntil(
    'the doomed node to render',
    async () =>
      (await frame()).state === FrameStatus.RUNNING &&
      (await readdir(join(workA, 'pids')).catch(() => [])).length > 0,
    60_000,
  );
  const leased = await frame();
  assert.equal(leased.node_name, 'doomed');
  assert.equal(leased.state, FrameStatus.RUNNING);
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));

  // The renderer survives its node (its own process group); a restarted node kills it.
  const killed = killLeftoverRenderers(workA);
  assert.equal(killed.length, 1, `one leftover Blender (node output:\n${out})`);
  await waitUntil('the renderer to die', async () => !groupAlive(killed[0]!), 5000);

  const b = await createWorker(db, 'rescuer');
  const rescuer = await Agent.create({
    server: server.url,
    token: b.token,
    workDir: join(root, 'rescuer'),
    threads: 1,
    renderers: [blender],
  });
  const running = rescuer.run();
  try {
    await waitUntil(
      'the task to finish on the other node',
      async () =>
        (await db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirstOrThrow())
          .status === TaskStatus.FINISHED,
      120_000,
    );
  } finally {
    await rescuer.stop();
    await running;
  }
  const done = await frame();
  assert.equal(done.state, FrameStatus.DONE);
  assert.equal(done.node_name, 'rescuer');
  assert.equal(
    done.attempt,
    2,
    `leased twice: once to the dead node, once to the rescuer (${JSON.stringify(done)})`,
  );
  assert.equal(rescuer.outcomes.done, 1);

  // The dead node's report, arriving late, is refused.
  await assert.rejects(
    new NodeApi(server.url, a.token).complete({ frameId: leased.id, epoch: leased.lease_epoch }),
    LeaseLostError,
  );
  const outputs = await db
    .selectFrom('transfer_manifest')
    .select('path')
    .where('storage', '=', 'output')
    .where('path', 'like', `/${taskId}_%`)
    .execute();
  assert.equal(outputs.length, 1, 'one output for the one frame');
});
