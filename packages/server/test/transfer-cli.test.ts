/** `openfarm upload` and `openfarm download` against a real farm, in process. */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { TaskStatus } from '@openfarm/protocol';
import { RayvisionAPI, RayvisionUpload } from '@openfarm/sdk';
import { buildProgram } from 'openfarm';
import { transferPlugin } from '../src/transfer/index.js';
import { startTestFarm, type TestFarm } from './support/farm.js';
import { taskWithOutputs } from './support/task-outputs.js';

let farm: TestFarm;
let work: string;
let api: RayvisionAPI;

before(async () => {
  farm = await startTestFarm({ plugins: [transferPlugin()] });
  const user = await farm.addUser('cli');
  work = await mkdtemp(join(tmpdir(), 'openfarm-transfer-cli-'));
  process.env.OPENFARM_CONFIG = join(work, 'no-profile.json');
  process.env.RAYVISION_API_ACCESS_ID = user.accessId;
  process.env.RAYVISION_API_KEY = user.accessKey;
  process.env.RAYVISION_LOG = join(work, 'logs');
  api = new RayvisionAPI({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: farm.host,
    protocol: 'http',
    platform: '2',
  });
});
after(async () => {
  await farm.close();
  await rm(work, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<string> {
  let out = '';
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  await program.parseAsync(['node', 'openfarm', ...args, '--server', farm.url]);
  return out;
}

test('openfarm upload JOB_DIR sends job files and assets; a second run sends nothing', async () => {
  const job = join(work, 'job');
  await mkdir(join(job, 'tex'), { recursive: true });
  await writeFile(join(job, 'tex', 'a.png'), 'aaaa');
  await writeFile(join(job, 'tex', 'b.png'), 'bbbbbb');
  await writeFile(join(job, 'task.json'), JSON.stringify({ task_info: { task_id: '20001' } }));
  await writeFile(join(job, 'tips.json'), '{}');
  await writeFile(join(job, 'asset.json'), '{}');
  await writeFile(
    join(job, 'upload.json'),
    JSON.stringify({ asset: [{ local: join(job, 'tex'), server: '/P/job/tex' }] }),
  );
  const ini = join(work, 'db_config.ini');
  await writeFile(
    ini,
    `[DATABASE_CONFIG]\ndb_path = ${join(work, 'db')}\n[TRANSFER_LOG_PATH]\ntransfer_log_path = ${join(work, 'logs')}\n`,
  );

  const first = JSON.parse(await run('upload', job, '--json', '--db-config', ini)) as {
    taskId: number;
    config: { files: number; sentFiles: number };
    assets: { files: number; sentFiles: number; sentBytes: number };
  };
  assert.equal(first.taskId, 20001);
  assert.equal(first.config.files, 4);
  assert.equal(first.assets.sentFiles, 2);
  assert.equal(first.assets.sentBytes, 10);
  const second = JSON.parse(await run('upload', job, '--json', '--db-config', ini)) as {
    assets: { unchanged: number; sentBytes: number };
  };
  assert.equal(second.assets.unchanged, 2);
  assert.equal(second.assets.sentBytes, 0);
  const text = await run('upload', job, '--db-config', ini, '--no-db');
  assert.match(text, /input: 2 files, 0 unchanged, 2 already on the farm, 0 sent/);

  await writeFile(join(job, 'task.json'), JSON.stringify({ task_info: { task_id: '' } }));
  await assert.rejects(run('upload', job, '--db-config', ini), /no task id yet/);
});

test('openfarm download --server-path fetches a folder; flags are checked', async () => {
  const src = join(work, 'frame.exr');
  await writeFile(src, 'exr bytes');
  await new RayvisionUpload(api, { env: { HOME: work } }).uploadFiles(
    'output',
    [{ localPath: src, serverPath: '/20001_shot/frame.exr' }],
    { isDb: false },
  );
  const to = join(work, 'down');
  const report = JSON.parse(await run('download', '--server-path', '20001_shot', '--to', to, '--json')) as {
    downloadedFiles: number;
  };
  assert.equal(report.downloadedFiles, 1);
  assert.equal(await readFile(join(to, '20001_shot', 'frame.exr'), 'utf8'), 'exr bytes');
  assert.match(
    await run('download', '--server-path', '20001_shot', '--to', to),
    /1 files: 0 downloaded \(0 B\), 1 already identical/,
  );

  await assert.rejects(run('download', '--to', to), /give task ids or --server-path/);
});

test('openfarm download --realtime: Ctrl-C stops following, keeps what landed, exits 130', async () => {
  const { taskId } = await taskWithOutputs(farm, api, {
    name: 'follow',
    status: TaskStatus.RENDERING,
    files: { 'f1.png': 'frame one' },
  });
  const to = join(work, 'follow');
  const following = run('download', String(taskId), '--realtime', '--flat', '--to', to, '--sleep-time', '60');
  const landed = join(to, 'f1.png');
  for (let i = 0; (await readFile(landed, 'utf8').catch(() => '')) !== 'frame one'; i++) {
    assert.ok(i < 500, 'the first frame lands');
    await new Promise((r) => setTimeout(r, 20));
  }
  try {
    process.emit('SIGINT', 'SIGINT');
    const out = await following;
    assert.match(out, /\d+ files: 1 downloaded \(9 B\)/);
    assert.match(
      out,
      /stopped early; the farm keeps rendering\. Get the rest with:\n {2}openfarm download \d+ --realtime --flat --to /,
    );
    assert.equal(process.exitCode, 130);
  } finally {
    process.exitCode = 0;
  }
});
