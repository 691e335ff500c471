/**
 * Ctrl-C on `openfarm download --realtime` stops following the task (the farm
 * renders on) and prints the command that picks up the rest; that command,
 * run as printed once the task has ended, fetches what was missing. While
 * following, a farm outage is told on stderr.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TaskStatus } from '@openfarm/protocol';
import { RayvisionAPI, RayvisionDownload, RayvisionUpload } from '@openfarm/sdk';
import {
  createUser,
  type NewUser,
  type RunningFarmServer,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { reportOutages } from '../src/commands/transfer.js';
import { startClientFarm } from './client-farm.js';
import { runInProcess, spawnCli } from './cli-runner.js';

let dir: string;
let server: RunningFarmServer;
let user: NewUser;
let api: RayvisionAPI;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-cli-resume-'));
  ({ server, user } = await startClientFarm(dir, 'resume', [transferPlugin()]));
  api = new RayvisionAPI({
    domain: new URL(server.url).host,
    protocol: 'http',
    accessId: user.accessId,
    accessKey: user.accessKey,
    platform: '2',
  });
});
after(async () => {
  server.app.server.closeAllConnections();
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Put `name` in the task's output folder, as a render node does. */
async function output(folder: string, name: string, content: string): Promise<void> {
  const local = join(dir, name);
  await writeFile(local, content);
  await new RayvisionUpload(api, { dbConfigPath: join(dir, 'db_config.ini') }).uploadFiles(
    'output',
    [{ localPath: local, serverPath: `/${folder}/${name}` }],
    { isDb: false },
  );
}

test('Ctrl-C on download --realtime prints a command that gets the rest, and it does', {
  timeout: 120_000,
}, async () => {
  const db = server.farm.store.db;
  const taskId = (await api.task.createTask()).taskIdList[0] as number;
  const folder = `${taskId}_shot`;
  await db
    .updateTable('tasks')
    .set({ output_file_name: folder, status: TaskStatus.RENDERING })
    .where('id', '=', taskId)
    .execute();
  await output(folder, 'beauty.0001.exr', 'frame one');

  const to = join(dir, 'renders');
  const child = spawnCli(['download', String(taskId), '--realtime', '--to', to, '--sleep-time', '1'], {
    OPENFARM_CONFIG: join(dir, 'no-profile.json'),
    OPENFARM_URL: server.url,
    RAYVISION_API_ACCESS_ID: user.accessId,
    RAYVISION_API_KEY: user.accessKey,
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr?.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
  const first = join(to, folder, 'beauty.0001.exr');
  const end = Date.now() + 60_000;
  while (!(await stat(first).catch(() => undefined))) {
    if (Date.now() > end) throw new Error(`the first frame never arrived:\n${out}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  child.kill('SIGINT');
  assert.equal(await closed, 130, out);
  const printed = /Get the rest with:\n {2}(openfarm download .+)\n/.exec(out)?.[1];
  assert.equal(printed, `openfarm download ${taskId} --realtime --to ${to}`, out);

  // The farm rendered on; once the task has ended, the printed command fetches the rest.
  await output(folder, 'beauty.0002.exr', 'frame two');
  await db.updateTable('tasks').set({ status: TaskStatus.FINISHED }).where('id', '=', taskId).execute();
  const again = await runInProcess((printed as string).split(' ').slice(1), {
    OPENFARM_CONFIG: join(dir, 'no-profile.json'),
    OPENFARM_URL: server.url,
    RAYVISION_API_ACCESS_ID: user.accessId,
    RAYVISION_API_KEY: user.accessKey,
  });
  assert.equal(again.status, 0, again.stderr);
  assert.match(again.stdout, /2 files: 1 downloaded .*, 1 already identical/);
  assert.equal(await readFile(join(to, folder, 'beauty.0002.exr'), 'utf8'), 'frame two');
});

test('a farm outage is told on one line per try, and its end', () => {
  const download = new RayvisionDownload(api);
  const lines: string[] = [];
  reportOutages(download, (text) => lines.push(text));
  const since = new Date(2026, 0, 2, 20, 41, 7);
  download.emit('unreachable', { since, retryInMs: 8000, reason: 'connect ECONNREFUSED 127.0.0.1:7200' });
  download.emit('reachable', { since, downMs: 42_400 });
  assert.deepEqual(lines, [
    'farm unreachable since 20:41:07 (connect ECONNREFUSED 127.0.0.1:7200); retrying in 8 s',
    'farm reachable again after 42 s; following the tasks',
  ]);
});

test('download --realtime tells of a farm outage on stderr and carries on when the farm is back', {
  timeout: 120_000,
}, async () => {
  const own = await mkdtemp(join(tmpdir(), 'openfarm-cli-outage-'));
  const dataDir = join(own, 'farm');
  const open = (port: number) =>
    startServer({ dataDir, host: '127.0.0.1', port, logLevel: 'silent', plugins: [transferPlugin()] });
  let farm = await open(0);
  const port = Number(new URL(farm.url).port);
  try {
    const owner = await createUser(farm.farm.store.db, 'outage');
    const ownApi = new RayvisionAPI({
      domain: `127.0.0.1:${port}`,
      protocol: 'http',
      accessId: owner.accessId,
      accessKey: owner.accessKey,
      platform: '2',
    });
    const taskId = (await ownApi.task.createTask()).taskIdList[0] as number;
    const folder = `${taskId}_shot`;
    await farm.farm.store.db
      .updateTable('tasks')
      .set({ output_file_name: folder, status: TaskStatus.RENDERING })
      .where('id', '=', taskId)
      .execute();
    const to = join(own, 'renders');
    const child = spawnCli(['download', String(taskId), '--realtime', '--to', to, '--sleep-time', '0.5'], {
      OPENFARM_CONFIG: join(own, 'no-profile.json'),
      OPENFARM_URL: farm.url,
      RAYVISION_API_ACCESS_ID: owner.accessId,
      RAYVISION_API_KEY: owner.accessKey,
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const closed = new Promise<number | null>((r) => child.once('close', (code) => r(code)));
    // Following: the farm has handed it an event-stream token.
    const end = Date.now() + 60_000;
    while (farm.farm.events.subscriberCount() === 0) {
      if (Date.now() > end) throw new Error(`the download never followed the task:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    farm.app.server.closeAllConnections();
    await farm.close();
    while (!/farm unreachable since \d\d:\d\d:\d\d \(.*\); retrying in \d+ s/.test(stderr)) {
      if (Date.now() > end) throw new Error(`no outage notice:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    farm = await open(port);
    await new RayvisionUpload(ownApi, { dbConfigPath: join(own, 'db_config.ini') }).uploadFiles(
      'output',
      [
        {
          localPath: await writeLocal(own, 'late.exr', 'after the outage'),
          serverPath: `/${folder}/late.exr`,
        },
      ],
      { isDb: false },
    );
    await farm.farm.store.db
      .updateTable('tasks')
      .set({ status: TaskStatus.FINISHED })
      .where('id', '=', taskId)
      .execute();
    assert.equal(await closed, 0, stderr);
    assert.match(stderr, /farm reachable again after \d+ s; following the tasks/);
    assert.match(stdout, /1 files: 1 downloaded/);
    assert.equal(await readFile(join(to, folder, 'late.exr'), 'utf8'), 'after the outage');
  } finally {
    farm.app.server.closeAllConnections();
    await farm.close();
    await rm(own, { recursive: true, force: true });
  }
});

async function writeLocal(dir: string, name: string, content: string): Promise<string> {
  await writeFile(join(dir, name), content);
  return join(dir, name);
}
