/**
 * Warm render sessions on a real farm with real Blender (one farm for the
 * file; tiny frames). Each case checks the farm ends correct — every frame
 * done exactly once, one output per frame, each with its thumbnail and
 * Blender's progress and save lines in its log — and that no Blender is left:
 * - the frame-range limit ends a session and the next frame starts cold;
 * - a task change ends the idle session of the previous task;
 * - the warm Blender killed with SIGKILL mid-frame: the frame fails, is
 *   queued again and rendered in a new session;
 * - a frame cancelled on the farm while it renders warm: its session is killed;
 * - the node killed with SIGKILL while its Blender is warm: the Blender dies with it;
 * - the memory limit ends a session after its frame;
 * - a task whose task_info.warm_session is "off" renders cold on a warm node.
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
import { Agent, blenderAdapter, groupAlive, type InstalledRenderer } from '@openfarm/worker';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';
import { blendersUnder, taskStatus as taskStatusOf, warmBlenderPid } from './warm-support.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-warm-farm-'));
  blender = await blenderAdapter.detect();
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 10_000, reapIntervalMs: 200, maxPollMs: 500 });
});
after(async () => {
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

const taskStatus = (taskId: number) => taskStatusOf(server, taskId);

/** Every frame of the task done, and exactly one output per frame. */
async function assertDoneOnce(taskId: number, frames: number): Promise<{ attempts: number[] }> {
  const db = server.farm.store.db;
  const rows = await db.selectFrom('frames').selectAll().where('task_id', '=', taskId).execute();
  assert.equal(rows.length, frames);
  for (const r of rows) {
    assert.equal(r.state, FrameStatus.DONE, JSON.stringify(r));
    // What a cold render leaves too: a thumbnail, and Blender's progress and save lines in the log.
    assert.ok(r.thumbnail_path !== null, `a thumbnail for frame ${r.id}`);
    const log = (
      await db.selectFrom('frame_log_lines').select('line').where('frame_id', '=', r.id).execute()
    ).map((l) => l.line);
    assert.ok(
      log.some((l) => l.startsWith('Fra:')) && log.some((l) => l.startsWith('Saved:')),
      log.join('\n'),
    );
  }
  const outputs = await db
    .selectFrom('transfer_manifest')
    .select('path')
    .where('storage', '=', 'output')
    .where('path', 'like', `/${taskId}_%`)
    .execute();
  const images = outputs.filter((o) => o.path.endsWith('.png'));
  assert.equal(images.length, frames, `one image per frame: ${outputs.map((o) => o.path).join(', ')}`);
  return { attempts: rows.map((r) => r.attempt) };
}

/**
 * A frame done and the next one leased; with `rendering`, also reporting progress, so its Blender
 * is rendering it (between the lease and the render, the node pings its idle session first: a
 * kill there fails the ping and the frame starts in a new session without a second attempt).
 */
async function frameDoneAndNextRunning(taskId: number, rendering = false): Promise<boolean> {
  const rows = await server.farm.store.db
    .selectFrom('frames')
    .select(['state', 'progress'])
    .where('task_id', '=', taskId)
    .execute();
  return (
    rows.some((r) => r.state === FrameStatus.DONE) &&
    rows.some((r) => r.state === FrameStatus.RUNNING && (!rendering || r.progress > 0))
  );
}

async function node(name: string, warm: { maxFrames?: number; maxRssBytes?: number }) {
  const w = await createWorker(server.farm.store.db, name);
  const log: string[] = [];
  const workDir = join(root, name);
  const agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir,
    threads: 1,
    renderers: [blender!],
    warm,
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

test('frame limit and task change end warm sessions; every frame done once; no Blender left', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const n = await node('limits', { maxFrames: 2 });
  try {
    const a = await submitSampleScene(server, root, { frames: 5, size: 32, userName: 'limits-a' });
    await waitUntil('task A', async () => (await taskStatus(a.taskId)) === TaskStatus.FINISHED, 240_000);
    const b = await submitSampleScene(server, root, { frames: 2, size: 32, userName: 'limits-b' });
    await waitUntil('task B', async () => (await taskStatus(b.taskId)) === TaskStatus.FINISHED, 240_000);
    assert.deepEqual((await assertDoneOnce(a.taskId, 5)).attempts, [1, 1, 1, 1, 1]);
    assert.deepEqual((await assertDoneOnce(b.taskId, 2)).attempts, [1, 1]);
    const ended = n.agent.warm!.ended;
    // The farm marks the task finished on the last frame's report; the node gives that frame's
    // session back (here: ends it at its limit) only once the report's answer is in.
    await waitUntil("task B's session to end at its limit", async () => ended.frameLimit >= 3, 30_000);
    // Task A: 5 frames, 2 per session: sessions end after frames 2 and 4; the third holds frame 5
    // until task B's first frame ends it; task B's session ends after its 2 frames.
    const why = `${JSON.stringify(ended)}\n${n.log.join('\n')}`;
    assert.equal(ended.frameLimit, 3, why);
    assert.equal(ended.taskChange, 1, why);
    assert.equal(ended.failed, 0, `${JSON.stringify(ended)}\n${n.log.join('\n')}`);
  } finally {
    await n.stop();
  }
  assert.deepEqual(blendersUnder(n.workDir), [], 'no Blender left after the node stops');
  assert.deepEqual(await readdir(join(n.workDir, 'leases')), [], 'warm folders removed');
});

test('the memory limit ends each session after its frame; every frame done once; no Blender left', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  // A limit every Blender passes: each session is ended once its frame is reported.
  const n = await node('memory', { maxRssBytes: 1 });
  try {
    const a = await submitSampleScene(server, root, { frames: 3, size: 32, userName: 'memory-a' });
    await waitUntil('task A', async () => (await taskStatus(a.taskId)) === TaskStatus.FINISHED, 240_000);
    assert.deepEqual((await assertDoneOnce(a.taskId, 3)).attempts, [1, 1, 1]);
    const ended = n.agent.warm!.ended;
    await waitUntil('the last session to end at the limit', async () => ended.memory >= 3, 30_000);
    const why = `${JSON.stringify(ended)}\n${n.log.join('\n')}`;
    assert.equal(ended.memory, 3, why);
    assert.equal(ended.failed, 0, why);
    assert.ok(
      n.log.some((m) => / ended: its renderer uses \d+ MiB/.test(m)),
      why,
    );
  } finally {
    await n.stop();
  }
  assert.deepEqual(blendersUnder(n.workDir), [], 'no Blender left after the node stops');
});

test('a task with task_info.warm_session "off" renders cold on a warm node: no session is started', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const n = await node('per-task-off', {});
  try {
    const a = await submitSampleScene(server, root, {
      frames: 2,
      size: 32,
      userName: 'per-task-off-a',
      taskInfo: { warm_session: 'off' },
    });
    await waitUntil('task A', async () => (await taskStatus(a.taskId)) === TaskStatus.FINISHED, 240_000);
    assert.deepEqual((await assertDoneOnce(a.taskId, 2)).attempts, [1, 1]);
    assert.deepEqual(n.agent.warm!.idleKeys, [], 'no session kept open');
  } finally {
    await n.stop();
  }
  // Every session a node starts is ended with a reason when the node stops, at the latest.
  const ended = n.agent.warm!.ended;
  assert.equal(
    Object.values(ended).reduce((x, y) => x + y, 0),
    0,
    `${JSON.stringify(ended)}\n${n.log.join('\n')}`,
  );
  assert.ok(!n.log.some((m) => m.startsWith('warm renderer')), n.log.join('\n'));
  assert.deepEqual(blendersUnder(n.workDir), [], 'no Blender left after the node stops');
});

test('the warm Blender killed mid-frame: the frame is rendered again, every frame done once', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const n = await node('killed', {});
  try {
    // 3 frames at 1024²: each takes long enough to be caught rendering.
    const a = await submitSampleScene(server, root, { frames: 3, size: 1024, userName: 'killed-a' });
    // The first frame done: the session is warm; kill it during the next.
    await waitUntil(
      'a frame done and the next rendering',
      () => frameDoneAndNextRunning(a.taskId, true),
      240_000,
    );
    const pid = await warmBlenderPid(n.workDir);
    process.kill(pid, 'SIGKILL');
    await waitUntil('the task', async () => (await taskStatus(a.taskId)) === TaskStatus.FINISHED, 240_000);
    const { attempts } = await assertDoneOnce(a.taskId, 3);
    assert.ok(
      attempts.some((x) => x === 2),
      `the killed frame ran again: ${attempts}\n${n.log.join('\n')}`,
    );
    assert.ok(n.agent.warm!.ended.failed >= 1);
  } finally {
    await n.stop();
  }
  assert.deepEqual(blendersUnder(n.workDir), [], 'no Blender left after the node stops');
});

test('a frame cancelled while it renders warm: its Blender is killed; the task, started again, ends with every frame done once', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const n = await node('cancelled', {});
  try {
    const a = await submitSampleScene(server, root, { frames: 3, size: 1024, userName: 'cancelled-a' });
    await waitUntil(
      'a frame done and the next rendering',
      () => frameDoneAndNextRunning(a.taskId, true),
      240_000,
    );
    const pid = await warmBlenderPid(n.workDir);
    await a.api.task.stopTask([a.taskId]);
    await waitUntil('the warm Blender to be killed', async () => !groupAlive(pid), 30_000);
    // The lease's run then gives its session back, which ends it rather than keeping it idle.
    await waitUntil('the session to end', async () => n.agent.warm!.ended.failed >= 1, 30_000);
    assert.deepEqual(n.agent.warm!.idleKeys, []);
    await a.api.task.startTask([a.taskId]);
    await waitUntil('the task', async () => (await taskStatus(a.taskId)) === TaskStatus.FINISHED, 240_000);
    await assertDoneOnce(a.taskId, 3);
  } finally {
    await n.stop();
  }
  assert.deepEqual(blendersUnder(n.workDir), [], 'no Blender left after the node stops');
});

test('a node killed with SIGKILL while its Blender is warm: the Blender dies within seconds', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const db = server.farm.store.db;
  const w = await createWorker(db, 'doomed');
  const workDir = join(root, 'doomed');
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      fileURLToPath(new URL('warm-node-process.ts', import.meta.url)),
      server.url,
      w.token,
      workDir,
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  t.after(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  const a = await submitSampleScene(server, root, { frames: 3, size: 1024, userName: 'doomed-a' });
  await waitUntil(
    'a frame done and the next rendering warm',
    async () =>
      (await frameDoneAndNextRunning(a.taskId)) &&
      (await readdir(join(workDir, 'pids')).catch(() => [])).some((f) => f.startsWith('-')),
    240_000,
  );
  const pid = await warmBlenderPid(workDir);
  assert.ok(groupAlive(pid), 'the warm Blender runs');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  // Its wrapper sees the node gone and ends the group: SIGTERM, then SIGKILL 2 s later.
  await waitUntil('the warm Blender to die with its node', async () => !groupAlive(pid), 10_000);
  assert.deepEqual(blendersUnder(workDir), []);
  // The farm's frames are left to the reaper; stop the task so later tests are not handed them.
  await a.api.task.stopTask([a.taskId]);
});
