/**
 * Stop and abandon through the farm, with real Blender: the artist's API call
 * reaches the node (poll answer or refused report), the node kills the
 * renderer's whole process group (SIGTERM, grace, SIGKILL), the frame is never
 * reported done, and the node goes on to render other work.
 *
 * Built for a loaded 2-core machine: a 4096×4096 frame takes Blender about 20 s
 * on one thread of an idle machine, so the call always lands mid-render; the renderer is
 * found in /proc as a child of this process (the node runs in it), not
 * trusted from the node's own records; every wait has a generous bound.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, watch } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
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
  LeaseLostError,
  NodeApi,
  signalGroup,
} from '@openfarm/worker';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;
let agent: Agent | undefined;
let running: Promise<void> | undefined;
let nodeToken = '';
const nodeLog: string[] = [];
const t0 = performance.now();
const workDir = () => join(root, 'node');
/** Tasks stopped or abandoned by the tests, and any "frame done" event the farm published for them. */
const cancelledTasks = new Set<number>();
const lateDone: string[] = [];
const unsubscribes: Array<() => void> = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-farm-stop-'));
  blender = await blenderAdapter.detect();
  // Short polls so a cancel reaches the node quickly; a long TTL so a busy machine reaps nothing.
  server = await startFarm(join(root, 'farm'), { leaseTtlMs: 20_000, reapIntervalMs: 200, maxPollMs: 500 });
  if (!blender) return;
  const w = await createWorker(server.farm.store.db, 'stopper');
  nodeToken = w.token;
  agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir: workDir(),
    threads: 1,
    renderers: [blender],
    log: (m) => nodeLog.push(`${((performance.now() - t0) / 1000).toFixed(2)} s ${m}`),
  });
  running = agent.run();
});
after(async () => {
  for (const u of unsubscribes) u();
  await agent?.stop();
  await running;
  // Whatever failed, no renderer this process started may outlive the file.
  for (const pid of blenderChildren()) signalGroup(pid, 'SIGKILL');
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

/** Fields of /proc/<pid>/stat: the command name, then state, ppid, pgrp, … */
function procStat(pid: number): { comm: string; state: string; ppid: number } | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const close = stat.lastIndexOf(')');
  const [state, ppid] = stat.slice(close + 2).split(' ');
  return { comm: stat.slice(stat.indexOf('(') + 1, close), state: state ?? '', ppid: Number(ppid) };
}

/** Live Blender processes whose parent is this process, i.e. renderers the node started. */
function blenderChildren(): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = procStat(Number(name));
    if (s && s.ppid === process.pid && s.comm.startsWith('blender') && s.state !== 'Z')
      pids.push(Number(name));
  }
  return pids;
}

function processAlive(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z' && s.state !== 'X';
}

/** The pid the node recorded for `frameId`'s renderer (its process group leader). */
async function recordedPid(frameId: number): Promise<number | undefined> {
  const files = await readdir(join(workDir(), 'pids')).catch(() => [] as string[]);
  if (!files.includes(`${frameId}.json`)) return undefined;
  return (JSON.parse(await readFile(join(workDir(), 'pids', `${frameId}.json`), 'utf8')) as { pid: number })
    .pid;
}

for (const action of ['stop', 'abandon'] as const) {
  test(`${action} kills the running renderer through the farm`, { timeout: 100_000 }, async (t) => {
    const skip = requireProgram('blender', { found: blender !== undefined });
    if (skip || !blender || !agent) return t.skip(skip || undefined);
    const db = server.farm.store.db;
    const { taskId, userId, api } = await submitSampleScene(server, root, {
      frames: 1,
      size: 4096,
      userName: `artist-${action}`,
    });
    cancelledTasks.add(taskId);
    unsubscribes.push(
      server.farm.events.subscribe(userId, (e) => {
        if (e.type === 'frame' && e.status === FrameStatus.DONE && cancelledTasks.has(e.taskId))
          lateDone.push(`task ${e.taskId} frame ${e.frameId}`);
      }),
    );
    const frame = () =>
      db.selectFrom('frames').selectAll().where('task_id', '=', taskId).executeTakeFirstOrThrow();

    // Rendering: the frame is leased, a Blender child of the node runs it, and it has reported
    // progress (Blender is in its sample loop, where it prints a line only every few seconds).
    let renderer: number | undefined;
    await waitUntil(
      'the node to render with Blender',
      async () => {
        const children = blenderChildren();
        renderer = children.length === 1 ? children[0] : undefined;
        const f = await frame();
        return renderer !== undefined && f.state === FrameStatus.RUNNING && f.progress > 0;
      },
      60_000,
    );
    const pid = renderer as number;
    const leased = await frame();
    assert.equal(leased.node_name, 'stopper');
    assert.equal(await recordedPid(leased.id), pid, 'the node recorded the Blender it runs');
    // Whatever Blender writes into the lease's output folder: a finished render saves its image
    // there, a killed one writes nothing. (A render left to finish could otherwise pass the test.)
    const written: string[] = [];
    const outDir = join(workDir(), 'leases', `${leased.id}-${leased.lease_epoch}`, 'out');
    const watcher = watch(outDir, (_event, name) => {
      if (name !== null && String(name).startsWith('sample_')) written.push(String(name));
    });
    watcher.on('error', () => undefined);
    t.after(() => watcher.close());
    const doneBefore = agent.outcomes.done;
    const cancelledBefore = agent.outcomes.cancelled;

    const asked = performance.now();
    if (action === 'stop') await api.task.stopTask([taskId]);
    else await api.task.abortTask([taskId]);
    const answered = performance.now();
    await waitUntil(
      'Blender to be killed',
      async () => !processAlive(pid) && !groupAlive(pid) && blenderChildren().length === 0,
      20_000,
    ).catch((err: Error) => {
      throw new Error(`${err.message}; node log:\n${nodeLog.join('\n')}`);
    });
    const gone = performance.now();
    t.diagnostic(
      `${action}: API call ${(answered - asked).toFixed(0)} ms, Blender gone ${((gone - asked) / 1000).toFixed(2)} s after the call`,
    );
    await waitUntil(
      'the node to count the frame cancelled',
      async () => agent!.outcomes.cancelled === cancelledBefore + 1,
      10_000,
    );
    assert.equal(agent.outcomes.done, doneBefore, 'the node reported nothing done');
    assert.deepEqual(written, [], 'Blender was killed before it saved the frame');

    const task = await db
      .selectFrom('tasks')
      .select('status')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    assert.equal(task.status, action === 'stop' ? TaskStatus.STOPPED : TaskStatus.ABANDONED);
    const f = await frame();
    assert.equal(f.state, FrameStatus.STOPPED, `frame state ${f.state}`);
    const outputs = await db
      .selectFrom('transfer_manifest')
      .select('path')
      .where('storage', '=', 'output')
      .where('path', 'like', `/${taskId}_%`)
      .execute();
    assert.deepEqual(outputs, [], 'no output of the killed render');
    assert.equal(await recordedPid(leased.id), undefined, 'the pid record is gone with the renderer');
    // A "done" for the stopped lease, had the node sent one late, is refused.
    await assert.rejects(
      new NodeApi(server.url, nodeToken).complete({ frameId: leased.id, epoch: leased.lease_epoch }),
      LeaseLostError,
    );
    assert.equal((await frame()).state, FrameStatus.STOPPED);
    assert.deepEqual(lateDone, []);
  });
}

test('after the stops the node goes on rendering other work', { timeout: 100_000 }, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender || !agent) return t.skip(skip || undefined);
  const db = server.farm.store.db;
  const doneBefore = agent.outcomes.done;
  const { taskId } = await submitSampleScene(server, root, { frames: 1, size: 64, userName: 'artist-after' });
  await waitUntil(
    'the small task to finish',
    async () =>
      (await db.selectFrom('tasks').select('status').where('id', '=', taskId).executeTakeFirstOrThrow())
        .status === TaskStatus.FINISHED,
    90_000,
  );
  // The farm has the report before the node has counted it.
  await waitUntil(
    'the node to count the frame done',
    async () => agent!.outcomes.done === doneBefore + 1,
    10_000,
  );
  assert.equal(
    (
      await db
        .selectFrom('frames')
        .select('node_name')
        .where('task_id', '=', taskId)
        .executeTakeFirstOrThrow()
    ).node_name,
    'stopper',
  );
  // Nothing of the stopped tasks came back to life or was reported done late.
  if (cancelledTasks.size > 0) {
    const states = await db
      .selectFrom('frames')
      .select('state')
      .where('task_id', 'in', [...cancelledTasks])
      .execute();
    assert.ok(
      states.every((s) => s.state === FrameStatus.STOPPED),
      JSON.stringify(states),
    );
  }
  assert.deepEqual(lateDone, []);
});
