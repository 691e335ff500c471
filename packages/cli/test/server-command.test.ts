/**
 * `openfarm server`: start, answer, shut down on a signal; uploads past or through the page cache,
 * small blobs packed or not; clear refusals for a taken port or a bad data dir.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, constants, existsSync, openSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { RayvisionAPI, RayvisionUpload } from '@openfarm/sdk';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { buildProgram } from 'openfarm';
import { runInProcess as runAdmin, spawnCli } from './cli-runner.js';

let dataDir: string;
before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'openfarm-cli-server-'));
});
after(() => rm(dataDir, { recursive: true, force: true }));

async function runInProcess(args: string[]): Promise<Error | undefined> {
  try {
    await buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: () => {}, writeErr: () => {} })
      .parseAsync(['node', 'openfarm', ...args]);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

test('server prints its URL, serves, and exits cleanly on SIGINT', async () => {
  const child = spawnCli(['server', '--data', dataDir, '--port', '0', '--log-level', 'silent']);
  let stdout = '';
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  let stderr = '';
  child.stderr?.on('data', (s: string) => {
    stderr += s;
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (s: string) => {
      stdout += s;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m !== null) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code}): ${stderr}`)));
  });
  const health = await fetch(`${url}/healthz`);
  assert.equal(health.status, 200);
  assert.deepEqual(await health.json(), { status: 'ok' });
  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0, stderr);
  assert.match(stdout, /SIGINT: shutting down/);
});

/** Start `openfarm server` with these extra flags; its URL and a way to stop it. */
async function startCliServer(
  dir: string,
  flags: string[],
): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawnCli(['server', '--data', dir, '--port', '0', '--log-level', 'silent', ...flags]);
  let stdout = '';
  child.stdout?.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (s: string) => {
      stdout += s;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(stdout);
      if (m !== null) resolve(m[1] as string);
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  return {
    url,
    stop: async () => {
      child.kill('SIGINT');
      await once(child, 'exit');
    },
  };
}

/**
 * Upload `localPath` to `/shot/<its name>` of the input storage of a new data dir `work/name`,
 * through `openfarm server` run with `flags`; the data dir once the server has stopped.
 */
async function uploadThroughCliServer(
  work: string,
  name: string,
  flags: string[],
  localPath: string,
): Promise<string> {
  const dir = join(work, name);
  const added = await runAdmin(['users', 'add', 'artist', '--data', dir, '--json']);
  assert.equal(added.status, 0, added.stderr);
  const user = JSON.parse(added.stdout) as { accessId: string; accessKey: string };
  const server = await startCliServer(dir, flags);
  try {
    const api = new RayvisionAPI({
      accessId: user.accessId,
      accessKey: user.accessKey,
      domain: new URL(server.url).host,
      protocol: 'http',
      platform: '2',
    });
    const ini = join(work, `${name}.ini`);
    await writeFile(ini, `[DATABASE_CONFIG]\non = false\n[TRANSFER_LOG_PATH]\ntransfer_log_path = ${work}\n`);
    const report = await new RayvisionUpload(api, { dbConfigPath: ini }).uploadFiles('input', [
      { localPath, serverPath: `/shot/${basename(localPath)}` },
    ]);
    assert.deepEqual(report.failures, []);
  } finally {
    await server.stop();
  }
  return dir;
}

test('--no-direct-io stores uploads through the page cache; by default they go past it', async (t) => {
  const skip = requireProgram('fincore');
  if (skip) return t.skip(skip);
  const work = await mkdtemp(join(tmpdir(), 'openfarm-cli-direct-'));
  try {
    const file = join(work, 'cache.vdb');
    const data = randomBytes(3 * 1024 * 1024 + 100);
    await writeFile(file, data);
    const sha256 = createHash('sha256').update(data).digest('hex');
    /** Bytes of the stored object in the page cache, after an upload to a server run with `flags`. */
    const cachedAfterUpload = async (name: string, flags: string[]): Promise<number> => {
      const dir = await uploadThroughCliServer(work, name, flags, file);
      const object = join(dir, 'blobs', 'objects', sha256.slice(0, 2), `${sha256}-${data.length}`);
      const r = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', object], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      return Number(r.stdout.trim());
    };
    assert.ok((await cachedAfterUpload('cached', ['--no-direct-io'])) >= 3 * 1024 * 1024);
    // By default only the last partial block is cached, where this file system takes direct writes.
    let directWrites = constants.O_DIRECT !== undefined;
    try {
      if (directWrites) closeSync(openSync(file, constants.O_RDONLY | constants.O_DIRECT));
    } catch {
      directWrites = false;
    }
    if (directWrites) assert.ok((await cachedAfterUpload('direct', [])) <= 4096);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

test('small files are packed by default; with --no-packs each is a file of its own and no pack index is made', async () => {
  const work = await mkdtemp(join(tmpdir(), 'openfarm-cli-packs-'));
  try {
    const tree = join(work, 'textures');
    await mkdir(tree);
    const names = Array.from({ length: 20 }, (_, i) => `t${i}.tx`);
    for (const n of names) await writeFile(join(tree, n), randomBytes(10_000));
    const objectFiles = async (dir: string): Promise<number> => {
      let n = 0;
      for (const sub of await readdir(join(dir, 'blobs', 'objects')))
        n += (await readdir(join(dir, 'blobs', 'objects', sub))).length;
      return n;
    };
    const packed = await uploadThroughCliServer(work, 'packed', [], tree);
    assert.equal(await objectFiles(packed), 0);
    assert.equal(
      (await readdir(join(packed, 'blobs', 'packs'))).filter((n) => n.endsWith('.pack')).length,
      1,
    );
    const unpacked = await uploadThroughCliServer(work, 'unpacked', ['--no-packs'], tree);
    assert.equal(await objectFiles(unpacked), names.length);
    assert.equal(existsSync(join(unpacked, 'blobs', 'packs')), false);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
});

const postgresUrl = process.env.OPENFARM_TEST_POSTGRES_URL;
test('with --database-url the state lives in PostgreSQL', {
  skip: postgresUrl ? false : 'OPENFARM_TEST_POSTGRES_URL not set',
}, async () => {
  const child = spawnCli([
    'server',
    '--data',
    dataDir,
    '--port',
    '0',
    '--log-level',
    'silent',
    '--database-url',
    postgresUrl!,
  ]);
  let stdout = '';
  child.stdout?.setEncoding('utf8');
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on('data', (s: string) => {
      stdout += s;
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+) \(data: .*, database: /.exec(stdout);
      if (m !== null) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  assert.equal((await fetch(`${url}/healthz`)).status, 200);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  assert.equal(code, 0);
});

test('a taken port is refused with a message naming it', async () => {
  const blocker = createServer();
  blocker.listen(0, '127.0.0.1');
  await once(blocker, 'listening');
  const port = (blocker.address() as { port: number }).port;
  try {
    const err = await runInProcess([
      'server',
      '--data',
      dataDir,
      '--port',
      String(port),
      '--log-level',
      'silent',
    ]);
    assert.match(String(err?.message), new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
  } finally {
    blocker.close();
  }
});

test('an unusable data directory is refused with a message naming it', async () => {
  const file = join(dataDir, 'not-a-dir');
  await writeFile(file, 'x');
  const err = await runInProcess([
    'server',
    '--data',
    join(file, 'farm'),
    '--port',
    '0',
    '--log-level',
    'silent',
  ]);
  assert.match(
    String(err?.message),
    /data directory .*not-a-dir\/farm: cannot create it: a part of the path is a file, not a folder \(ENOTDIR\)/,
  );
});

test('bad option values are refused before anything starts', async () => {
  assert.match(String((await runInProcess(['server', '--port', '70000']))?.message), /--port expects/);
  assert.match(
    String((await runInProcess(['server', '--log-level', 'loud', '--data', dataDir]))?.message),
    /--log-level/,
  );
  assert.match(
    String((await runInProcess(['server', '--database-url', 'mysql://x', '--data', dataDir]))?.message),
    /database URL must start with postgres:\/\//,
  );
});
