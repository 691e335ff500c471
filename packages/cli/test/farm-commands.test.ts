/**
 * `openfarm up` and `openfarm render` as a user runs them, in child processes
 * with real Blender: up writes a working client profile and starts a render
 * node; render analyzes, uploads and submits a scene and downloads its frames;
 * Ctrl-C on render stops following the task and says how to resume, while the
 * farm renders on; SIGTERM in the middle of a frame stops the farm cleanly,
 * leaving no renderer or other child process behind.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RayvisionAPI } from '@openfarm/sdk';
import { groupAlive, killLeftoverRenderers } from '@openfarm/worker';
import sharp from 'sharp';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { runInProcess, spawnCli } from './cli-runner.js';

// Generous on a loaded machine; a hung child fails its test instead of hanging the run.
const TEST_TIMEOUT = 240_000;
const needsBlender = { skip: requireProgram('blender'), timeout: TEST_TIMEOUT };
let root: string;
let dataDir: string;
let env: Record<string, string>;
let up: ChildProcess | undefined;
let upOut = '';
const children: ChildProcess[] = [];

/** A child process that the `after` hook kills if a test leaves it running. */
function spawnTracked(args: string[], childEnv: Record<string, string>): ChildProcess {
  const child = spawnCli(args, childEnv);
  children.push(child);
  return child;
}

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

/** Live (not zombie) processes descending from `pid`, read from /proc. */
function descendants(pid: number): Array<{ pid: number; command: string }> {
  const procs: Array<{ pid: number; ppid: number; command: string }> = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z' || state === 'X') continue;
      const command = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      procs.push({ pid: Number(name), ppid: Number(ppid), command });
    } catch {
      // the process ended while being read
    }
  }
  const found: Array<{ pid: number; command: string }> = [];
  const parents = new Set([pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (parents.has(p.ppid) && !parents.has(p.pid)) {
        parents.add(p.pid);
        found.push({ pid: p.pid, command: p.command });
        grew = true;
      }
    }
  }
  return found;
}

function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-cli-farm-'));
  dataDir = join(root, 'data');
  env = { OPENFARM_CONFIG: join(root, 'client.json'), RAYVISION_LOG: join(root, 'sdk') };
  // The commands must find the farm through the profile `up` writes, not through these.
  for (const name of ['OPENFARM_URL', 'RAYVISION_API_ACCESS_ID', 'RAYVISION_API_KEY', 'OPENFARM_DATA'])
    delete process.env[name];
});
after(async () => {
  for (const child of [...children, ...(up !== undefined ? [up] : [])]) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  // A renderer outlives a killed node (its own process group); end any the node recorded.
  if (dataDir !== undefined) killLeftoverRenderers(join(dataDir, 'nodes', 'local-1'));
  await rm(root, { recursive: true, force: true });
});

test('up starts a farm with a render node and writes a working client profile', needsBlender, async () => {
  up = spawnTracked(['up', '--data', dataDir, '--port', '0', '--workers', '1'], env);
  up.stdout?.on('data', (d: Buffer) => (upOut += d.toString()));
  up.stderr?.on('data', (d: Buffer) => (upOut += d.toString()));
  await until('up to print its URL', () => /openfarm is up: http:\/\/127\.0\.0\.1:\d+\n/.test(upOut), 90_000);
  assert.match(upOut, /render nodes: 1\n/);
  const url = /openfarm is up: (\S+)/.exec(upOut)?.[1] as string;

  const profile = JSON.parse(await readFile(env.OPENFARM_CONFIG as string, 'utf8')) as {
    server: string;
    accessId: string;
    accessKey: string;
    platform: string;
    platforms: number;
  };
  assert.equal(profile.server, url);
  // A fresh farm offers several platforms, and the profile says so (as login records it).
  assert.ok(profile.platforms > 1, `platforms: ${profile.platforms}`);
  const api = new RayvisionAPI({
    accessId: profile.accessId,
    accessKey: profile.accessKey,
    domain: new URL(url).host,
    protocol: 'http',
    platform: profile.platform,
  });
  const configs = await api.user.getHardwareConfig();
  assert.ok(configs.length > 0, 'the profile signs calls the farm accepts');
  const wrongKey = new RayvisionAPI({
    accessId: profile.accessId,
    accessKey: `${profile.accessKey.slice(0, -1)}${profile.accessKey.endsWith('0') ? '1' : '0'}`,
    domain: new URL(url).host,
    protocol: 'http',
    platform: profile.platform,
  });
  await assert.rejects(wrongKey.user.getHardwareConfig(), 'the farm checks the signature');

  // The node registered with the farm (it has reported its renderers) and takes frames.
  const listed = await runInProcess(['workers', 'list', '--data', dataDir, '--json']);
  assert.equal(listed.status, 0, listed.stderr);
  const nodes = JSON.parse(listed.stdout) as Array<{
    name: string;
    disabled: boolean;
    renderers: Array<{ cgName: string }>;
    lastSeenAt: string | null;
  }>;
  assert.deepEqual(
    nodes.map((n) => [
      n.name,
      n.disabled,
      n.renderers.some((r) => r.cgName === 'Blender'),
      n.lastSeenAt !== null,
    ]),
    [['local-1', false, true, true]],
  );
});

test('up refuses a port that is taken, saying so', { timeout: TEST_TIMEOUT }, async () => {
  const blocker = createServer();
  await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
  const port = (blocker.address() as { port: number }).port;
  try {
    const r = await finished(
      spawnTracked(['up', '--data', join(root, 'other'), '--port', String(port), '--workers', '0'], {
        ...env,
        OPENFARM_CONFIG: join(root, 'other.json'),
      }),
    );
    assert.equal(r.code, 1, r.stderr);
    assert.equal(r.stderr, `openfarm: port ${port} on 127.0.0.1 is already in use\n`);
  } finally {
    blocker.close();
  }
});

test(
  'render: a scene through the farm started by up, frames downloaded as they finish',
  needsBlender,
  async () => {
    assert.ok(up !== undefined && up.exitCode === null, 'the farm from the first test runs');
    const scene = generateSampleScene({ outDir: join(root, 'scene'), size: 48, frames: 2 });
    const to = join(root, 'frames');
    const r = await finished(
      spawnTracked(
        ['render', scene.blendPath, '--frames', '1-2', '--to', to, '--workspace', join(root, 'ws')],
        env,
      ),
    );
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /task \d+: done, 2\/2 frames done, 0 failed; 2 file\(s\) in /);
    const files = (await readdir(to)).sort();
    assert.deepEqual(files, ['sample_0001.png', 'sample_0002.png']);
    for (const f of files) {
      const image = sharp(join(to, f));
      const meta = await image.metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], ['png', 48, 48]);
      assert.ok(
        (await image.stats()).channels.some((c) => c.stdev > 1),
        `${f} is not uniform`,
      );
    }
  },
);

test('render of a missing scene exits 1 naming the file, before looking for a farm', {
  timeout: TEST_TIMEOUT,
}, async () => {
  const missing = join(root, 'nowhere', 'shot.blend');
  const r = await finished(
    spawnTracked(['render', missing, '--to', join(root, 'x')], {
      ...env,
      OPENFARM_CONFIG: join(root, 'no-profile.json'),
    }),
  );
  assert.equal(r.code, 1);
  assert.equal(r.stderr, `openfarm: no scene file at ${missing}\n`);
});

test(
  'Ctrl-C stops render following its task while the farm renders on; SIGTERM mid-frame then stops up cleanly: exit 0, no renderer or other child left',
  needsBlender,
  async () => {
    assert.ok(
      up !== undefined && up.exitCode === null && up.pid !== undefined,
      'the farm from the first test runs',
    );
    const upPid = up.pid;
    // A frame big enough to be still rendering when the signal arrives.
    const scene = generateSampleScene({ outDir: join(root, 'big'), size: 2048, frames: 1 });
    const render = spawnTracked(
      [
        'render',
        scene.blendPath,
        '--frames',
        '1-1',
        '--to',
        join(root, 'big-frames'),
        '--workspace',
        join(root, 'ws'),
      ],
      env,
    );
    let renderOut = '';
    render.stdout?.on('data', (d: Buffer) => {
      renderOut += d.toString();
    });
    render.stderr?.on('data', (d: Buffer) => {
      renderOut += d.toString();
    });
    // The node records each renderer it starts (pid of its process group) under its work folder.
    // The warm Blender of the previous render may still be recorded there, idle (up's nodes keep
    // sessions warm), so the one wanted is the Blender whose command line names this scene.
    const pids = join(dataDir, 'nodes', 'local-1', 'pids');
    const bigScene = join(root, 'big');
    let blender = 0;
    await until(
      'the node to start Blender on the scene',
      async () => {
        for (const record of await readdir(pids).catch(() => [])) {
          let pid: number | undefined;
          try {
            pid = (JSON.parse(await readFile(join(pids, record), 'utf8')) as { pid: number }).pid;
          } catch {
            continue; // gone, or not written out yet
          }
          const cmd = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
          if (cmd.includes(bigScene)) blender = pid;
        }
        return blender !== 0;
      },
      90_000,
    );
    assert.ok(groupAlive(blender), 'Blender renders when the signal arrives');
    const running = descendants(upPid);
    assert.ok(
      running.some((p) => p.pid === blender),
      `Blender is a child of up: ${JSON.stringify(running)}`,
    );

    // Ctrl-C on `render` stops following the task, not the farm: exit 130, a way to resume, Blender renders on.
    // 'close', not 'exit': its output is read to the end by then.
    const renderClosed = new Promise<number | null>((r) => render.once('close', (code) => r(code)));
    render.kill('SIGINT');
    assert.equal(await renderClosed, 130, renderOut);
    assert.match(renderOut, /SIGINT: stopped following task \d+; the farm keeps rendering it/);
    assert.match(renderOut, /openfarm download \d+ --realtime --flat --to /);
    assert.ok(groupAlive(blender), 'the farm renders on after render was interrupted');

    const exited = new Promise<number | null>((r) => up?.once('exit', (code) => r(code)));
    up.kill('SIGTERM');
    const code = await Promise.race([
      exited,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 60_000).unref()),
    ]);
    assert.equal(code, 0, upOut);
    assert.match(upOut, /SIGTERM: stopping render nodes and the server/);
    assert.equal(groupAlive(blender), false, 'the renderer ended with up');
    const left = running.filter((p) => alive(p.pid));
    assert.deepEqual(left, [], 'up leaves no child process running');
  },
);
