/**
 * A farm on 127.0.0.1 for the worker's end-to-end tests, and the artist's side
 * of a job: the sample scene analyzed, checked, uploaded and submitted through
 * the SDK. The artist's files are deleted after upload, so a render can only
 * use the farm's copies.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeScene } from '@openfarm/analyzers';
import { RayvisionAPI, RayvisionCheck, RayvisionUpload } from '@openfarm/sdk';
import {
  configStoragePlugin,
  createUser,
  type RunningFarmServer,
  type SchedulerPolicy,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';

export function startFarm(
  dataDir: string,
  policy: Partial<SchedulerPolicy>,
  port = 0,
): Promise<RunningFarmServer> {
  return startServer({
    dataDir,
    port,
    logLevel: 'silent',
    plugins: [transferPlugin(), configStoragePlugin(), schedulerPlugin({ policy })],
  });
}

/** Close without waiting a minute for the HTTP clients' keep-alive sockets. */
export async function closeFarm(server: RunningFarmServer): Promise<void> {
  server.app.server.closeAllConnections();
  await server.close();
}

export interface SubmittedScene {
  readonly taskId: number;
  readonly userId: number;
  /** The artist's client, for the task actions a user takes next. */
  readonly api: RayvisionAPI;
}

export async function submitSampleScene(
  server: RunningFarmServer,
  root: string,
  opts: { frames: number; size?: number; userName: string },
): Promise<SubmittedScene> {
  const user = await createUser(server.farm.store.db, opts.userName);
  const artistDir = join(root, `${opts.userName}-files`);
  const scene = generateSampleScene({
    outDir: join(artistDir, 'demo'),
    frames: opts.frames,
    size: opts.size,
  });
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
  await new RayvisionUpload(api, { dbConfigPath: join(root, `${opts.userName}-db_config.ini`) }).uploadAsset(
    analyzer.uploadJson,
  );
  // Job files over HTTP (taskJsonFile), as `openfarm render` sends them; the
  // config-storage way is covered by the server's own tests.
  for (const [file, name] of [
    [analyzer.taskJson, 'task.json'],
    [analyzer.uploadJson, 'upload.json'],
  ] as const) {
    await api.transmit.uploadJsonContent(taskId, await readFile(file, 'utf8'), name);
  }
  await api.task.submitTask(taskId);
  await rm(artistDir, { recursive: true, force: true });
  return { taskId, userId: user.userId, api };
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
