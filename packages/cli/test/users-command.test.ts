/** `openfarm users …` and `openfarm hardware …` against a temporary data directory. */
import assert from 'node:assert/strict';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runInProcess } from './cli-runner.js';

const runCli = runInProcess;

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'openfarm-cli-users-'));
});
after(() => rm(dataDir, { recursive: true, force: true }));

test('users add --json prints exactly userId, userName, accessId, accessKey', async () => {
  const r = await runCli(['users', 'add', 'alice', '--data', dataDir, '--json']);
  assert.equal(r.status, 0, r.stderr);
  const printed = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.deepEqual(Object.keys(printed), ['userId', 'userName', 'accessId', 'accessKey']);
  assert.equal(printed.userName, 'alice');
  assert.equal(typeof printed.userId, 'number');
  assert.match(String(printed.accessId), /^AKID[0-9A-Za-z]{28}$/);
  assert.match(String(printed.accessKey), /^[0-9A-Za-z]{32}$/);
  // The database holds access keys: owner-only.
  assert.equal((await stat(join(dataDir, 'openfarm.db'))).mode & 0o777, 0o600);
});

test('OPENFARM_DATA picks the data directory; duplicates and bad names are refused', async () => {
  const again = await runCli(['users', 'add', 'alice'], { OPENFARM_DATA: dataDir });
  assert.notEqual(again.status, 0);
  assert.match(again.stderr, /already exists/);
  const bad = await runCli(['users', 'add', 'no spaces', '--data', dataDir]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /invalid user name/);
});

test('users list, rotate-key, disable and sub-accounts', async () => {
  const main = JSON.parse((await runCli(['users', 'add', 'studio', '--data', dataDir, '--json'])).stdout) as {
    userId: number;
    accessKey: string;
  };
  const sub = await runCli([
    'users',
    'add',
    'artist',
    '--data',
    dataDir,
    '--sub-of',
    String(main.userId),
    '--json',
  ]);
  assert.equal(sub.status, 0, sub.stderr);

  const rotated = JSON.parse(
    (await runCli(['users', 'rotate-key', 'studio', '--data', dataDir, '--json'])).stdout,
  ) as {
    accessKey: string;
  };
  assert.notEqual(rotated.accessKey, main.accessKey);
  assert.equal((await runCli(['users', 'disable', 'artist', '--data', dataDir])).status, 0);

  const list = JSON.parse((await runCli(['users', 'list', '--data', dataDir, '--json'])).stdout) as Array<{
    userName: string;
    disabled: boolean;
    mainUserId: number | null;
  }>;
  assert.deepEqual(
    list.map((u) => [u.userName, u.disabled, u.mainUserId]),
    [
      ['alice', false, null],
      ['studio', false, null],
      ['artist', true, main.userId],
    ],
  );
  const text = (await runCli(['users', 'list', '--data', dataDir])).stdout;
  assert.match(text, /artist\s+AKID\w+\s+disabled, sub-of/);
  assert.doesNotMatch(text, new RegExp(rotated.accessKey));
});

test('hardware add, list and disable', async () => {
  const added = await runCli([
    'hardware',
    'add',
    '--model',
    '4090',
    '--ram',
    '128GB',
    '--gpu',
    '2',
    '--platform',
    '21',
    '--data',
    dataDir,
    '--json',
  ]);
  assert.equal(added.status, 0, added.stderr);
  const { id } = JSON.parse(added.stdout) as { id: number };
  assert.equal((await runCli(['hardware', 'disable', String(id), '--data', dataDir])).status, 0);
  const list = JSON.parse((await runCli(['hardware', 'list', '--data', dataDir, '--json'])).stdout) as Array<{
    id: number;
    model: string;
    gpuNum: string | null;
    status: number;
  }>;
  assert.deepEqual(
    list.filter((h) => h.id === id).map((h) => [h.model, h.gpuNum, h.status]),
    [['4090', '2*GPU', 0]],
  );
  assert.ok(
    list.some((h) => h.model === 'Default' && h.status === 1),
    'seeded configurations are listed',
  );
  const bad = await runCli([
    'hardware',
    'add',
    '--model',
    'x',
    '--ram',
    '64',
    '--platform',
    '2',
    '--data',
    dataDir,
  ]);
  assert.notEqual(bad.status, 0);
  assert.match(bad.stderr, /ram must look like/);
});

const postgresUrl = process.env.OPENFARM_TEST_POSTGRES_URL;
test('with --database-url the accounts live in PostgreSQL', {
  skip: postgresUrl ? false : 'OPENFARM_TEST_POSTGRES_URL not set',
}, async () => {
  const name = `pg${process.pid}x${Date.now() % 100000}`;
  const added = await runCli([
    'users',
    'add',
    name,
    '--data',
    dataDir,
    '--database-url',
    postgresUrl!,
    '--json',
  ]);
  assert.equal(added.status, 0, added.stderr);
  const listed = JSON.parse(
    (await runCli(['users', 'list', '--json'], { OPENFARM_DATABASE_URL: postgresUrl! })).stdout,
  ) as Array<{ userName: string }>;
  assert.ok(listed.some((u) => u.userName === name));
  const local = JSON.parse((await runCli(['users', 'list', '--data', dataDir, '--json'])).stdout) as Array<{
    userName: string;
  }>;
  assert.ok(!local.some((u) => u.userName === name), 'the SQLite data directory is not touched');
});

test('users retention shows and sets how long an account keeps its outputs', async () => {
  const main = JSON.parse((await runCli(['users', 'add', 'keeper', '--data', dataDir, '--json'])).stdout) as {
    userId: number;
  };
  await runCli(['users', 'add', 'keeper-sub', '--data', dataDir, '--sub-of', String(main.userId)]);
  const shown = await runCli(['users', 'retention', 'keeper', '--data', dataDir]);
  assert.equal(shown.status, 0, shown.stderr);
  assert.match(shown.stdout, /outputs of keeper: follows the farm's/);
  const set = await runCli(['users', 'retention', 'keeper', '30d', '--data', dataDir]);
  assert.equal(set.status, 0, set.stderr);
  assert.match(set.stdout, /outputs of keeper: kept 30d after they were written/);
  const sub = await runCli(['users', 'retention', 'keeper-sub', '--data', dataDir]);
  assert.match(sub.stdout, new RegExp(`follows its main account's \\(id ${main.userId}\\)`));
  assert.match(
    (await runCli(['users', 'retention', 'keeper-sub', 'forever', '--data', dataDir])).stdout,
    /kept for ever/,
  );
  assert.match(
    (await runCli(['users', 'retention', 'keeper-sub', 'default', '--data', dataDir])).stdout,
    /follows its main/,
  );
  const bad = await runCli(['users', 'retention', 'keeper', 'soon', '--data', dataDir]);
  assert.equal(bad.status, 1);
  assert.match(bad.stderr, /"soon" is not a duration/);
  const zero = await runCli(['users', 'retention', 'keeper', '0', '--data', dataDir]);
  assert.equal(zero.status, 1);
  const nobody = await runCli(['users', 'retention', 'nobody', '--data', dataDir]);
  assert.equal(nobody.status, 1);
  assert.match(nobody.stderr, /no user named nobody/);
});
