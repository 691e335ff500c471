/**
 * The render platform of a CLI that has only the RAYVISION_* credentials (no
 * profile, no --platform): it used to be the SDK's default, 4, which an
 * openfarm farm does not have, so `render` failed at task creation. Now a
 * command that creates tasks takes the farm's platform when the farm offers
 * one, and names --platform / OPENFARM_PLATFORM when it offers several.
 * Commands that create nothing do not ask.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createUser, type NewUser, type RunningFarmServer, startServer } from '@openfarm/server';
import { connectClient } from '../src/commands/tasks.js';
import { runInProcess } from './cli-runner.js';

let dir: string;
let server: RunningFarmServer;
let user: NewUser;
let env: Record<string, string>;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-cli-platform-'));
  server = await startServer({ dataDir: join(dir, 'farm'), host: '127.0.0.1', port: 0, logLevel: 'silent' });
  user = await createUser(server.farm.store.db, 'env-only');
  env = {
    OPENFARM_CONFIG: join(dir, 'no-profile.json'),
    OPENFARM_URL: server.url,
    RAYVISION_API_ACCESS_ID: user.accessId,
    RAYVISION_API_KEY: user.accessKey,
  };
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Run with the test's environment only (no OPENFARM_PLATFORM unless given). */
async function withEnv<T>(extra: Record<string, string>, run: () => Promise<T>): Promise<T> {
  const saved = { ...process.env };
  delete process.env.OPENFARM_PLATFORM;
  Object.assign(process.env, env, extra);
  try {
    return await run();
  } finally {
    process.env = saved;
  }
}

test('several platforms on the farm: render says which exist and how to choose, before analyzing', async () => {
  const scene = join(dir, 'shot.blend');
  await writeFile(scene, 'not analyzed: the platform is asked first');
  const saved = process.env.OPENFARM_PLATFORM;
  delete process.env.OPENFARM_PLATFORM;
  const r = await runInProcess(['render', scene, '--to', join(dir, 'frames')], env);
  if (saved !== undefined) process.env.OPENFARM_PLATFORM = saved;
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /which render platform\? The farm at http:\/\/127\.0\.0\.1:\d+ offers 2 \(W2\), 3 \(W3\)/,
  );
  assert.match(r.stderr, /--platform N/);
  assert.match(r.stderr, /OPENFARM_PLATFORM=N/);
  // Listing tasks creates nothing: it does not need a platform, and works.
  const list = await runInProcess(['tasks'], env);
  assert.equal(list.status, 0, list.stderr);
});

test('OPENFARM_PLATFORM or --platform choose; the flag wins', async () => {
  const fromEnv = await withEnv({ OPENFARM_PLATFORM: '3' }, () => connectClient({}, { needsPlatform: true }));
  assert.equal(fromEnv.platform, '3');
  const fromFlag = await withEnv({ OPENFARM_PLATFORM: '3' }, () =>
    connectClient({ platform: '6' }, { needsPlatform: true }),
  );
  assert.equal(fromFlag.platform, '6');
});

test('a farm with one platform: the CLI takes it, and a task is created on it', async () => {
  const db = server.farm.store.db;
  await db.updateTable('platforms').set({ status: 0 }).where('platform', '!=', 2).execute();
  const api = await withEnv({}, () => connectClient({}, { needsPlatform: true }));
  assert.equal(api.platform, '2');
  const { taskIdList } = await api.task.createTask();
  const row = await db
    .selectFrom('tasks')
    .select('platform')
    .where('id', '=', taskIdList[0] as number)
    .executeTakeFirstOrThrow();
  assert.equal(Number(row.platform), 2);
});
