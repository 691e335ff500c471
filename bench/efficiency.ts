/**
 * Farm efficiency: a Blender job rendered by the farm on 2 local render nodes,
 * against the same frames rendered by bare `blender -b scene -o … -f N`
 * processes, 2 at a time, in the same run and on the same machine, twice:
 * 12 short frames (BENCH_SIZE², default 128²) and 4 longer ones
 * (BENCH_LONG_SIZE², default 1024²). The farm runs each job twice: nodes
 * without warm sessions (a Blender per frame, as bare) and with them (one
 * Blender per node keeps the scene loaded across the task's frames).
 * Ratio = bare wall time / farm wall time; goals: cold ≥ 0.90; warm ≥ 1.5 on
 * the short frames, ≥ 1.0 on the long ones. The farm's time runs from submit
 * to the last frame done, so it includes leasing, staging inputs, log and
 * output uploads and thumbnails.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeScene } from '@openfarm/analyzers';
import { TaskStatus } from '@openfarm/protocol';
import {
  configStoragePlugin,
  createUser,
  createWorker,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { Agent, blenderAdapter } from '@openfarm/worker';
import { generateSampleScene } from '../scripts/sample-scene/generate.js';
import { artistApi, prepareAnalyzedScene } from '../scripts/test-support/submit-scene.js';

const NODES = 2;
const SHORT = { frames: Number(process.env.BENCH_FRAMES ?? 12), size: Number(process.env.BENCH_SIZE ?? 128) };
const LONG = { frames: 4, size: Number(process.env.BENCH_LONG_SIZE ?? 1024) };
const threads = Math.max(1, Math.floor(availableParallelism() / NODES));

const blender = await blenderAdapter.detect();
if (blender === undefined) {
  console.log('blender is not installed: nothing to measure');
  process.exit(0);
}
const root = await mkdtemp(join(tmpdir(), 'openfarm-bench-efficiency-'));

interface Scene {
  readonly blendPath: string;
  readonly frames: number;
}

// Peer: bare Blender, NODES processes at a time over the same frames.
async function bare(scene: Scene): Promise<number> {
  const queue = Array.from({ length: scene.frames }, (_, i) => i + 1);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: NODES }, async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
        const frame = f;
        await new Promise<void>((resolve, reject) => {
          // --factory-startup as the farm's adapter uses it: both skip the user's preferences.
          const p = spawn(
            blender!.executable,
            [
              '-b',
              '--factory-startup',
              scene.blendPath,
              '-o',
              join(root, 'bare', 'f_####'),
              '-F',
              'PNG',
            ].concat(['-t', String(threads), '-f', String(frame)]),
            { stdio: 'ignore' },
          );
          p.once('error', reject);
          p.once('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`blender exited ${code} on frame ${frame}`)),
          );
        });
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

let farmRuns = 0;
async function farm(scene: Scene, warm: boolean): Promise<number> {
  const run = ++farmRuns;
  const server = await startServer({
    dataDir: join(root, `farm-${run}`),
    port: 0,
    logLevel: 'silent',
    plugins: [transferPlugin(), configStoragePlugin(), schedulerPlugin({ policy: { maxPollMs: 2000 } })],
  });
  const db = server.farm.store.db;
  const user = await createUser(db, 'bench');
  const agents: Agent[] = [];
  const runs: Array<Promise<void>> = [];
  for (let i = 1; i <= NODES; i++) {
    const w = await createWorker(db, `node-${i}`);
    const agent = await Agent.create({
      server: server.url,
      token: w.token,
      workDir: join(root, `farm-${run}-node-${i}`),
      cacheDir: join(root, `farm-${run}-cache`),
      threads,
      renderers: [blender!],
      warm: warm ? {} : false,
    });
    agents.push(agent);
    runs.push(agent.run());
  }
  const analyzer = await analyzeScene(scene.blendPath, {
    workspace: await mkdtemp(join(root, 'ws-')),
    platform: '2',
  });
  const api = artistApi(server.url, user);
  const taskId = await prepareAnalyzedScene(api, analyzer, join(root, `db_config-${run}.ini`));
  const started = performance.now();
  await api.task.submitTask(taskId);
  for (;;) {
    const t = await db
      .selectFrom('tasks')
      .select('status')
      .where('id', '=', taskId)
      .executeTakeFirstOrThrow();
    if (t.status === TaskStatus.FINISHED) break;
    if (t.status !== TaskStatus.WAITING && t.status !== TaskStatus.RENDERING)
      throw new Error(`task ended ${t.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(agents.map((a) => a.stop()));
  await Promise.all(runs);
  server.app.server.closeAllConnections();
  await server.close();
  return seconds;
}

// bare, cold farm, warm farm, bare: the mean of the two bare runs brackets the farm's, so load
// that drifts during the run (other work on the machine, cold caches) weighs on both sides.
async function measure(label: string, opts: { frames: number; size: number }, goal: number): Promise<void> {
  const made = generateSampleScene({
    outDir: join(root, `scene-${label}`),
    size: opts.size,
    frames: opts.frames,
  });
  const scene = { blendPath: made.blendPath, frames: opts.frames };
  const bareFirst = await bare(scene);
  const cold = await farm(scene, false);
  const warm = await farm(scene, true);
  const bareSeconds = (bareFirst + (await bare(scene))) / 2;
  console.log(
    `${label}: ${opts.frames} frames at ${opts.size}×${opts.size}, ${NODES} nodes × ${threads} thread(s)`,
  );
  console.log(
    `  bare blender -b -f: ${bareSeconds.toFixed(1)} s (mean of ${bareFirst.toFixed(1)} s before and the run after the farm's)`,
  );
  console.log(
    `  farm cold (submit → last frame done): ${cold.toFixed(1)} s, ratio ${(bareSeconds / cold).toFixed(2)} (goal ≥ 0.90)`,
  );
  console.log(
    `  farm warm (submit → last frame done): ${warm.toFixed(1)} s, ratio ${(bareSeconds / warm).toFixed(2)} (goal ≥ ${goal.toFixed(1)})`,
  );
}

await measure('short frames', SHORT, 1.5);
await measure('long frames', LONG, 1.0);
await rm(root, { recursive: true, force: true });
