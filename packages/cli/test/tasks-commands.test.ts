import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RayvisionAPI } from '@openfarm/sdk';
import { createUser, type NewUser, type RunningFarmServer, startServer } from '@openfarm/server';
import { buildProgram } from 'openfarm';

let dir: string;
let server: RunningFarmServer;
let user: NewUser;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-cli-tasks-'));
  server = await startServer({ dataDir: join(dir, 'farm'), host: '127.0.0.1', port: 0, logLevel: 'silent' });
  user = await createUser(server.farm.store.db, 'cli-user');
  process.env.OPENFARM_CONFIG = join(dir, 'profile', 'client.json');
  delete process.env.OPENFARM_URL;
  delete process.env.RAYVISION_API_ACCESS_ID;
  delete process.env.RAYVISION_API_KEY;
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(...args: string[]): Promise<string> {
  let out = '';
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  await program.parseAsync(['node', 'openfarm', ...args]);
  return out;
}

/** A task with three waiting frames, made through the SDK. */
async function submitTask(): Promise<number> {
  const url = new URL(server.url);
  const api = new RayvisionAPI({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: url.host,
    protocol: 'http',
    platform: '2',
  });
  return api.submitByData(
    {
      task_info: { task_id: '', cg_id: '2007', platform: '2', os_name: '0', input_cg_file: '/p/shot.blend' },
      software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
      scene_info: { common: { frames: '1-3[1]', scene_name: ['Scene'], camera_name: 'Camera' } },
    },
    { hardwareConfig: { model: 'Default', ram: '64GB', gpuNum: null } },
  );
}

test('commands before login say how to connect', async () => {
  await assert.rejects(run('tasks'), /--server URL.*openfarm login/);
});

test('login checks the credentials and writes a profile only its owner can read', async () => {
  await assert.rejects(
    run('login', '--server', server.url, '--access-id', user.accessId, '--access-key', 'wrong'),
    /611/,
  );
  const out = await run(
    'login',
    '--server',
    server.url,
    '--access-id',
    user.accessId,
    '--access-key',
    user.accessKey,
  );
  assert.match(out, /logged in .* as cli-user/);
  const path = process.env.OPENFARM_CONFIG!;
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  const saved = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  // `platforms`: how many the farm offers, which decides whether help shows --platform.
  assert.deepEqual(saved, {
    server: server.url,
    accessId: user.accessId,
    accessKey: user.accessKey,
    platforms: 5,
  });
});

test('tasks, task and frames read the farm through the profile', async () => {
  const id = await submitTask();
  const list = JSON.parse(await run('tasks', '--json')) as { items: Array<{ id: number }> };
  assert.ok(list.items.some((t) => t.id === id));
  assert.match(await run('tasks'), new RegExp(`^${id}\\s+shot\\.blend\\s+waiting\\s+0\\s+0\\s+3\\s+-`, 'm'));
  assert.match(await run('task', String(id)), /frames\s+0 done, 0 failed, 0 running of 3/);
  const frames = JSON.parse(await run('frames', String(id), '--json')) as {
    items: Array<{ frameIndex: string }>;
  };
  assert.deepEqual(frames.items.map((f) => f.frameIndex).sort(), ['1', '2', '3']);
  assert.match(await run('frames', String(id)), /^FRAME\s+STATUS\s+TYPE/m);
});

test('task actions change the task state', async () => {
  const id = await submitTask();
  assert.deepEqual(JSON.parse(await run('stop', String(id), '--json')), { action: 'stop', taskIds: [id] });
  let task = JSON.parse(await run('task', String(id), '--json')) as { taskStatus: number };
  assert.equal(task.taskStatus, 10);
  assert.equal((await run('start', String(id))).trim(), `start: ${id}`);
  task = JSON.parse(await run('task', String(id), '--json')) as { taskStatus: number };
  assert.equal(task.taskStatus, 0);
  await run('full-speed', String(id));
  await run('retry', String(id));
  await run('abort', String(id));
  task = JSON.parse(await run('task', String(id), '--json')) as { taskStatus: number };
  assert.equal(task.taskStatus, 35);
  await run('delete', String(id));
  const bin = JSON.parse(await run('tasks', '--deleted', '--json')) as { items: Array<{ id: number }> };
  assert.ok(bin.items.some((t) => t.id === id));
  await assert.rejects(run('stop', 'abc'), /positive integer/);
});

test('projects, hardware-configs and platforms list the catalogues', async () => {
  await run('login', '--server', server.url, '--access-id', user.accessId, '--access-key', user.accessKey);
  assert.match(await run('hardware-configs'), /^\d+\s+CPU\s+Default\s+64GB/m);
  const configs = JSON.parse(await run('hardware-configs', '--json')) as Array<{ platform: number }>;
  assert.ok(configs.some((c) => c.platform === 2));
  assert.match(await run('platforms'), /^2\s+W2\s+CPU\s+normal\s+W/m);
  const url = new URL(server.url);
  const api = new RayvisionAPI({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: url.host,
    protocol: 'http',
  });
  await api.tag.addLabel('lighthouse');
  assert.match(await run('projects'), /lighthouse/);
  assert.deepEqual(
    (JSON.parse(await run('projects', '--json')) as Array<{ projectName: string }>).map((p) => p.projectName),
    ['lighthouse'],
  );
});
