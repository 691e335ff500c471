/**
 * `openfarm worker` takes its token from a file (--token-file) or from
 * $OPENFARM_WORKER_TOKEN, so it never shows in `ps`; --token still works, with
 * a warning that it does show. Each way is run as a user runs it: the CLI as a
 * child process against a real farm, until the node says it registered; its
 * command line is then read back from /proc, as `ps` shows it to anyone.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createWorker, type RunningFarmServer, schedulerPlugin, startServer } from '@openfarm/server';
import { runInProcess, spawnCli } from './cli-runner.js';

let dir: string;
let farm: RunningFarmServer;
let token: string;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-cli-worker-token-'));
  farm = await startServer({
    dataDir: join(dir, 'farm'),
    port: 0,
    logLevel: 'silent',
    plugins: [schedulerPlugin()],
  });
  token = (await createWorker(farm.farm.store.db, 'node-1')).token;
});
after(async () => {
  farm.app.server.closeAllConnections();
  await farm.close();
  await rm(dir, { recursive: true, force: true });
});

/** Start `openfarm worker …`, wait until it registered, and return what `ps` and its output showed. */
async function startNode(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ cmdline: string; stdout: string; stderr: string }> {
  const child: ChildProcess = spawnCli(
    ['worker', '--server', farm.url, '--work', join(dir, 'work'), ...args],
    env,
  );
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise((r) => child.once('exit', r));
  try {
    const end = Date.now() + 60_000;
    while (!/registered as node-1/.test(stdout)) {
      if (child.exitCode !== null) throw new Error(`the node exited: ${stderr}`);
      if (Date.now() > end) throw new Error(`the node did not register:\n${stdout}\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const cmdline = readFileSync(`/proc/${child.pid}/cmdline`, 'utf8').split('\0').join(' ');
    return { cmdline, stdout, stderr };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

test('--token-file: the node registers and its token is not on its command line', async () => {
  const file = join(dir, 'node.token');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  const r = await startNode(['--token-file', file]);
  assert.ok(!r.cmdline.includes(token), r.cmdline);
  assert.ok(r.cmdline.includes('--token-file'), r.cmdline);
  assert.doesNotMatch(r.stderr, /warning/);
});

test('a token file other users can read is used, with a warning', async () => {
  const file = join(dir, 'open.token');
  await writeFile(file, token);
  await chmod(file, 0o644);
  const r = await startNode(['--token-file', file]);
  assert.match(r.stderr, /can be read by other users \(mode 644\); chmod 600 it/);
});

test('$OPENFARM_WORKER_TOKEN: the node registers and its token is not on its command line', async () => {
  const r = await startNode([], { OPENFARM_WORKER_TOKEN: token });
  assert.ok(!r.cmdline.includes(token), r.cmdline);
  assert.doesNotMatch(r.stderr, /warning/);
});

test('--token still works, warning that ps shows it', async () => {
  const r = await startNode(['--token', token]);
  assert.ok(r.cmdline.includes(token), 'what the warning is about');
  assert.match(r.stderr, /warning: --token shows the token to every user of this machine/);
});

test('no token, an empty file, a missing file, or both flags: a clear error', async () => {
  const empty = join(dir, 'empty.token');
  await writeFile(empty, '\n', { mode: 0o600 });
  const cases: Array<[string[], RegExp]> = [
    [[], /no node token: pass --token-file FILE or set OPENFARM_WORKER_TOKEN/],
    [['--token-file', empty], /the token file .*empty\.token is empty/],
    [['--token-file', join(dir, 'nope')], /cannot read the token file .*nope/],
    [['--token', token, '--token-file', empty], /--token or --token-file, not both/],
  ];
  for (const [args, message] of cases) {
    const r = await runInProcess(['worker', '--server', farm.url, ...args], { OPENFARM_WORKER_TOKEN: '' });
    assert.equal(r.status, 1, `${args.join(' ')}: ${r.stdout}`);
    assert.match(r.stderr, message);
  }
});

test('workers add recommends the token file, not --token', async () => {
  const r = await runInProcess(['workers', 'add', 'node-2', '--data', join(dir, 'farm')]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /openfarm worker --server URL --token-file FILE/);
  assert.doesNotMatch(r.stdout, /--token \S/);
});
