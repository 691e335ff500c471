/**
 * `openfarm up` and `openfarm render` as a user runs them, in child processes
 * with real Blender: up writes a working client profile and starts a render
 * node; render analyzes, uploads and submits a scene and downloads its frames;
 * SIGTERM stops the farm cleanly, leaving no renderer behind.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RayvisionAPI } from '@openfarm/sdk';
import sharp from 'sharp';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { spawnCli } from './cli-runner.js';

const hasBlender = spawnSync('blender', ['--version'], { stdio: 'ignore' }).status === 0;
let root: string;
let env: Record<string, string>;
let up: ChildProcess | undefined;
let upOut = '';

/** Resolve with the child's exit code and output. */
function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}; up printed:\n${upOut}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Blender processes started for this farm's nodes (their command lines name the data directory). */
function farmRenderers(): string[] {
  const r = spawnSync('pgrep', ['-af', join(root, 'data')], { encoding: 'utf8' });
  return r.stdout.split('\n').filter((l) => l.includes('blender'));
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-cli-farm-'));
  env = { OPENFARM_CONFIG: join(root, 'client.json'), RAYVISION_LOG: join(root, 'sdk') };
  // The commands must find the farm through the profile `up` writes, not through these.
  for (const name of ['OPENFARM_URL', 'RAYVISION_API_ACCESS_ID', 'RAYVISION_API_KEY'])
    delete process.env[name];
});
after(async () => {
  if (up !== undefined && up.exitCode === null && up.signalCode === null) up.kill('SIGKILL');
  await rm(root, { recursive: true, force: true });
});

test('up starts a farm with a render node and writes a working client profile', {
  skip: !hasBlender && 'blender is not installed',
}, async () => {
  up = spawnCli(['up', '--data', join(root, 'data'), '--port', '0', '--workers', '1'], env);
  up.stdout?.on('data', (d: Buffer) => (upOut += d.toString()));
  up.stderr?.on('data', (d: Buffer) => (upOut += d.toString()));
  await until('up to print its URL', () => /openfarm is up: http:\/\/127\.0\.0\.1:\d+/.test(upOut), 60_000);
  assert.match(upOut, /render nodes: 1\n/);
  const url = /openfarm is up: (\S+)/.exec(upOut)?.[1] as string;
  const profile = JSON.parse(await readFile(env.OPENFARM_CONFIG as string, 'utf8')) as {
    server: string;
    accessId: string;
    accessKey: string;
  };
  assert.equal(profile.server, url);
  const api = new RayvisionAPI({
    accessId: profile.accessId,
    accessKey: profile.accessKey,
    domain: new URL(url).host,
    protocol: 'http',
    platform: '2',
  });
  const configs = await api.user.getHardwareConfig();
  assert.ok(configs.length > 0, 'the profile signs calls the farm accepts');
});

test('up refuses a port that is taken, saying so', async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await finished(
      spawnCli(['up', '--data', join(root, 'other'), '--port', String(port), '--workers', '0'], {
        ...env,
        OPENFARM_CONFIG: join(root, 'other.json'),
      }),
    );
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
  } finally {
    blocker.close();
  }
});

test('render: a scene through the farm started by up, frames downloaded as they finish', {
  skip: !hasBlender && 'blender is not installed',
}, async () => {
  assert.ok(up !== undefined, 'the farm from the first test');
  const scene = generateSampleScene({ outDir: join(root, 'scene'), size: 48, frames: 2 });
  const to = join(root, 'frames');
  const r = await finished(
    spawnCli(
      ['render', scene.blendPath, '--frames', '1-2', '--to', to, '--workspace', join(root, 'ws')],
      env,
    ),
  );
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /ended with status 25; 2 file\(s\)/);
  const files = (await readdir(to)).sort();
  assert.deepEqual(files, ['sample_0001.png', 'sample_0002.png']);
  for (const f of files) {
    const image = sharp(join(to, f));
    const meta = await image.metadata();
    assert.equal(meta.width, 48);
    assert.ok(
      (await image.stats()).channels.some((c) => c.stdev > 1),
      `${f} is not uniform`,
    );
  }
});

test('render of a missing scene exits non-zero naming the file', {
  skip: !hasBlender && 'blender is not installed',
}, async () => {
  const missing = join(root, 'nowhere', 'shot.blend');
  const r = await finished(spawnCli(['render', missing, '--to', join(root, 'x')], env));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /nowhere\/shot\.blend/);
});

test('SIGTERM stops up cleanly: exit 0, no renderer left', {
  skip: !hasBlender && 'blender is not installed',
}, async () => {
  assert.ok(up !== undefined, 'the farm from the first test');
  const exited = new Promise<number | null>((r) => up?.once('exit', (code) => r(code)));
  up.kill('SIGTERM');
  assert.equal(await exited, 0, upOut);
  assert.match(upOut, /SIGTERM: stopping render nodes and the server/);
  assert.deepEqual(farmRenderers(), []);
});
