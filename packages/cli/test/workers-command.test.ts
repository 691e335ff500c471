/**
 * `openfarm workers add|list|disable|enable` on a farm's data directory (and
 * on PostgreSQL with --database-url): the token printed once lets a node
 * register with a running farm, disable stops new frames reaching it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type RunningFarmServer, schedulerPlugin, startServer } from '@openfarm/server';
import { NodeApi, type NodeCapabilities } from '@openfarm/worker';
import { runInProcess as runCli } from './cli-runner.js';

const caps: NodeCapabilities = {
  os: 'linux',
  cores: 2,
  ramMb: 4096,
  gpus: 0,
  slots: 1,
  platform: 2,
  renderers: [{ cgName: 'Blender', version: '3.4.1' }],
  hardwareConfigIds: [],
  agentVersion: 'test',
};

let dataDir: string;
let farm: RunningFarmServer;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'openfarm-cli-workers-'));
  // The admin commands open the same data directory while the farm runs, as on a real farm.
  farm = await startServer({ dataDir, port: 0, logLevel: 'silent', plugins: [schedulerPlugin()] });
});
after(async () => {
  await farm.close();
  await rm(dataDir, { recursive: true, force: true });
});

test('workers add --json prints the token once; the node registers with it; list shows it', async () => {
  const added = await runCli(['workers', 'add', 'node-a', '--data', dataDir, '--json']);
  assert.equal(added.status, 0, added.stderr);
  const printed = JSON.parse(added.stdout) as { workerId: number; name: string; token: string };
  assert.deepEqual(Object.keys(printed), ['workerId', 'name', 'token']);
  assert.equal(printed.name, 'node-a');
  const reg = await new NodeApi(farm.url, printed.token).register(caps);
  assert.equal(reg.disabled, false);
  await assert.rejects(
    new NodeApi(farm.url, `${printed.token}x`).register(caps),
    /does not accept this node token/,
  );

  const listed = JSON.parse(
    (await runCli(['workers', 'list', '--data', dataDir, '--json'])).stdout,
  ) as Array<{
    name: string;
    disabled: boolean;
    renderers: Array<{ cgName: string; version: string }>;
    lastSeenAt: string | null;
  }>;
  const a = listed.find((w) => w.name === 'node-a');
  assert.ok(a !== undefined);
  assert.deepEqual(a.renderers, [{ cgName: 'Blender', version: '3.4.1' }]);
  assert.notEqual(a.lastSeenAt, null);
  const text = await runCli(['workers', 'list'], { OPENFARM_DATA: dataDir });
  assert.match(text.stdout, /^node-a: Blender 3\.4\.1; 2 cores, 1 slot\(s\); last seen /m);
});

test('workers disable and enable: the farm tells the node, by name; unknown names and duplicates are refused', async () => {
  const { token } = JSON.parse(
    (await runCli(['workers', 'add', 'node-b', '--data', dataDir, '--json'])).stdout,
  ) as {
    token: string;
  };
  const node = new NodeApi(farm.url, token);
  assert.equal((await runCli(['workers', 'disable', 'node-b', '--data', dataDir])).status, 0);
  assert.equal((await node.register(caps)).disabled, true);
  const listed = (await runCli(['workers', 'list', '--data', dataDir])).stdout;
  assert.match(listed, /^node-b \(disabled\)/m);
  assert.equal((await runCli(['workers', 'enable', 'node-b', '--data', dataDir])).status, 0);
  assert.equal((await node.register(caps)).disabled, false);

  const unknown = await runCli(['workers', 'disable', 'nobody', '--data', dataDir]);
  assert.equal(unknown.status, 1);
  assert.match(unknown.stderr, /no render node named "nobody"/);
  const again = await runCli(['workers', 'add', 'node-b', '--data', dataDir]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /node-b/);
});

const postgresUrl = process.env.OPENFARM_TEST_POSTGRES_URL;
test('with --database-url the render nodes live in PostgreSQL', {
  skip: postgresUrl ? false : 'OPENFARM_TEST_POSTGRES_URL not set',
}, async () => {
  const name = `pg-node-${process.pid}-${Date.now() % 100000}`;
  const added = await runCli([
    'workers',
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
    (await runCli(['workers', 'list', '--json'], { OPENFARM_DATABASE_URL: postgresUrl! })).stdout,
  ) as Array<{ name: string }>;
  assert.ok(listed.some((w) => w.name === name));
  assert.equal((await runCli(['workers', 'disable', name, '--database-url', postgresUrl!])).status, 0);
  const local = JSON.parse((await runCli(['workers', 'list', '--data', dataDir, '--json'])).stdout) as Array<{
    name: string;
  }>;
  assert.ok(!local.some((w) => w.name === name), 'the SQLite data directory is not touched');
});
