/**
 * A warm Blender that stops answering, on a real farm with real Blender. The
 * hang is made from outside with SIGSTOP (no hook in the renderer for it): the
 * stopped process prints nothing and uses no CPU, as a deadlocked or sleeping
 * one would.
 * - stopped mid-frame: the node's watch (no output and no CPU for `stallMs`)
 *   kills it and renders the frame again in a new renderer within the same
 *   lease, so no frame fails or runs twice on the farm;
 * - stopped while idle between frames: the ping before its next frame goes
 *   unanswered; it is killed and the frame starts in a new renderer.
 * Both: every frame done, no Blender left. Frames rendered under a 4 s watch
 * and not stopped are never taken for hung (exactly one hang counted).
 * While a warm Blender loads its scene: a cancel kills it at once, and one
 * stopped there is ended by the same watch (no wall-clock limit on a load).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { createWorker, type RunningFarmServer } from '@openfarm/server';
import {
  Agent,
  blenderAdapter,
  groupAlive,
  type InstalledRenderer,
  type RenderJob,
  WarmSession,
  WarmStalledError,
} from '@openfarm/worker';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';
import { blendersUnder, taskStatus as taskStatusOf, warmBlenderPid } from './warm-support.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-warm-hang-'));
  blender = await blenderAdapter.detect();
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 10_000, reapIntervalMs: 200, maxPollMs: 500 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

/** CPU ticks a process has used (utime + stime). */
function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]);
}

async function frames(taskId: number) {
  return server.farm.store.db.selectFrom('frames').selectAll().where('task_id', '=', taskId).execute();
}

const taskStatus = (taskId: number) => taskStatusOf(server, taskId);

async function node(name: string) {
  const w = await createWorker(server.farm.store.db, name);
  const log: string[] = [];
  const workDir = join(root, name);
  const agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir,
    threads: 1,
    renderers: [blender!],
    graceMs: 1000,
    warm: { stallMs: 4000, pingMs: 3000 },
    log: (m) => log.push(m),
  });
  const running = agent.run();
  return {
    agent,
    workDir,
    log,
    stop: async () => {
      await agent.stop();
      await running;
    },
  };
}

test('a warm Blender stopped mid-frame is killed and the frame rendered again in the lease: every frame done once, no Blender left', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const n = await node('stalled');
  let stopped: number | undefined;
  try {
    const a = await submitSampleScene(server, root, { frames: 3, size: 1024, userName: 'stalled-a' });
    // A frame done (the session is warm), the next one leased, and its Blender using CPU: rendering.
    await waitUntil(
      'the warm Blender rendering a second frame',
      async () => {
        const rows = await frames(a.taskId);
        if (!rows.some((r) => r.state === FrameStatus.DONE)) return false;
        if (!rows.some((r) => r.state === FrameStatus.RUNNING)) return false;
        const pid = await warmBlenderPid(n.workDir).catch(() => undefined);
        if (pid === undefined) return false;
        const before = cpuTicks(pid);
        await new Promise((r) => setTimeout(r, 300));
        return cpuTicks(pid) > before;
      },
      240_000,
    );
    stopped = await warmBlenderPid(n.workDir);
    process.kill(stopped, 'SIGSTOP');
    await waitUntil('the task', async () => (await taskStatus(a.taskId)) === TaskStatus.FINISHED, 240_000);
    const rows = await frames(a.taskId);
    const why = `${JSON.stringify(n.agent.warm!.ended)}\n${n.log.join('\n')}`;
    for (const r of rows) assert.equal(r.state, FrameStatus.DONE, why);
    assert.deepEqual(
      rows.map((r) => r.attempt),
      [1, 1, 1],
      `rendered again within its lease, not failed: ${why}`,
    );
    assert.equal(n.agent.warm!.ended.hung, 1, why);
    assert.equal(n.agent.warm!.ended.failed, 0, why);
    assert.ok(
      n.log.some((l) => /stopped answering: no output and no CPU time/.test(l)),
      why,
    );
    assert.equal(groupAlive(stopped), false, 'the stopped Blender is gone');
  } finally {
    if (stopped !== undefined && groupAlive(stopped)) process.kill(-stopped, 'SIGKILL');
    await n.stop();
  }
  assert.deepEqual(blendersUnder(n.workDir), [], 'no Blender left after the node stops');
});

test('an idle warm Blender that stopped answering fails its ping: killed, the next frame starts in a new one', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const n = await node('unanswered');
  let stopped: number | undefined;
  try {
    const a = await submitSampleScene(server, root, { frames: 2, size: 32, userName: 'unanswered-a' });
    await waitUntil('the task', async () => (await taskStatus(a.taskId)) === TaskStatus.FINISHED, 240_000);
    // The farm counts the task finished when the last frame completes; the node gives the
    // session back to its pool just after, so wait for it rather than race it.
    await waitUntil('its session to be kept, idle', async () => n.agent.warm!.idleKeys.length === 1, 30_000);
    stopped = await warmBlenderPid(n.workDir);
    process.kill(stopped, 'SIGSTOP');
    // Rendering the task's frames again hands the idle (stopped) session a frame.
    await a.api.query.restartFrame(a.taskId);
    await waitUntil('the hung session to be ended', async () => n.agent.warm!.ended.hung === 1, 120_000);
    await waitUntil(
      'the frames rendered again',
      async () =>
        (await taskStatus(a.taskId)) === TaskStatus.FINISHED &&
        (await frames(a.taskId)).every((r) => r.state === FrameStatus.DONE),
      240_000,
    );
    const why = `${JSON.stringify(n.agent.warm!.ended)}\n${n.log.join('\n')}`;
    assert.ok(
      n.log.some((l) => /did not answer a ping within 3 s/.test(l)),
      why,
    );
    assert.equal(n.agent.warm!.ended.failed, 0, why);
    assert.equal(groupAlive(stopped), false, 'the stopped Blender is gone');
    assert.notEqual(await warmBlenderPid(n.workDir), stopped, 'a new warm Blender holds the task');
  } finally {
    if (stopped !== undefined && groupAlive(stopped)) process.kill(-stopped, 'SIGKILL');
    await n.stop();
  }
  assert.deepEqual(blendersUnder(n.workDir), [], 'no Blender left after the node stops');
});

test('a warm Blender loading its scene: a cancel kills it at once; one stopped while it loads is ended by the watch', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const scene = generateSampleScene({ outDir: join(root, 'load-scene'), size: 32, frames: 1 });
  const job = (name: string): RenderJob => ({
    task: { task_info: {}, software_config: { cg_name: 'Blender', cg_version: '3.4' } },
    scenePath: scene.blendPath,
    stagingRoot: join(root, 'load-nothing-staged'),
    frames: { start: 1, end: 1, step: 1 },
    outputDir: join(root, name, 'out'),
    workDir: join(root, name, 'work'),
    threads: 1,
  });
  const command = async (name: string) => {
    await mkdir(join(root, name, 'work'), { recursive: true });
    return blenderAdapter.prepareWarm!(job(name), blender!);
  };

  // Cancelled right after it starts: before, the start went on until the scene was loaded.
  const cancel = new AbortController();
  let cancelled: number | undefined;
  await assert.rejects(
    WarmSession.start(await command('load-cancelled'), {
      graceMs: 1000,
      signal: cancel.signal,
      onSpawn: (pid) => {
        cancelled = pid;
        cancel.abort();
      },
    }),
    /start cancelled/,
  );
  assert.ok(cancelled !== undefined && !groupAlive(cancelled), 'the cancelled Blender is gone');

  // Stopped before its scene is loaded: no output, no CPU, so the watch ends it.
  let stopped: number | undefined;
  try {
    await assert.rejects(
      WarmSession.start(await command('load-stopped'), {
        graceMs: 1000,
        stallMs: 2000,
        onSpawn: (pid) => {
          stopped = pid;
          process.kill(pid, 'SIGSTOP');
        },
      }),
      (err: unknown) => err instanceof WarmStalledError && /no output and no CPU time/.test(err.message),
    );
    assert.ok(stopped !== undefined && !groupAlive(stopped), 'the stopped Blender is gone');
  } finally {
    if (stopped !== undefined && groupAlive(stopped)) process.kill(-stopped, 'SIGKILL');
  }
});
