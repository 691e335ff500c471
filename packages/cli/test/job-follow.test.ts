/**
 * Following a task from the command line against a farm `openfarm up` runs
 * with a real Blender node, each command a child process: `submit --download
 * DIR` on its own, `wait`'s exit codes for a task paused after its test
 * frames (4) and one whose frame failed (2), the overtime stop killing a
 * slow Blender frame, the live progress line in a real (pseudo) terminal,
 * and the platform count `up` records in the profile.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { RayvisionAPI } from '@openfarm/sdk';
import { startServer } from '@openfarm/server';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { cliArgv, repoRoot } from './cli-runner.js';
import { ok, type Run, startUpFarm, type UpFarm } from './up-farm.js';

const skip = requireProgram('blender') || requireProgram('script', { probeArgs: ['--version'] });
let root: string;
let farm: UpFarm;

before(async () => {
  if (skip !== false) return;
  root = await mkdtemp(join(tmpdir(), 'openfarm-cli-follow-'));
  // A farm that offers one render platform: its data folder prepared before `up` opens it.
  const prepared = await startServer({
    dataDir: join(root, 'data'),
    host: '127.0.0.1',
    port: 0,
    logLevel: 'silent',
  });
  await prepared.farm.store.db
    .updateTable('platforms')
    .set({ status: 0 })
    .where('platform', '!=', 2)
    .execute();
  await prepared.close();
  farm = await startUpFarm(root);
});

after(async () => {
  await farm?.stop();
});

/** analyze → check: a job folder with its task id. */
async function checkedJob(blendPath: string, name: string): Promise<{ jobDir: string; taskId: string }> {
  const workspace = join(root, name);
  await mkdir(workspace);
  const analyzed = ok(await farm.openfarm('analyze', blendPath, '--workspace', workspace), 'analyze');
  const jobDir = /job folder: (.+)/.exec(analyzed.stdout)?.[1] as string;
  assert.ok(jobDir, analyzed.stdout);
  const checked = ok(await farm.openfarm('check', jobDir), 'check');
  const taskId = /task (\d+): checked/.exec(checked.stdout)?.[1] as string;
  assert.ok(taskId, checked.stdout);
  return { jobDir, taskId };
}

/** The SDK signed as the profile `up` wrote. */
async function profileApi(): Promise<RayvisionAPI> {
  const p = JSON.parse(await readFile(farm.env.OPENFARM_CONFIG as string, 'utf8')) as {
    server: string;
    accessId: string;
    accessKey: string;
    platform: string;
  };
  return new RayvisionAPI({
    accessId: p.accessId,
    accessKey: p.accessKey,
    domain: new URL(p.server).host,
    protocol: 'http',
    platform: p.platform,
  });
}

/** Blender processes (not yet reaped) whose command line holds `text`, e.g. a folder of their scene's path. */
function blendersNaming(text: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
      const state = /\) (\S)/.exec(readFileSync(`/proc/${name}/stat`, 'utf8'))?.[1];
      if (basename(argv[0] ?? '') === 'blender' && state !== 'Z' && argv.some((a) => a.includes(text)))
        pids.push(Number(name));
    } catch {
      // gone while reading
    }
  }
  return pids;
}

async function until(what: string, check: () => boolean | Promise<boolean>, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * `openfarm ARGS` in a pseudo terminal (util-linux `script`): what the
 * terminal received so far, and at the end with the exit code.
 */
function inTerminal(args: string[]): { screen(): string; done: Promise<Run> } {
  const command = cliArgv(args).map(shellQuote).join(' ');
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: repoRoot,
    env: { ...process.env, ...farm.env, SHELL: '/bin/sh', TERM: 'xterm' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    screen: () => stdout,
    done: new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr }))),
  };
}

test('up records the farm’s platform count in the profile: one platform, so --platform stays out of the help', {
  skip,
}, async () => {
  const profile = JSON.parse(await readFile(farm.env.OPENFARM_CONFIG as string, 'utf8')) as {
    platform: string;
    platforms: number;
  };
  assert.equal(profile.platforms, 1);
  assert.equal(profile.platform, '2');
  const help = ok(await farm.openfarm('submit', '--help'), 'submit --help');
  assert.match(help.stdout, /--priority/);
  assert.doesNotMatch(help.stdout, /--platform/);
});

test('submit --download DIR: frames land in DIR while the task renders; exit 0 once all are done', {
  skip,
  timeout: 240_000,
}, async () => {
  const scene = generateSampleScene({ outDir: join(root, 'scene-small'), size: 32, frames: 3 });
  const { jobDir, taskId } = await checkedJob(scene.blendPath, 'ws-download');
  const to = join(root, 'downloaded');
  // When each file first shows in DIR, seen from outside the command.
  const landed = new Map<string, number>();
  const watching = setInterval(() => {
    try {
      for (const f of readdirSync(to)) if (!landed.has(f)) landed.set(f, Date.now());
    } catch {
      // not made yet
    }
  }, 50);
  let run: Run;
  try {
    run = ok(await farm.openfarm('submit', jobDir, '--download', to), 'submit --download');
  } finally {
    clearInterval(watching);
  }
  assert.match(run.stdout, new RegExp(`^task ${taskId}: submitted$`, 'm'));
  for (const n of ['0001', '0002', '0003'])
    assert.match(run.stdout, new RegExp(`^ {2}.*sample_${n}\\.png$`, 'm'), 'each file as it lands');
  assert.match(
    run.stdout,
    new RegExp(`^task ${taskId}: done, 3/3 frames done, 0 failed; 3 file\\(s\\) in ${to}$`, 'm'),
  );
  assert.match(
    run.stderr,
    new RegExp(`^task ${taskId} \\w[\\w ]*: \\d/3 done, \\d failed, \\d rendering`, 'm'),
  );
  assert.doesNotMatch(run.stderr, /\r|\x1b/, 'plain lines when stderr is a pipe');
  assert.deepEqual((await readdir(to)).sort(), ['sample_0001.png', 'sample_0002.png', 'sample_0003.png']);

  // The first frame was on disk before the last one had finished rendering.
  const frames = await (await profileApi()).query.getAllFrames(Number(taskId));
  const lastEnd = Math.max(...[...frames.values()].map((f) => Number(f.endTime)));
  const firstLanded = Math.min(...landed.values());
  assert.ok(
    firstLanded < lastEnd,
    `first file landed at ${firstLanded}, ${firstLanded - lastEnd} ms after the last frame ended`,
  );
});

test('wait exits 4 for a task paused after its test frames, naming the command that renders the rest', {
  skip,
  timeout: 180_000,
}, async () => {
  const scene = generateSampleScene({ outDir: join(root, 'scene-test'), size: 32, frames: 3 });
  const { jobDir, taskId } = await checkedJob(scene.blendPath, 'ws-test-frames');
  ok(await farm.openfarm('submit', jobDir, '--test-frames', '2', '--stop-after-test'), 'submit');
  const waited = await farm.openfarm('wait', taskId);
  assert.equal(waited.code, 4, `${waited.stdout}\n${waited.stderr}`);
  assert.match(
    waited.stdout,
    new RegExp(
      `^task ${taskId}: test done, 1/3 frames done, 0 failed; render the rest with \`openfarm full-speed ${taskId}\`$`,
      'm',
    ),
  );
  assert.doesNotMatch(waited.stderr, /\r|\x1b/);
});

test('overtime: the farm stops a Blender frame running past the task’s overtime and kills its Blender; wait in a terminal redraws one line and exits 2', {
  skip,
  timeout: 240_000,
}, async () => {
  // Large enough that the frame renders for well over the overtime on any machine.
  const scene = generateSampleScene({ outDir: join(root, 'scene-slow'), size: 3200, frames: 1 });
  const { jobDir, taskId } = await checkedJob(scene.blendPath, 'ws-slow');
  ok(await farm.openfarm('submit', jobDir), 'submit');
  const waiting = inTerminal(['wait', taskId]);

  // Blender renders the frame (its staged scene keeps the folder's name; the node may keep an
  // earlier task's warm Blender too) and `wait` shows it; then the task gets an overtime of 2 s.
  const seen = new Set<number>();
  await until(
    'Blender to render the slow frame, and wait to show it',
    () => {
      for (const pid of blendersNaming('scene-slow')) seen.add(pid);
      return seen.size > 0 && / 1 rendering/.test(waiting.screen());
    },
    90_000,
  );
  await (await profileApi()).task.setTaskOvertimeTop([Number(taskId)], 2);

  const waited = await waiting.done;
  assert.equal(waited.code, 2, waited.stdout);
  const screen = waited.stdout.replace(/\r\n/g, '\n');
  const summary = `task ${taskId}: failed, 0/1 frames done, 1 failed; see why with \`openfarm frames ${taskId} --status failed\``;
  const at = screen.indexOf(summary);
  assert.ok(at > 0, `the outcome is the last thing said:\n${JSON.stringify(screen)}`);
  assert.doesNotMatch(screen.slice(at), /\n./, 'nothing after the outcome line');
  // Before it, one line redrawn in place (carriage return, erase line), ended by one newline.
  const progress = screen.slice(0, at);
  const redraws = progress.split('\r\x1b[K').slice(1);
  assert.ok(redraws.length >= 2, `redrawn at least twice:\n${JSON.stringify(progress)}`);
  assert.equal(progress.split('\n').length - 1, 1, `one line:\n${JSON.stringify(progress)}`);
  assert.match(
    redraws[0] as string,
    new RegExp(`^task ${taskId} \\w[\\w ]*: 0/1 done, 0 failed, \\d rendering`),
  );
  assert.match(
    redraws.at(-1) as string,
    new RegExp(`^task ${taskId} failed: 0/1 done, 1 failed, 0 rendering`),
  );

  // The node killed the Blender it ran for the frame.
  await until(
    'the frame’s Blender to be killed',
    () => [...seen].every((pid) => !blendersNaming('scene-slow').includes(pid)),
    30_000,
  );

  // The frame's status and log say why.
  const [framesRun, logsRun] = await Promise.all([
    farm.openfarm('frames', taskId),
    farm.openfarm('logs', taskId, '1'),
  ]);
  const frames = ok(framesRun, 'frames');
  assert.match(
    frames.stdout,
    /^1\s+timed out\s+main\s+local-1\s.*frame ran longer than 2 s, the task's overtime stop/m,
  );
  const logs = ok(logsRun, 'logs');
  assert.match(logs.stdout, /Blender 3\.4/);
  assert.match(
    logs.stdout,
    /^\[openfarm\] frame ran longer than 2 s, the task's overtime stop \(setTaskOverTimeStop\): stopped$/m,
  );
});
