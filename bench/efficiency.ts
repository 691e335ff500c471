/**
 * Farm efficiency: a 12-frame Blender job rendered by the farm on 2 local
 * render nodes, against the same 12 frames rendered by bare
 * `blender -b scene -o … -f N` processes, 2 at a time, in the same run and on
 * the same machine. Efficiency = bare wall time / farm wall time (goal ≥ 0.90).
 * The farm's time runs from submit to the last frame done, so it includes
 * leasing, staging inputs, log and output uploads and thumbnails.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeScene } from '@openfarm/analyzers';
import { TaskStatus } from '@openfarm/protocol';
import { RayvisionAPI, RayvisionCheck, RayvisionUpload } from '@openfarm/sdk';
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

const FRAMES = 12;
const NODES = 2;
const SIZE = Number(process.env.BENCH_SIZE ?? 128);
const threads = Math.max(1, Math.floor(availableParallelism() / NODES));

const blender = await blenderAdapter.detect();
if (blender === undefined) {
  console.log('blender is not installed: nothing to measure');
  process.exit(0);
}
const root = await mkdtemp(join(tmpdir(), 'openfarm-bench-efficiency-'));
const scene = generateSampleScene({ outDir: join(root, 'scene'), size: SIZE, frames: FRAMES });

// Peer: bare Blender, NODES processes at a time over the same frames.
async function bare(): Promise<number> {
  const queue = Array.from({ length: FRAMES }, (_, i) => i + 1);
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

async function farm(): Promise<number> {
  const server = await startServer({
    dataDir: join(root, 'farm'),
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
      workDir: join(root, `node-${i}`),
      cacheDir: join(root, 'cache'),
      threads,
      renderers: [blender!],
    });
    agents.push(agent);
    runs.push(agent.run());
  }
  const analyzer = await analyzeScene(scene.blendPath, {
    workspace: await mkdtemp(join(root, 'ws-')),
    platform: '2',
  });
  const api = new RayvisionAPI({
    domain: new URL(server.url).host,
    protocol: 'http',
    accessId: user.accessId,
    accessKey: user.accessKey,
    platform: '2',
  });
  const taskId = await new RayvisionCheck(api, {
    taskJson: analyzer.taskJson,
    uploadJson: analyzer.uploadJson,
    tipsJson: analyzer.tipsJson,
    assetJson: analyzer.assetJson,
  }).execute({ hardwareConfig: { model: 'Default', ram: '64GB', gpuNum: null } });
  await new RayvisionUpload(api, { dbConfigPath: join(root, 'db_config.ini') }).uploadAsset(
    analyzer.uploadJson,
  );
  for (const [file, name] of [
    [analyzer.taskJson, 'task.json'],
    [analyzer.uploadJson, 'upload.json'],
  ] as const) {
    await api.transmit.uploadJsonContent(taskId, await readFile(file, 'utf8'), name);
  }
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

// bare, farm, bare: the mean of the two bare runs brackets the farm's, so load that
// drifts during the run (other work on the machine, cold caches) weighs on both sides.
const bareFirst = await bare();
const farmSeconds = await farm();
const bareSeconds = (bareFirst + (await bare())) / 2;
await rm(root, { recursive: true, force: true });
console.log(`${FRAMES} frames at ${SIZE}×${SIZE}, ${NODES} nodes × ${threads} thread(s)`);
console.log(`bare blender -b -f: ${bareSeconds.toFixed(1)} s (mean of the runs before and after the farm's)`);
console.log(`farm (submit → last frame done): ${farmSeconds.toFixed(1)} s`);
console.log(`farm efficiency: ${(bareSeconds / farmSeconds).toFixed(2)} (goal ≥ 0.90)`);
