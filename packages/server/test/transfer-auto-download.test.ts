/**
 * autoDownload follows the farm's event stream: a frame's output is on disk
 * moments after the farm announces the frame done, with no polling in
 * between (sleepTime is far longer than the bound we check).
 *
 * The frame-done event is published through the farm's own event bus, as the
 * scheduler does when a worker reports a frame finished; the output file is
 * put in the output storage through the transfer API first, as a worker does.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FrameStatus, TaskStatus } from '@openfarm/protocol';
import { RayvisionAPI, RayvisionDownload, RayvisionUpload } from '@openfarm/sdk';
import type { NewUser } from '@openfarm/server';
import { transferPlugin } from '../src/transfer/index.js';
import { startTestFarm, type TestFarm } from './support/farm.js';
import { taskWithOutputs } from './support/task-outputs.js';

let farm: TestFarm;
let user: NewUser;
let api: RayvisionAPI;
let work: string;

before(async () => {
  farm = await startTestFarm({ plugins: [transferPlugin()] });
  user = await farm.addUser('watcher');
  api = new RayvisionAPI({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: farm.host,
    protocol: 'http',
    platform: '2',
  });
  work = await mkdtemp(join(tmpdir(), 'openfarm-auto-download-'));
  await writeFile(
    join(work, 'db_config.ini'),
    `[TRANSFER_LOG_PATH]\ntransfer_log_path = ${work}\n[DATABASE_CONFIG]\non = false\n`,
  );
});
after(async () => {
  await farm.close();
  await rm(work, { recursive: true, force: true });
});

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('autoDownload fetches each frame output as soon as the farm marks it done', async () => {
  const { taskIdList } = await api.task.createTask();
  const taskId = taskIdList[0] as number;
  const folder = `${taskId}_shot`;
  const db = farm.server.farm.store.db;
  await db
    .updateTable('tasks')
    .set({ output_file_name: folder, status: TaskStatus.RENDERING })
    .where('id', '=', taskId)
    .execute();

  const upload = new RayvisionUpload(api, { dbConfigPath: join(work, 'db_config.ini') });
  const download = new RayvisionDownload(api, { logDir: work });
  const arrived = new Map<string, number>();
  download.on('file', (f) => arrived.set(f.serverPath, performance.now()));
  const localPath = join(work, 'frames');
  const running = download.autoDownload([taskId], { localPath, sleepTime: 60 });
  await until(() => farm.server.farm.events.subscriberCount() > 0, 'the event stream subscription');

  const frames: Array<{ name: string; data: Buffer }> = [];
  for (let frame = 1; frame <= 2; frame++) {
    const name = `beauty.${String(frame).padStart(4, '0')}.exr`;
    const data = randomBytes(200_000);
    frames.push({ name, data });
    const src = join(work, name);
    await writeFile(src, data);
    await upload.uploadFiles('output', [{ localPath: src, serverPath: `/${folder}/${name}` }], {
      isDb: false,
    });
    const doneAt = performance.now();
    farm.server.farm.events.publish({
      userId: user.userId,
      type: 'frame',
      taskId,
      frameId: frame,
      status: FrameStatus.DONE,
    });
    await until(() => arrived.has(`/${folder}/${name}`), `frame ${frame} on disk`);
    const latency = (arrived.get(`/${folder}/${name}`) as number) - doneAt;
    console.log(`# frame ${frame}: on disk ${latency.toFixed(0)} ms after the farm marked it done`);
    assert.ok(latency < 1000, `frame ${frame} took ${latency} ms`);
  }

  await db.updateTable('tasks').set({ status: TaskStatus.FINISHED }).where('id', '=', taskId).execute();
  farm.server.farm.events.publish({ userId: user.userId, type: 'task', taskId, status: TaskStatus.FINISHED });
  const report = await running;
  assert.equal(report.failures.length, 0);
  for (const f of frames) {
    const local = await readFile(join(localPath, folder, f.name));
    assert.equal(
      createHash('sha256').update(local).digest('hex'),
      createHash('sha256').update(f.data).digest('hex'),
    );
  }
  assert.equal(farm.server.farm.events.subscriberCount(), 0, 'the stream is closed once the task ended');
});

test('autoDownloadAfterTaskCompleted downloads once the task has ended', async () => {
  const { taskId } = await taskWithOutputs(farm, api, {
    name: 'after',
    status: TaskStatus.RENDERING,
    files: { 'after.png': 'png bytes' },
  });
  const db = farm.server.farm.store.db;
  const download = new RayvisionDownload(api, { logDir: work });
  const localPath = join(work, 'after');
  const waiting = download.autoDownloadAfterTaskCompleted([taskId], {
    localPath,
    sleepTime: 0.2,
    downloadFilenameFormat: 'false',
  });
  await new Promise((r) => setTimeout(r, 500));
  await db.updateTable('tasks').set({ status: TaskStatus.FINISHED }).where('id', '=', taskId).execute();
  const report = await waiting;
  assert.equal(report.downloadedFiles, 1);
  assert.equal(await readFile(join(localPath, 'after.png'), 'utf8'), 'png bytes');
});

test('a signal stops following a task that still renders: what landed stays, the report says stopped', async () => {
  const { taskId } = await taskWithOutputs(farm, api, {
    name: 'stop',
    status: TaskStatus.RENDERING,
    files: { 'first.png': 'first frame' },
  });
  const db = farm.server.farm.store.db;
  const download = new RayvisionDownload(api, { logDir: work });
  const localPath = join(work, 'stopped');
  const landed: string[] = [];
  download.on('file', (f) => landed.push(f.serverPath));
  const stop = new AbortController();
  const following = download.autoDownload([taskId], {
    localPath,
    sleepTime: 60,
    downloadFilenameFormat: 'false',
    signal: stop.signal,
  });
  await until(() => landed.length === 1, 'the first frame on disk');
  await until(() => farm.server.farm.events.subscriberCount() > 0, 'the event stream subscription');
  const stoppedAt = performance.now();
  stop.abort();
  const report = await following;
  const took = performance.now() - stoppedAt;
  console.log(`# autoDownload returned ${took.toFixed(0)} ms after the abort`);
  assert.ok(took < 1500, `stopping took ${took} ms (sleepTime is 60 s)`);
  assert.equal(report.stopped, true);
  assert.equal(report.downloadedFiles, 1);
  assert.equal(report.failures.length, 0);
  assert.equal(await readFile(join(localPath, 'first.png'), 'utf8'), 'first frame');
  await until(() => farm.server.farm.events.subscriberCount() === 0, 'the event stream closed');

  // The same for the wait of autoDownloadAfterTaskCompleted; the task is still rendering.
  const later = new AbortController();
  const waiting = download.autoDownloadAfterTaskCompleted([taskId], {
    localPath,
    sleepTime: 60,
    signal: later.signal,
  });
  setTimeout(() => later.abort(), 200);
  const afterReport = await waiting;
  assert.equal(afterReport.stopped, true);
  assert.equal(afterReport.files, 0);

  // A task that ended is followed to its end as before: no "stopped".
  await db.updateTable('tasks').set({ status: TaskStatus.FINISHED }).where('id', '=', taskId).execute();
  const whole = await download.autoDownload([taskId], {
    localPath,
    sleepTime: 60,
    downloadFilenameFormat: 'false',
  });
  assert.equal(whole.stopped, undefined);
  assert.equal(whole.identical, 1);
});

test('download by task id resolves the task folder; an unknown task is an error', async () => {
  await assert.rejects(
    new RayvisionDownload(api, { logDir: work }).download({ taskIdList: [999999], localPath: work }),
  );
  await assert.rejects(
    new RayvisionDownload(api, { logDir: work }).download({ localPath: work }),
    /taskIdList or serverPath/,
  );
});

test("a main account downloads a sub-account's task results by task id", async () => {
  const main = await farm.addUser('studio-main');
  const sub = await farm.addUser('studio-junior', { subOf: main.userId });
  const connect = (u: NewUser) =>
    new RayvisionAPI({
      accessId: u.accessId,
      accessKey: u.accessKey,
      domain: farm.host,
      protocol: 'http',
      platform: '2',
    });
  const subApi = connect(sub);
  const { taskIdList } = await subApi.task.createTask();
  const taskId = taskIdList[0] as number;
  const folder = `${taskId}_junior`;
  await farm.server.farm.store.db
    .updateTable('tasks')
    .set({ output_file_name: folder, status: TaskStatus.FINISHED })
    .where('id', '=', taskId)
    .execute();
  const src = join(work, 'junior.exr');
  await writeFile(src, 'junior frame');
  await new RayvisionUpload(subApi, { dbConfigPath: join(work, 'db_config.ini') }).uploadFiles(
    'output',
    [{ localPath: src, serverPath: `/${folder}/junior.exr` }],
    { isDb: false },
  );
  const localPath = join(work, 'main-down');
  const report = await new RayvisionDownload(connect(main), { logDir: work }).download({
    taskIdList: [taskId],
    localPath,
  });
  assert.equal(report.downloadedFiles, 1);
  assert.equal(await readFile(join(localPath, folder, 'junior.exr'), 'utf8'), 'junior frame');
});
