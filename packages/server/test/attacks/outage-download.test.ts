/**
 * The farm goes down (kill -9) in the middle of a realtime download and stays
 * down longer than every retry budget of the client — a signed call's five
 * attempts (about 4 s) and a file's five attempts (0.5 + 1 + 2 + 4 s) — then
 * comes back on the same port and data. `autoDownload` rides it out: it says
 * the farm is unreachable, keeps trying with back-off, resumes the file it was
 * fetching, follows the frame rendered after the restart, and ends with every
 * file and no failure. (Before, the first status refresh or file that
 * exhausted its retries during the outage ended the whole call.)
 *
 * The farm runs in a child process (outage-farm.ts) so it can really be
 * killed; the render node runs here and really renders with Blender. The
 * download is capped at 96 KB/s so the kill lands while the first frame's
 * bytes are still coming.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { analyzeScene } from '@openfarm/analyzers';
import { TaskStatus } from '@openfarm/protocol';
import { RayvisionAPI, RayvisionDownload, RayvisionUpload } from '@openfarm/sdk';
import { createUser, type NewUser, setUserDisabled, startServer, transferPlugin } from '@openfarm/server';
import { Agent, blenderAdapter, type InstalledRenderer } from '@openfarm/worker';
import { generateSampleScene } from '../../../../scripts/sample-scene/generate.js';
import { firstLine, spawnTsx } from '../../../../scripts/test-support/child-farm.js';
import { requireProgram } from '../../../../scripts/test-support/require-program.js';
import { artistApi, submitAnalyzedScene } from '../../../../scripts/test-support/submit-scene.js';

const FARM_SCRIPT = fileURLToPath(new URL('outage-farm.ts', import.meta.url));
/** Longer than a file's retries (7.5 s) and a signed call's (under 4 s) together with the restart. */
const OUTAGE_MS = 9000;

interface FarmProcess {
  child: ChildProcess;
  url: string;
  user?: NewUser;
  workerToken?: string;
}

const children: ChildProcess[] = [];
const agents: Agent[] = [];
let root: string | undefined;
after(async () => {
  for (const a of agents) await a.stop().catch(() => undefined);
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  if (root !== undefined) await rm(root, { recursive: true, force: true });
});

/** `mode`: `init` (a new farm with an account and a node token) or `listen-after=<ms>`. */
async function startFarmProcess(dataDir: string, port: number, mode: string): Promise<FarmProcess> {
  const child = spawnTsx(FARM_SCRIPT, [dataDir, String(port), mode]);
  children.push(child);
  const line = await firstLine(child, 'farm process');
  return { child, ...(JSON.parse(line) as Omit<FarmProcess, 'child'>) };
}

async function killFarm(farm: FarmProcess): Promise<void> {
  const exited = new Promise((r) => farm.child.once('exit', r));
  farm.child.kill('SIGKILL');
  await exited;
}

/** The artist's side: the sample scene analyzed, checked, uploaded and submitted. */
async function submitScene(api: RayvisionAPI, dir: string, blendPath: string): Promise<number> {
  const analyzer = await analyzeScene(blendPath, {
    workspace: await mkdtemp(join(dir, 'ws-')),
    platform: '2',
  });
  return submitAnalyzedScene(api, analyzer, join(dir, 'db_config.ini'));
}

async function startNode(
  blender: InstalledRenderer,
  url: string,
  token: string,
  workDir: string,
): Promise<Agent> {
  const agent = await Agent.create({ server: url, token, workDir, threads: 1, renderers: [blender] });
  agents.push(agent);
  agent.run().catch(() => undefined);
  return agent;
}

test('autoDownload rides out a farm killed for longer than its retries, and ends with every frame', {
  timeout: 180_000,
}, async (t) => {
  const blender = await blenderAdapter.detect();
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || blender === undefined) return t.skip(skip || undefined);
  const t0 = performance.now();
  const mark = (what: string) => console.log(`# ${((performance.now() - t0) / 1000).toFixed(1)} s ${what}`);
  root = await mkdtemp(join(tmpdir(), 'openfarm-outage-'));
  const dataDir = join(root, 'farm');
  const starting = startFarmProcess(dataDir, 0, 'init');
  const frames = 2;
  // Blender makes the scene while the farm process loads.
  const scene = generateSampleScene({ outDir: join(root, 'scene'), frames, size: 512 });
  const first = await starting;
  mark('farm up');
  const port = Number(new URL(first.url).port);
  const user = first.user as NewUser;
  // The default retry policy: the budget the old code gave up after.
  const api = artistApi(first.url, user);
  const taskId = await submitScene(api, root, scene.blendPath);
  mark('submitted');
  const folder = (await api.query.taskInfo([taskId])).items[0]?.outputFileName as string;
  const node = await startNode(blender, first.url, first.workerToken as string, join(root, 'node-1'));

  const download = new RayvisionDownload(api, { logDir: join(root, 'logs') });
  const landed: string[] = [];
  download.on('file', (f) => landed.push(f.serverPath));
  const notices: string[] = [];
  download.on('unreachable', (u) =>
    notices.push(`down since ${u.since.toISOString()}, next try in ${u.retryInMs} ms`),
  );
  download.on('reachable', (r) => notices.push(`back after ${r.downMs} ms`));
  let killedAt = 0;
  let killing: Promise<void> | undefined;
  const killed = new Promise<void>((resolve) => {
    download.on('progress', (p) => {
      if (killing !== undefined || p.phase !== 'download' || p.bytesDone === 0 || p.bytesDone >= p.bytesTotal)
        return;
      killedAt = performance.now();
      killing = killFarm(first).then(resolve);
    });
  });
  const localPath = join(root, 'renders');
  const following = download.autoDownload([taskId], {
    localPath,
    sleepTime: 1,
    maxSpeed: 96,
    // Capped low so the test sees the farm back within a second of its restart.
    maxRetryWait: 1,
  });
  following.catch(() => undefined);
  await Promise.race([
    killed,
    following.then(() => assert.fail('autoDownload ended before the farm was killed')),
  ]);
  mark('killed');
  assert.ok(landed.length < frames, 'the farm was killed before every frame was on disk');
  // The node goes with the farm (its render is killed); another one takes the frame after the restart.
  const stopping = node.stop();

  const second = await startFarmProcess(dataDir, port, `listen-after=${OUTAGE_MS}`);
  mark('restarted');
  const downMs = performance.now() - killedAt;
  console.log(`# farm down for ${(downMs / 1000).toFixed(1)} s`);
  await stopping;
  mark('old node stopped');
  await startNode(blender, second.url, first.workerToken as string, join(root, 'node-2'));

  const report = await following;
  mark('download done');
  assert.deepEqual(report.failures, []);
  assert.deepEqual(
    [...landed].sort(),
    Array.from({ length: frames }, (_, i) => `/${folder}/sample_${String(i + 1).padStart(4, '0')}.png`),
  );
  console.log(`# ${notices.join('; ')}`);
  assert.ok(
    notices.some((n) => n.startsWith('down since')),
    'the outage was reported',
  );
  assert.ok(notices.at(-1)?.startsWith('back after'), 'and its end');
  // Every file on disk is the farm's: a second pass finds them all identical.
  const again = await download.download({ taskIdList: [taskId], localPath, printLog: false });
  assert.equal(again.identical, frames);
  assert.equal(again.downloadedFiles, 0);
});

test('autoDownloadAfterTaskCompleted waits out a farm that is down longer than a call’s retries', {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-outage-after-'));
  const dataDir = join(dir, 'farm');
  const open = (port: number) =>
    startServer({ dataDir, port, logLevel: 'silent', plugins: [transferPlugin()] });
  let server = await open(0);
  const port = Number(new URL(server.url).port);
  try {
    const user = await createUser(server.farm.store.db, 'after');
    const api = new RayvisionAPI({
      domain: `127.0.0.1:${port}`,
      protocol: 'http',
      accessId: user.accessId,
      accessKey: user.accessKey,
      platform: '2',
    });
    const taskId = (await api.task.createTask()).taskIdList[0] as number;
    const folder = `${taskId}_after`;
    await server.farm.store.db
      .updateTable('tasks')
      .set({ output_file_name: folder, status: TaskStatus.RENDERING })
      .where('id', '=', taskId)
      .execute();
    await writeFile(join(dir, 'frame.exr'), 'exr bytes');
    await new RayvisionUpload(api, { dbConfigPath: join(dir, 'db_config.ini') }).uploadFiles(
      'output',
      [{ localPath: join(dir, 'frame.exr'), serverPath: `/${folder}/frame.exr` }],
      { isDb: false },
    );
    const download = new RayvisionDownload(api, { logDir: dir });
    const unreachable: number[] = [];
    download.on('unreachable', (u) => unreachable.push(u.retryInMs));
    const waiting = download.autoDownloadAfterTaskCompleted([taskId], {
      localPath: join(dir, 'renders'),
      downloadFilenameFormat: 'false',
      sleepTime: 0.2,
      maxRetryWait: 0.5,
    });
    waiting.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    server.app.server.closeAllConnections();
    await server.close();
    // A signed call gives up after five attempts (under 4 s): the farm stays away longer.
    await new Promise((r) => setTimeout(r, 6000));
    server = await open(port);
    await server.farm.store.db
      .updateTable('tasks')
      .set({ status: TaskStatus.FINISHED })
      .where('id', '=', taskId)
      .execute();
    const report = await waiting;
    assert.equal(report.downloadedFiles, 1);
    assert.equal(await readFile(join(dir, 'renders', 'frame.exr'), 'utf8'), 'exr bytes');
    assert.ok(unreachable.length > 0, 'the outage was reported');
    assert.ok(
      unreachable.every((ms) => ms <= 500),
      `waits capped by maxRetryWait: ${unreachable.join(', ')}`,
    );
  } finally {
    server.app.server.closeAllConnections();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});

test('what a retry cannot fix still ends the follow: an account disabled while it runs (804)', {
  timeout: 60_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-outage-final-'));
  const server = await startServer({
    dataDir: join(dir, 'farm'),
    port: 0,
    logLevel: 'silent',
    plugins: [transferPlugin()],
  });
  try {
    const db = server.farm.store.db;
    const user = await createUser(db, 'soon-disabled');
    const api = artistApi(server.url, user);
    const taskId = (await api.task.createTask()).taskIdList[0] as number;
    await db
      .updateTable('tasks')
      .set({ output_file_name: `${taskId}_x`, status: TaskStatus.RENDERING })
      .where('id', '=', taskId)
      .execute();
    const download = new RayvisionDownload(api, { logDir: dir });
    const following = download.autoDownload([taskId], { localPath: join(dir, 'renders'), sleepTime: 0.2 });
    following.catch(() => undefined);
    await new Promise((r) => setTimeout(r, 500));
    await setUserDisabled(db, 'soon-disabled', true);
    // Something happens to the task: the next pass meets the refusal (the stream may be cut too).
    server.farm.events.publish({ userId: user.userId, type: 'task', taskId, status: TaskStatus.RENDERING });
    await assert.rejects(following, (e: Error & { code?: number }) => e.code === 804);
  } finally {
    server.app.server.closeAllConnections();
    await server.close();
    await rm(dir, { recursive: true, force: true });
  }
});
