/** `openfarm server`: start, answer, shut down on a signal; clear refusals for a taken port or a bad data dir. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { buildProgram } from 'openfarm';
import { spawnCli } from './cli-runner.js';

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
  assert.match(String(err?.message), /data directory .*not-a-dir\/farm is not writable/);
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
