/**
 * kill -9 of a render node mid-frame, with real Blender: the frame's lease
 * expires, the reaper returns it, another node renders it, and it is done
 * exactly once; the dead node's late report is refused. The node's Blender
 * dies with it within seconds (its wrapper sees the node gone), and the node,
 * started again on its work folder, removes the scratch folder of the dead run.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, type TestContext, test } from 'node:test';
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
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { closeFarm, startFarm, submitSampleScene, waitUntil } from './farm-support.js';

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

/**
 * A render node process (node-process.ts) given a frame of the sample scene at `size`², killed
 * with SIGKILL once its Blender renders. Returns what the dead node left: its work folder, the
 * frame as leased, Blender's pid (= its process group).
 */
async function killNodeMidFrame(t: TestContext, name: string, size: number, env: NodeJS.ProcessEnv = {}) {
  const db = server.farm.store.db;
  const { taskId } = await submitSampleScene(server, root, { frames: 1, size, userName: `${name}-artist` });
  const worker = await createWorker(db, name);
  const workDir = join(root, name);
  const child = spawn(
    process.execPath,
    [
      '--conditions=source',
      '--import',
      'tsx',
      fileURLToPath(new URL('node-process.ts', import.meta.url)),
    ].concat([server.url, worker.token, workDir]),
    { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } },
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
    `${name} to render`,
    async () =>
      (await frame()).state === FrameStatus.RUNNING &&
      (await readdir(join(workDir, 'pids')).catch(() => [])).length > 0,
    60_000,
  );
  const leased = await frame();
  assert.equal(leased.node_name, name);
  assert.equal(leased.state, FrameStatus.RUNNING);
  const [record] = await readdir(join(workDir, 'pids'));
  const blenderPid = (JSON.parse(await readFile(join(workDir, 'pids', record!), 'utf8')) as { pid: number })
    .pid;
  assert.ok(groupAlive(blenderPid), 'Blender renders');
  assert.ok((await readdir(join(workDir, 'leases'))).length > 0, 'the lease has its scratch folder');
  child.kill('SIGKILL');
  await new Promise((r) => child.once('exit', r));
  return { taskId, worker, workDir, leased, blenderPid, frame, output: () => out };
}

test('a node killed with SIGKILL mid-frame: the frame is re-leased and done exactly once', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  const db = server.farm.store.db;
  // 2048×2048 makes a frame take several seconds: long enough to kill the node mid-render.
  const dead = await killNodeMidFrame(t, 'doomed', 2048);
  const { taskId, leased, frame } = dead;
  const a = dead.worker;
  await waitUntil("the dead node's Blender to end", async () => !groupAlive(dead.blenderPid), 10_000);

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

test('the Blender of a node killed with SIGKILL dies within seconds; the restarted node removes its scratch', async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || !blender) return t.skip(skip || undefined);
  // A renderer that prints nothing while it renders (as Maya or Houdini's mantra can for minutes):
  // Blender with its output sent elsewhere. A chatty one dies of SIGPIPE at its next line once
  // its node is gone; a quiet one would render on.
  const quiet = join(root, 'quiet-blender.sh');
  await writeFile(
    quiet,
    `#!/bin/sh
case " $* " in *" -o "*) exec '${blender.executable}' "$@" >/dev/null 2>&1 ;; esac
exec '${blender.executable}' "$@"
`,
  );
  await chmod(quiet, 0o755);
  // 4096×4096: about 20 s of Blender alone, so a Blender left running is still there when checked.
  const dead = await killNodeMidFrame(t, 'doomed-2', 4096, { OPENFARM_BLENDER: quiet });
  // The renderer, in its own process group, survives its node; its wrapper sees the node gone
  // and ends the whole group (SIGTERM, then SIGKILL 2 s later). Nothing else kills it here.
  const killedAt = Date.now();
  await waitUntil(
    `Blender to die with its node (node output:\n${dead.output()})`,
    async () => !groupAlive(dead.blenderPid),
    8000,
  );
  t.diagnostic(`Blender's group gone ${Date.now() - killedAt} ms after its node was killed`);

  // The node started again on its work folder: nothing left to kill, the scratch folder removed.
  const restartLog: string[] = [];
  await Agent.create({
    server: server.url,
    token: dead.worker.token,
    workDir: dead.workDir,
    threads: 1,
    renderers: [blender],
    log: (m) => restartLog.push(m),
  });
  assert.deepEqual(
    await readdir(join(dead.workDir, 'leases')),
    [],
    'scratch folders of the dead run removed',
  );
  assert.deepEqual(await readdir(join(dead.workDir, 'pids')), [], 'renderer records cleared');
  assert.ok(
    restartLog.some((l) => /removed 1 scratch folder/.test(l)),
    restartLog.join('\n'),
  );
  assert.deepEqual(killLeftoverRenderers(dead.workDir), []);
});
