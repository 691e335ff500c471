/**
 * `openfarm up` starts its render nodes with warm render sessions on, and
 * `openfarm up --no-warm` with them off, seen from outside: after a render, a
 * warm node keeps a Blender running the warm request loop on the task's scene
 * (ended when `up` stops, which the node logs), a `--no-warm` node keeps none
 * and never starts one. The node options that set warm sessions are parsed.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { killLeftoverRenderers } from '@openfarm/worker';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { runCli, spawnCli } from './cli-runner.js';

const needsBlender = { skip: requireProgram('blender'), timeout: 240_000 };
let root: string;
const started: ChildProcess[] = [];

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-cli-warm-up-'));
  for (const name of ['OPENFARM_URL', 'RAYVISION_API_ACCESS_ID', 'RAYVISION_API_KEY', 'OPENFARM_DATA'])
    delete process.env[name];
});
after(async () => {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const farm of ['warm', 'cold']) killLeftoverRenderers(join(root, farm, 'data', 'nodes', 'local-1'));
  await rm(root, { recursive: true, force: true });
});

/**
 * Command lines of live processes whose command line names `dir` and Blender: the renderers, and
 * the `sh` watcher each runs beside it (so both count as left behind).
 */
function blendersUnder(dir: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (/^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2))) continue;
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ');
      if (cmd.includes(dir) && /blender/.test(cmd)) found.push(cmd);
    } catch {}
  }
  return found;
}

function run(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string }> {
  const child = spawnCli(args, env);
  started.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, out })));
}

/** `up` with `extra` flags; renders a 3-frame scene through it; what is left running, and what up printed. */
async function renderThroughUp(
  farm: string,
  extra: string[],
): Promise<{ leftWhileUp: string[]; leftAfter: string[]; upOut: string }> {
  const dir = join(root, farm);
  const dataDir = join(dir, 'data');
  const env = { OPENFARM_CONFIG: join(dir, 'client.json'), RAYVISION_LOG: join(dir, 'sdk') };
  const up = spawnCli(['up', '--data', dataDir, '--port', '0', '--workers', '1', ...extra], env);
  started.push(up);
  let upOut = '';
  up.stdout?.on('data', (d: Buffer) => (upOut += d.toString()));
  up.stderr?.on('data', (d: Buffer) => (upOut += d.toString()));
  const exited = new Promise<void>((r) => up.once('close', () => r()));
  const end = Date.now() + 90_000;
  while (!/openfarm is up: http/.test(upOut)) {
    assert.ok(Date.now() < end && up.exitCode === null, `up did not start:\n${upOut}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const scene = generateSampleScene({ outDir: join(dir, 'scene'), size: 32, frames: 3 });
  const r = await run(
    [
      'render',
      scene.blendPath,
      '--frames',
      '1-3',
      '--to',
      join(dir, 'frames'),
      '--workspace',
      join(dir, 'ws'),
    ],
    env,
  );
  assert.equal(r.code, 0, r.out);
  assert.match(r.out, /3\/3 frames done, 0 failed/);
  const leftWhileUp = blendersUnder(join(dataDir, 'nodes'));
  up.kill('SIGTERM');
  await exited;
  return { leftWhileUp, leftAfter: blendersUnder(join(dataDir, 'nodes')), upOut };
}

test('up: its nodes render in warm sessions; the warm Blender ends with up', needsBlender, async () => {
  const { leftWhileUp, leftAfter, upOut } = await renderThroughUp('warm', []);
  const renderers = leftWhileUp.filter((cmd) => !cmd.startsWith('/bin/sh '));
  assert.equal(renderers.length, 1, `one warm Blender holds the scene: ${leftWhileUp.join('\n')}`);
  assert.match(renderers[0]!, /openfarm_warm_server\.py/);
  assert.match(upOut, /\[local-1\] warm renderer \d+ ended: the node stops/);
  assert.deepEqual(leftAfter, [], 'no Blender left after up stops');
});

test('up --no-warm: its nodes start Blender afresh for every frame', needsBlender, async () => {
  const { leftWhileUp, leftAfter, upOut } = await renderThroughUp('cold', ['--no-warm']);
  assert.deepEqual(leftWhileUp, [], 'no Blender kept between frames');
  assert.doesNotMatch(upOut, /warm renderer/);
  assert.deepEqual(leftAfter, []);
});

test('worker --warm-stall takes whole seconds; up --help and worker --help list the warm options', () => {
  const refused = runCli(['worker', '--server', 'http://127.0.0.1:9', '--warm-stall', '0']);
  assert.equal(refused.status, 1);
  assert.match(refused.stderr, /--warm-stall expects a positive integer, not "0"/);
  assert.match(runCli(['worker', '--help']).stdout, /--warm-stall <seconds>/);
  assert.match(runCli(['up', '--help']).stdout, /--no-warm/);
});
