/**
 * The SDK over real, non-empty data: one farm, one render node that really
 * renders with Blender, and the artist's calls on what it made.
 *
 * - A rendered task: `getRenderLog` (showLog) pages through the real log of a
 *   frame, `getOutputFiles` lists the real images, and `autoDownload` gets them
 *   all through a reverse proxy that cuts every event-stream connection: the
 *   download falls back to polling every `sleepTime`.
 * - A layered task: a .blend with two scenes becomes a parent with two child
 *   tasks; downloading the parent fetches both children's folders.
 * - `isTestStop`: a task submitted with a test frame and `stop_after_test`
 *   pauses after it; `autoDownload` and `autoDownloadAfterTaskCompleted` with
 *   isTestStop end there with that frame (without it, the latter keeps waiting).
 * - The event stream's token route refused (a reverse proxy that does not pass
 *   it): `autoDownload` polls and still gets every frame of a finished task.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { analyzeScene } from '@openfarm/analyzers';
import { TaskStatus } from '@openfarm/protocol';
import { RayvisionAPI, RayvisionDownload } from '@openfarm/sdk';
import { createUser, createWorker, type RunningFarmServer } from '@openfarm/server';
import { Agent, blenderAdapter, type InstalledRenderer } from '@openfarm/worker';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { artistApi, submitAnalyzedScene } from '../../../scripts/test-support/submit-scene.js';
import { closeFarm, startFarm, waitUntil } from './farm-support.js';

const EVENTS_PATH = '/api/openfarm/events';
const EVENTS_TOKEN_PATH = '/api/openfarm/events/token';

let root: string;
let server: RunningFarmServer;
let blender: InstalledRenderer | undefined;
let agent: Agent | undefined;
let running: Promise<void> | undefined;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-sdk-real-data-'));
  blender = await blenderAdapter.detect();
  // One retry of a failed frame, and no blocklist of the only node before the failing frame's retry.
  server = await startFarm(join(root, 'farm'), {
    leaseTtlMs: 20_000,
    reapIntervalMs: 500,
    maxPollMs: 500,
    maxRetries: 1,
    blocklistAfter: 10,
  });
  if (blender === undefined) return;
  const w = await createWorker(server.farm.store.db, 'real-data-node');
  agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir: join(root, 'node'),
    threads: 1,
    renderers: [blender],
  });
  running = agent.run();
});
after(async () => {
  await agent?.stop();
  await running;
  await closeFarm(server);
  await rm(root, { recursive: true, force: true });
});

/** The artist's side: the sample scene (optionally with a second scene) analyzed, checked, uploaded, submitted. */
async function submit(
  userName: string,
  opts: { frames: number; secondScene?: boolean; taskInfo?: Record<string, string> },
): Promise<{ taskId: number; api: RayvisionAPI; accessId: string; accessKey: string }> {
  const user = await createUser(server.farm.store.db, userName);
  const artistDir = join(root, `${userName}-files`);
  const scene = generateSampleScene({ outDir: join(artistDir, 'demo'), frames: opts.frames, size: 32 });
  if (opts.secondScene === true) {
    // A full copy of the scene under another name: Blender renders it with `-S Scene.001`.
    const r = spawnSync(
      process.env.OPENFARM_BLENDER ?? 'blender',
      [
        '-b',
        scene.blendPath,
        '--factory-startup',
        '--python-exit-code',
        '3',
        '--python-expr',
        "import bpy; bpy.ops.scene.new(type='FULL_COPY'); bpy.ops.wm.save_mainfile()",
      ],
      { encoding: 'utf8' },
    );
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  }
  const analyzer = await analyzeScene(scene.blendPath, {
    workspace: await mkdtemp(join(root, 'ws-')),
    platform: '2',
  });
  if (opts.taskInfo !== undefined) {
    const task = JSON.parse(await readFile(analyzer.taskJson, 'utf8')) as {
      task_info: Record<string, string>;
    };
    Object.assign(task.task_info, opts.taskInfo);
    await writeFile(analyzer.taskJson, JSON.stringify(task));
  }
  const api = artistApi(server.url, user);
  const taskId = await submitAnalyzedScene(api, analyzer, join(root, `${userName}-db_config.ini`));
  await rm(artistDir, { recursive: true, force: true });
  return { taskId, api, accessId: user.accessId, accessKey: user.accessKey };
}

/**
 * A reverse proxy in front of the farm that forwards every request except the
 * event stream, whose connections it cuts (the token route still answers, so
 * the client really tries the stream each time) — or, with `refuseToken`, that
 * answers the stream's token route 404 as a proxy not configured for it would.
 */
async function streamCuttingProxy(
  target: URL,
  refuseToken = false,
): Promise<{ server: Server; host: string; cuts: () => number; refusals: () => number }> {
  let cuts = 0;
  let refusals = 0;
  const proxy = createServer((req, res) => {
    const path = req.url ?? '/';
    if (refuseToken && path === EVENTS_TOKEN_PATH) {
      refusals++;
      req.resume();
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (path === EVENTS_PATH || path.startsWith(`${EVENTS_PATH}?`)) {
      cuts++;
      req.socket.destroy();
      return;
    }
    const out = httpRequest(
      { host: target.hostname, port: target.port, method: req.method, path, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return {
    server: proxy,
    host: `127.0.0.1:${(proxy.address() as AddressInfo).port}`,
    cuts: () => cuts,
    refusals: () => refusals,
  };
}

async function taskStatus(taskId: number): Promise<number> {
  const row = await server.farm.store.db
    .selectFrom('tasks')
    .select('status')
    .where('id', '=', taskId)
    .executeTakeFirstOrThrow();
  return row.status;
}

test('a rendered task: showLog pages its real log, getOutputFiles lists its images, autoDownload polls when the stream is cut', {
  timeout: 150_000,
}, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || blender === undefined) return t.skip(skip || undefined);
  const frames = 3;
  const { taskId, api, accessId, accessKey } = await submit('logs', { frames });
  const proxy = await streamCuttingProxy(new URL(server.url));
  t.after(() => {
    proxy.server.closeAllConnections();
    proxy.server.close();
  });
  const behind = new RayvisionAPI({
    domain: proxy.host,
    protocol: 'http',
    accessId,
    accessKey,
    platform: '2',
  });
  const localPath = join(root, 'logs-renders');
  const download = new RayvisionDownload(behind, { logDir: join(root, 'logs-log') });
  const landed: string[] = [];
  download.on('file', (f) => landed.push(f.serverPath));
  const report = await download.autoDownload([taskId], { localPath, sleepTime: 1 });
  assert.ok(proxy.cuts() >= 1, 'the client tried the event stream');
  assert.equal(await taskStatus(taskId), TaskStatus.FINISHED);
  assert.equal(report.failures.length, 0);
  assert.ok(report.downloadedFiles >= frames, `${report.downloadedFiles} files for ${frames} frames`);

  // getOutputFiles over the rendered task: the images the download put on disk.
  // The task's root holds its folder (with the size of what is in it); the folder, the images.
  const folder = (await readdir(localPath))[0] as string;
  const onDisk = (await readdir(join(localPath, folder))).sort();
  assert.ok(onDisk.length >= frames);
  const top = await api.transmit.getOutputFiles({ taskId });
  assert.deepEqual(
    top.map((e) => [e.fileName, e.directory]),
    [[folder, true]],
  );
  const inside = await api.transmit.getOutputFiles({ treePath: `/${folder}` });
  assert.deepEqual(inside.map((e) => e.fileName).sort(), onDisk);
  let bytes = 0;
  for (const e of inside) {
    assert.equal(e.directory, false);
    const local = await readFile(join(localPath, folder, e.fileName));
    assert.equal(e.fileSize, local.length, e.fileName);
    bytes += local.length;
  }
  assert.equal(top[0]?.fileSize, bytes, 'the folder size is the sum of its images');
  assert.equal(landed.length, report.downloadedFiles);

  // showLog: a real frame's log, paged; the pages put together are the whole log.
  const page = await api.query.taskFrames(taskId, { pageNum: 1, pageSize: 100 });
  const frame = page.items.find((f) => f.frameType !== 1 && f.frameStatus === 4) ?? page.items.at(-1);
  assert.ok(frame !== undefined);
  const whole = await api.query.getRenderLog(frame.id, { pageNum: 1, pageSize: 1000 });
  assert.ok(whole.total > 4 && whole.total <= 1000, `a real log of ${whole.total} lines`);
  assert.match(whole.items.join('\n'), /Blender/);
  const pageSize = Math.max(1, Math.floor(whole.total / 3));
  const pages: string[] = [];
  const first = await api.query.getRenderLog(frame.id, { pageNum: 1, pageSize });
  assert.equal(first.pageCount, Math.ceil(whole.total / pageSize));
  pages.push(...first.items);
  for (let n = 2; n <= first.pageCount; n++) {
    const p = await api.query.getRenderLog(frame.id, { pageNum: n, pageSize });
    assert.equal(p.pageNum, n);
    assert.ok(p.items.length <= pageSize);
    pages.push(...p.items);
  }
  assert.deepEqual(pages, whole.items);
  const beyond = await api.query.getRenderLog(frame.id, { pageNum: first.pageCount + 1, pageSize });
  assert.deepEqual(beyond.items, []);
});

test('a layered task (two scenes, two child tasks): downloading the parent fetches both children', {
  timeout: 150_000,
}, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || blender === undefined) return t.skip(skip || undefined);
  const { taskId, api } = await submit('layers', { frames: 2, secondScene: true });
  const info = (await api.query.taskInfo([taskId])).items[0];
  assert.equal(info?.isOpen, 1);
  const children = info?.respRenderingTaskList ?? [];
  assert.equal(children.length, 2, 'one child task per scene');
  await waitUntil(
    'both scenes rendered',
    async () => (await taskStatus(taskId)) === TaskStatus.FINISHED,
    120_000,
  );
  const localPath = join(root, 'layers-renders');
  const report = await new RayvisionDownload(api, { logDir: join(root, 'layers-log') }).download({
    taskIdList: [taskId],
    localPath,
    printLog: false,
  });
  assert.equal(report.failures.length, 0);
  const folders = (await readdir(localPath)).sort();
  assert.deepEqual(folders, children.map((c) => c.outputFileName as string).sort());
  for (const f of folders) assert.ok((await readdir(join(localPath, f))).length >= 2, `${f} holds 2 frames`);
  assert.equal(
    report.downloadedFiles,
    (await Promise.all(folders.map((f) => readdir(join(localPath, f))))).flat().length,
  );
});

test('isTestStop: autoDownload ends with the test frame once the task pauses after it', {
  timeout: 150_000,
}, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || blender === undefined) return t.skip(skip || undefined);
  const { taskId, api } = await submit('tester', {
    frames: 3,
    taskInfo: { pre_frames: '100', stop_after_test: '1' },
  });
  const localPath = join(root, 'test-renders');
  const report = await new RayvisionDownload(api, { logDir: join(root, 'test-log') }).autoDownload([taskId], {
    localPath,
    sleepTime: 1,
    isTestStop: true,
    downloadFilenameFormat: 'false',
  });
  assert.equal(await taskStatus(taskId), TaskStatus.TEST_DONE);
  assert.equal(report.stopped, undefined);
  assert.equal(report.failures.length, 0);
  const files = await readdir(localPath);
  assert.equal(files.length, 1, `only the test frame: ${files.join(', ')}`);
  assert.match(files[0] as string, /0001/);
});

test('isTestStop: autoDownloadAfterTaskCompleted waits past the paused task without it, ends with the test frame with it', {
  timeout: 150_000,
}, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || blender === undefined) return t.skip(skip || undefined);
  const { taskId, api } = await submit('tester-after', {
    frames: 3,
    taskInfo: { pre_frames: '100', stop_after_test: '1' },
  });
  const download = new RayvisionDownload(api, { logDir: join(root, 'test-after-log') });
  // Without isTestStop a paused task has not ended: the call keeps waiting, downloads nothing.
  const stop = new AbortController();
  const waiting = download.autoDownloadAfterTaskCompleted([taskId], {
    localPath: join(root, 'test-after-waiting'),
    sleepTime: 1,
    downloadFilenameFormat: 'false',
    signal: stop.signal,
  });
  await waitUntil(
    'the test frame rendered',
    async () => (await taskStatus(taskId)) === TaskStatus.TEST_DONE,
    120_000,
  );
  await new Promise((r) => setTimeout(r, 2500)); // two more status checks of the waiting call
  stop.abort();
  const waited = await waiting;
  assert.equal(waited.stopped, true);
  assert.equal(waited.files, 0);

  const localPath = join(root, 'test-after-renders');
  const report = await download.autoDownloadAfterTaskCompleted([taskId], {
    localPath,
    sleepTime: 1,
    isTestStop: true,
    downloadFilenameFormat: 'false',
  });
  assert.equal(await taskStatus(taskId), TaskStatus.TEST_DONE);
  assert.equal(report.stopped, undefined);
  assert.equal(report.failures.length, 0);
  assert.equal(report.downloadedFiles, 1);
  const files = await readdir(localPath);
  assert.equal(files.length, 1, `only the test frame: ${files.join(', ')}`);
  assert.match(files[0] as string, /0001/);
});

test('the event stream token route refused: autoDownload polls and gets every frame of the finished task', {
  timeout: 150_000,
}, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || blender === undefined) return t.skip(skip || undefined);
  const frames = 2;
  const { taskId, accessId, accessKey } = await submit('no-token', { frames });
  const proxy = await streamCuttingProxy(new URL(server.url), true);
  t.after(() => {
    proxy.server.closeAllConnections();
    proxy.server.close();
  });
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {} };
  const behind = new RayvisionAPI({
    domain: proxy.host,
    protocol: 'http',
    accessId,
    accessKey,
    platform: '2',
    logger,
  });
  const localPath = join(root, 'no-token-renders');
  const report = await new RayvisionDownload(behind, { logDir: join(root, 'no-token-log') }).autoDownload(
    [taskId],
    {
      localPath,
      sleepTime: 1,
      downloadFilenameFormat: 'false',
    },
  );
  assert.ok(proxy.refusals() >= 1, 'the client asked for a stream token');
  assert.equal(proxy.cuts(), 0, 'without a token the stream itself is never opened');
  assert.ok(
    warnings.some((w) => /event stream: .*polling every 1 s/.test(w)),
    warnings.join('\n'),
  );
  assert.equal(await taskStatus(taskId), TaskStatus.FINISHED);
  assert.equal(report.failures.length, 0);
  assert.equal(report.stopped, undefined);
  const files = (await readdir(localPath)).sort();
  assert.equal(files.length, frames, files.join(', '));
  assert.equal(report.downloadedFiles, frames);
});

/** Blender, except that frame 2 crashes every time (a render node's renderer dying on one frame). */
async function blenderFailingFrame2(real: string): Promise<string> {
  const script = join(root, 'blender-fails-frame-2.sh');
  await writeFile(
    script,
    `#!/bin/sh
prev=""
for a in "$@"; do
  if [ "$prev" = "-f" ] && [ "$a" = "2" ]; then echo "renderer crashed on frame 2" >&2; exit 3; fi
  prev="$a"
done
exec '${real}' "$@"
`,
  );
  await chmod(script, 0o755);
  return script;
}

test('a frame that fails: the automatic downloads get the others and report the failed frame with its error', {
  timeout: 150_000,
}, async (t) => {
  const skip = requireProgram('blender', { found: blender !== undefined });
  if (skip || blender === undefined) return t.skip(skip || undefined);
  // The node from now on runs a Blender that crashes on frame 2.
  await agent?.stop();
  await running;
  const w = await createWorker(server.farm.store.db, 'failing-node');
  agent = await Agent.create({
    server: server.url,
    token: w.token,
    workDir: join(root, 'failing-node'),
    threads: 1,
    renderers: [{ ...blender, executable: await blenderFailingFrame2(blender.executable) }],
  });
  running = agent.run();
  const { taskId, api } = await submit('unlucky', { frames: 3, taskInfo: { warm_session: '0' } });
  const download = new RayvisionDownload(api, { logDir: join(root, 'unlucky-log') });
  const report = await download.autoDownload([taskId], {
    localPath: join(root, 'unlucky-renders'),
    sleepTime: 1,
    downloadFilenameFormat: 'false',
  });
  assert.equal(await taskStatus(taskId), TaskStatus.FINISHED_WITH_FAILURES);
  assert.equal(report.failures.length, 0, 'every file there is came down');
  assert.deepEqual((await readdir(join(root, 'unlucky-renders'))).sort(), [
    'sample_0001.png',
    'sample_0003.png',
  ]);
  assert.equal(report.failedFrames?.length, 1, JSON.stringify(report.failedFrames));
  const failed = report.failedFrames?.[0];
  assert.equal(failed?.taskId, taskId);
  assert.equal(failed?.frameIndex, '2');
  assert.match(failed?.reason ?? '', /exit|3|crash/i);

  // The same report from the download after completion.
  const after = await download.autoDownloadAfterTaskCompleted([taskId], {
    localPath: join(root, 'unlucky-after'),
    sleepTime: 1,
    printLog: false,
  });
  assert.deepEqual(
    after.failedFrames?.map((f) => f.frameIndex),
    ['2'],
  );
});
