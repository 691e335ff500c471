/**
 * A farm on 127.0.0.1 for the worker's end-to-end tests, and the artist's side
 * of a job: the sample scene analyzed, checked, uploaded and submitted through
 * the SDK. The artist's files are deleted after upload, so a render can only
 * use the farm's copies.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { analyzeScene } from '@openfarm/analyzers';
import { TaskStatus } from '@openfarm/protocol';
import { type RayvisionAPI, RayvisionDownload } from '@openfarm/sdk';
import {
  configStoragePlugin,
  createUser,
  createWorker,
  type Database,
  type RunningFarmServer,
  type SchedulerPolicy,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { Agent, type InstalledRenderer } from '@openfarm/worker';
import type { Kysely } from 'kysely';
import { PNG } from 'pngjs';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { artistApi, submitAnalyzedScene } from '../../../scripts/test-support/submit-scene.js';

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
  opts: { frames: number; size?: number; userName: string; taskInfo?: Record<string, string> },
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
  if (opts.taskInfo !== undefined) {
    // Options an artist sets in the analyzed task.json before submitting it.
    const task = JSON.parse(await readFile(analyzer.taskJson, 'utf8')) as {
      task_info: Record<string, string>;
    };
    Object.assign(task.task_info, opts.taskInfo);
    await writeFile(analyzer.taskJson, JSON.stringify(task));
  }
  const api = artistApi(server.url, user);
  // Job files over HTTP (taskJsonFile), as `openfarm render` sends them; the
  // config-storage way is covered by the server's own tests.
  const taskId = await submitAnalyzedScene(api, analyzer, join(root, `${opts.userName}-db_config.ini`));
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

/**
 * Waits for the task to finish; `checkStatus` sees every status polled on the way, so a test
 * can fail at once on one it does not expect (a failed task) instead of at the timeout.
 */
export async function waitForTaskFinished(
  db: Kysely<Database>,
  taskId: number,
  timeoutMs: number,
  checkStatus: (status: number) => void = () => {},
): Promise<void> {
  await waitUntil(
    'the task to finish',
    async () => {
      const task = await db
        .selectFrom('tasks')
        .select('status')
        .where('id', '=', taskId)
        .executeTakeFirstOrThrow();
      checkStatus(task.status);
      return task.status === TaskStatus.FINISHED;
    },
    timeoutMs,
  );
}

/**
 * The renderer run through a shell script at `scriptPath` (`#!/bin/sh` then `body`), for a test
 * that needs the real renderer plus something around it: extra output, a crash, a stray file.
 */
export async function wrapRenderer(
  renderer: InstalledRenderer,
  scriptPath: string,
  body: string,
): Promise<InstalledRenderer> {
  await writeFile(scriptPath, `#!/bin/sh\n${body}`);
  await chmod(scriptPath, 0o755);
  return { ...renderer, executable: scriptPath };
}

/** A render node (the real agent) registered on the farm and running until `stop`. */
export async function startRenderNode(
  db: Kysely<Database>,
  opts: { server: string; name: string; workDir: string; cacheDir?: string; renderer: InstalledRenderer },
): Promise<{ agent: Agent; stop(): Promise<void> }> {
  const w = await createWorker(db, opts.name);
  const agent = await Agent.create({
    server: opts.server,
    token: w.token,
    workDir: opts.workDir,
    cacheDir: opts.cacheDir,
    threads: 1,
    renderers: [opts.renderer],
  });
  const running = agent.run();
  return {
    agent,
    stop: async () => {
      await agent.stop();
      await running;
    },
  };
}

export interface TaskOutputs {
  /** The task's output folder on the farm. */
  readonly outputFileName: string;
  /** The user's output files in the manifest, by path. */
  readonly outputs: { path: string; sha256: string; size: number }[];
}

export async function taskOutputs(
  db: Kysely<Database>,
  taskId: number,
  userId: number,
): Promise<TaskOutputs> {
  const task = await db
    .selectFrom('tasks')
    .select('output_file_name')
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  const outputs = await db
    .selectFrom('transfer_manifest')
    .select(['path', 'sha256', 'size'])
    .where('user_id', '=', userId)
    .where('storage', '=', 'output')
    .orderBy('path')
    .execute();
  return { outputFileName: task.output_file_name, outputs };
}

/**
 * The sample scene's frames downloaded through the SDK into `root`/downloaded and checked: the
 * hashes the manifest records, PNGs at 64×64, and the remapped absolute texture's stripes (not
 * the missing-texture magenta) at (44,40).
 */
export async function downloadAndCheckFrames(
  api: RayvisionAPI,
  root: string,
  task: TaskOutputs,
): Promise<void> {
  const dest = join(root, 'downloaded');
  const r = await new RayvisionDownload(api, { logDir: join(root, 'logs') }).download({
    serverPath: task.outputFileName,
    localPath: dest,
  });
  assert.equal(r.downloadedFiles, task.outputs.length);
  for (const o of task.outputs) {
    const bytes = await readFile(join(dest, o.path));
    assert.equal(createHash('sha256').update(bytes).digest('hex'), o.sha256, o.path);
    const png = PNG.sync.read(bytes);
    assert.equal(png.width, 64);
    assert.equal(png.height, 64);
    const i = (png.width * 40 + 44) * 4;
    const [red, green, blue] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
    assert.ok(!(red > 200 && green < 60 && blue > 200), `${o.path}: a texture is missing (magenta)`);
    assert.ok(
      red > 200,
      `${o.path}: the remapped absolute texture's stripes at (44,40): ${[red, green, blue]}`,
    );
  }
}

/**
 * The sample scene's three frames submitted through `submitVia` and rendered
 * by one real node talking to `nodeServer` (the same server or another one of
 * the farm): the task's outputs, each checked to be held by `blobs`, and the
 * artist's API to download them with.
 */
export async function renderSampleOnOneNode(o: {
  submitVia: RunningFarmServer;
  nodeServer: string;
  root: string;
  renderer: InstalledRenderer;
  blobs: { has(key: { sha256: string; size: number }): Promise<boolean> };
}): Promise<{ task: TaskOutputs; api: RayvisionAPI }> {
  const db = o.submitVia.farm.store.db;
  const { taskId, userId, api } = await submitSampleScene(o.submitVia, o.root, {
    frames: 3,
    userName: 'artist',
  });
  const node = await startRenderNode(db, {
    server: o.nodeServer,
    name: 'node-1',
    workDir: join(o.root, 'node-1'),
    cacheDir: join(o.root, 'node-cache'),
    renderer: o.renderer,
  });
  try {
    await waitForTaskFinished(db, taskId, 180_000, (status) => assert.notEqual(status, TaskStatus.FAILED));
  } finally {
    await node.stop();
  }
  const task = await taskOutputs(db, taskId, userId);
  assert.deepEqual(
    task.outputs.map((out) => out.path),
    [1, 2, 3].map((n) => `/${task.outputFileName}/sample_000${n}.png`),
  );
  for (const out of task.outputs)
    assert.equal(await o.blobs.has({ sha256: out.sha256, size: Number(out.size) }), true);
  return { task, api };
}
