/**
 * `openfarm workers add|list|rotate-token|disable|enable` on a farm's store while the farm
 * runs: the data directory's SQLite file, and PostgreSQL with --database-url
 * when OPENFARM_TEST_POSTGRES_URL names a server. The token printed once lets
 * a node register with the farm; disable makes the farm give the node no
 * frames (it says so on register and on every poll), enable undoes it;
 * rotate-token replaces the token, and the old one is refused at once.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { openFarmStore, type RunningFarmServer, schedulerPlugin, startServer } from '@openfarm/server';
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

interface ListedWorker {
  workerId: number;
  name: string;
  disabled: boolean;
  renderers: Array<{ cgName: string; version: string }>;
  lastSeenAt: string | null;
}

const postgresUrl = process.env.OPENFARM_TEST_POSTGRES_URL || undefined;

const stores = [
  { label: 'on the data directory (SQLite)', databaseUrl: undefined as string | undefined },
  { label: 'with --database-url (PostgreSQL)', databaseUrl: postgresUrl },
];

for (const { label, databaseUrl } of stores) {
  const skip =
    label.includes('PostgreSQL') && databaseUrl === undefined && 'OPENFARM_TEST_POSTGRES_URL not set';
  describe(`openfarm workers ${label}`, { skip }, () => {
    let dataDir: string;
    let farm: RunningFarmServer;
    // A PostgreSQL database may be shared with other test files and earlier runs: unique names.
    const suffix = databaseUrl === undefined ? '' : `-${process.pid}-${Date.now() % 1_000_000}`;
    const nodeA = `node-a${suffix}`;
    const nodeB = `node-b${suffix}`;
    const store = (): string[] =>
      databaseUrl === undefined ? ['--data', dataDir] : ['--database-url', databaseUrl];
    const workers = async (...args: string[]) => runCli(['workers', ...args, ...store()]);
    const list = async (): Promise<ListedWorker[]> => {
      const r = await workers('list', '--json');
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as ListedWorker[];
    };

    before(async () => {
      dataDir = await mkdtemp(join(tmpdir(), 'openfarm-cli-workers-'));
      // The admin commands open the farm's store while the farm runs, as on a real farm.
      farm = await startServer({
        dataDir,
        ...(databaseUrl !== undefined ? { store: await openFarmStore({ dataDir, databaseUrl }) } : {}),
        port: 0,
        logLevel: 'silent',
        plugins: [schedulerPlugin()],
      });
    });
    after(async () => {
      await farm?.close();
      await rm(dataDir, { recursive: true, force: true });
    });

    test('add --json prints the token once; the node registers with it; list shows the node', async () => {
      const added = await workers('add', nodeA, '--json');
      assert.equal(added.status, 0, added.stderr);
      const printed = JSON.parse(added.stdout) as { workerId: number; name: string; token: string };
      assert.deepEqual(Object.keys(printed), ['workerId', 'name', 'token']);
      assert.equal(printed.name, nodeA);
      assert.equal(typeof printed.workerId, 'number');
      assert.equal(typeof printed.token, 'string');
      assert.ok(printed.token.length >= 32, `a token long enough to be secret: ${printed.token}`);

      const fresh = (await list()).find((w) => w.name === nodeA);
      assert.deepEqual(fresh && [fresh.workerId, fresh.disabled, fresh.lastSeenAt], [
        printed.workerId,
        false,
        null,
      ]);
      const reg = await new NodeApi(farm.url, printed.token).register(caps);
      assert.deepEqual([reg.name, reg.workerId, reg.disabled], [nodeA, printed.workerId, false]);
      await assert.rejects(
        new NodeApi(farm.url, `${printed.token}x`).register(caps),
        /does not accept this node token/,
      );

      const seen = (await list()).find((w) => w.name === nodeA);
      assert.ok(seen !== undefined);
      assert.deepEqual(seen.renderers, [{ cgName: 'Blender', version: '3.4.1' }]);
      assert.notEqual(seen.lastSeenAt, null);
      const text = await workers('list');
      assert.match(
        text.stdout,
        new RegExp(`^${nodeA}: Blender 3\\.4\\.1; 2 cores, 1 slot\\(s\\); last seen `, 'm'),
      );
      // The token is printed by add only.
      assert.doesNotMatch(text.stdout + JSON.stringify(await list()), new RegExp(printed.token));
    });

    test('disable: the farm tells the node and gives it no frames; enable undoes it', async () => {
      const added = await workers('add', nodeB, '--json');
      assert.equal(added.status, 0, added.stderr);
      const node = new NodeApi(farm.url, (JSON.parse(added.stdout) as { token: string }).token);
      assert.equal((await node.register(caps)).disabled, false);

      const disabled = await workers('disable', nodeB);
      assert.equal(disabled.status, 0, disabled.stderr);
      assert.match(disabled.stdout, new RegExp(`render node ${nodeB} disabled`));
      assert.equal((await node.register(caps)).disabled, true);
      assert.deepEqual(await node.poll([], 1, 0), { leases: [], cancel: [], disabled: true });
      assert.equal((await list()).find((w) => w.name === nodeB)?.disabled, true);
      assert.match((await workers('list')).stdout, new RegExp(`^${nodeB} \\(disabled\\)`, 'm'));

      const enabled = await workers('enable', nodeB);
      assert.equal(enabled.status, 0, enabled.stderr);
      assert.match(enabled.stdout, new RegExp(`render node ${nodeB} enabled`));
      assert.equal((await node.register(caps)).disabled, false);
      assert.equal((await node.poll([], 1, 0)).disabled, false);
      assert.equal((await list()).find((w) => w.name === nodeB)?.disabled, false);
    });

    test('rotate-token: the new token works, the old one is refused at once', async () => {
      const nodeC = `node-c${suffix}`;
      const added = await workers('add', nodeC, '--json');
      assert.equal(added.status, 0, added.stderr);
      const old = (JSON.parse(added.stdout) as { token: string }).token;
      assert.equal((await new NodeApi(farm.url, old).register(caps)).name, nodeC);

      const rotated = await workers('rotate-token', nodeC, '--json');
      assert.equal(rotated.status, 0, rotated.stderr);
      const fresh = JSON.parse(rotated.stdout) as { workerId: number; name: string; token: string };
      assert.equal(fresh.name, nodeC);
      assert.notEqual(fresh.token, old);
      assert.equal((await new NodeApi(farm.url, fresh.token).register(caps)).name, nodeC);
      await assert.rejects(new NodeApi(farm.url, old).register(caps), /does not accept this node token/);
      const text = await workers('rotate-token', nodeC);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, new RegExp(`^new token for render node ${nodeC}: \\S{32,}$`, 'm'));
    });

    test('unknown names and duplicates are refused by name', async () => {
      for (const command of ['disable', 'enable', 'rotate-token']) {
        const unknown = await workers(command, `nobody${suffix}`);
        assert.equal(unknown.status, 1);
        assert.match(unknown.stderr, new RegExp(`no render node named "nobody${suffix}"`));
      }
      const again = await workers('add', nodeA);
      assert.equal(again.status, 1);
      assert.match(again.stderr, new RegExp(nodeA));
    });

    if (databaseUrl === undefined) {
      test('OPENFARM_DATA names the data directory', async () => {
        const r = await runCli(['workers', 'list', '--json'], { OPENFARM_DATA: dataDir });
        assert.equal(r.status, 0, r.stderr);
        assert.ok((JSON.parse(r.stdout) as ListedWorker[]).some((w) => w.name === nodeA));
      });
    } else {
      test('OPENFARM_DATABASE_URL names the database; the data directory is not touched', async () => {
        const r = await runCli(['workers', 'list', '--json', '--data', dataDir], {
          OPENFARM_DATABASE_URL: databaseUrl,
        });
        assert.equal(r.status, 0, r.stderr);
        assert.ok((JSON.parse(r.stdout) as ListedWorker[]).some((w) => w.name === nodeA));
        const local = await runCli(['workers', 'list', '--json', '--data', dataDir], {
          OPENFARM_DATABASE_URL: '',
        });
        assert.equal(local.status, 0, local.stderr);
        assert.deepEqual(JSON.parse(local.stdout), [], 'the SQLite file of the data directory has no nodes');
      });
    }
  });
}

test('a --database-url that is not PostgreSQL is refused, saying what it must be', async () => {
  const r = await runCli(['workers', 'list', '--database-url', 'mysql://farm/db']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /postgres:\/\//);
});
