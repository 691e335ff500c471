/**
 * The walk-through of the CLI README, as a new user types it, each command a
 * child process against a farm `openfarm up` started with a Blender node:
 * analyze → check → submit --wait → download, then logs, frames, outputs,
 * priority, frames requeue and wait, reading what they print.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { ok, startUpFarm, type UpFarm } from './up-farm.js';

const skip = requireProgram('blender');
let root: string;
let farm: UpFarm | undefined;

before(async () => {
  if (skip !== false) return;
  root = await mkdtemp(join(tmpdir(), 'openfarm-cli-flow-'));
  farm = await startUpFarm(root);
});

after(async () => {
  await farm?.stop();
});

test('the README walk-through: analyze, check, submit --wait, download --realtime, then logs, frames, outputs, priority, requeue, wait, logs --follow', {
  skip,
  timeout: 300_000,
}, async () => {
  const openfarm = (farm as UpFarm).openfarm;
  const scene = generateSampleScene({ outDir: join(root, 'scene'), size: 32, frames: 2 });
  const workspace = join(root, 'ws');
  await rm(workspace, { recursive: true, force: true });
  await mkdir(workspace);

  // analyze: the job folder, in words.
  const analyzed = ok(await openfarm('analyze', scene.blendPath, '--workspace', workspace), 'analyze');
  assert.match(analyzed.stdout, /^Blender 3\.4/m);
  const jobDir = /job folder: (.+)/.exec(analyzed.stdout)?.[1] as string;
  assert.ok(jobDir, analyzed.stdout);

  // submit before check: the error names the command to run.
  const early = await openfarm('submit', jobDir);
  assert.equal(early.code, 1);
  assert.match(early.stderr, /has no task id yet: run `openfarm check .+` first/);

  // check: a task id, and the next step.
  const checked = ok(await openfarm('check', jobDir, '--project', 'shotA'), 'check');
  const taskId = /task (\d+): checked; submit it with `openfarm submit /.exec(checked.stdout)?.[1] as string;
  assert.ok(taskId, checked.stdout);

  // submit --wait: follows to the end; progress as plain lines on stderr (not a terminal); exit 0.
  const submitted = ok(await openfarm('submit', jobDir, '--wait', '--priority', '5'), 'submit --wait');
  assert.match(submitted.stdout, new RegExp(`^task ${taskId}: submitted$`, 'm'));
  assert.match(submitted.stdout, new RegExp(`^task ${taskId}: done, 2/2 frames done, 0 failed$`, 'm'));
  assert.match(
    submitted.stderr,
    new RegExp(`^task ${taskId} \\w[\\w ]*: \\d/2 done, \\d failed, \\d rendering`, 'm'),
  );
  assert.match(submitted.stderr, /\d+:\d\d elapsed/);
  assert.doesNotMatch(submitted.stderr, /\r|\x1b/, 'no terminal control codes when stderr is a pipe');

  // download --realtime: the frames land; the task's progress line on stderr.
  const to = join(root, 'frames');
  const downloaded = ok(await openfarm('download', taskId, '--realtime', '--to', to, '--flat'), 'download');
  assert.match(downloaded.stderr, new RegExp(`^task ${taskId} done: 2/2 done, 0 failed, 0 rendering`, 'm'));
  assert.deepEqual((await readdir(to)).sort(), ['sample_0001.png', 'sample_0002.png']);

  // The read-only commands at once (each child pays the CLI's start-up).
  const [logsRun, framesRun, failedRun, outputsRun] = await Promise.all([
    openfarm('logs', taskId, '1'),
    openfarm('frames', taskId),
    openfarm('frames', taskId, '--status', 'failed'),
    openfarm('outputs', taskId),
  ]);

  // logs: the renderer's own lines.
  const logs = ok(logsRun, 'logs');
  assert.match(logs.stdout, /Blender 3\.4/);
  assert.match(logs.stdout, /Fra:1 /);

  // frames: words, not codes; the node and an (empty) error column.
  const frames = ok(framesRun, 'frames');
  assert.match(frames.stdout, /^FRAME\s+STATUS\s+TYPE\s+NODE\s+STARTED\s+SECONDS\s+ERROR$/m);
  assert.match(frames.stdout, /^1\s+done\s+main\s+local-1\s/m);
  assert.match(frames.stdout, /^2\s+done\s+main\s+local-1\s/m);
  assert.match(frames.stdout, /page 1 of 1, 2 frames/);
  const failed = ok(failedRun, 'frames --status failed');
  assert.match(failed.stdout, /\(none\)\npage 1 of 1, 0 frames/);

  // outputs: the task's output tree.
  const outputs = ok(outputsRun, 'outputs');
  assert.match(outputs.stdout, /^ {2}sample_0001\.png {2}\d/m);
  assert.match(outputs.stdout, /2 file\(s\), .*; download them with `openfarm download /);

  // priority: set, and shown by `task`.
  assert.match(
    ok(await openfarm('priority', taskId, '9'), 'priority').stdout,
    new RegExp(`task ${taskId}: priority 9`),
  );
  const task = ok(await openfarm('task', taskId), 'task');
  assert.match(task.stdout, /^priority\s+9$/m);
  assert.match(task.stdout, /^status\s+done$/m);
  assert.match(task.stdout, /^project\s+shotA$/m);

  // requeue frame 2, then wait for the task to end again.
  const requeued = ok(await openfarm('frames', 'requeue', taskId, '2'), 'frames requeue');
  assert.match(requeued.stdout, new RegExp(`task ${taskId}: 1 frame\\(s\\) queued to render again`));
  // Beside the wait, the frame's log followed until the frame ends.
  const [waitRun, followRun] = await Promise.all([
    openfarm('wait', taskId),
    openfarm('logs', taskId, '2', '--follow'),
  ]);
  const waited = ok(waitRun, 'wait');
  assert.match(ok(followRun, 'logs --follow').stdout, /Fra:2 /);
  assert.match(waited.stdout, new RegExp(`^task ${taskId}: done, 2/2 frames done, 0 failed$`, 'm'));
  const again = ok(await openfarm('frames', taskId, '--json'), 'frames --json');
  const page = JSON.parse(again.stdout) as {
    items: Array<{ frameIndex: string; frameStatus: number; frameStatusWord: string; recommitFlag: number }>;
  };
  assert.deepEqual(
    page.items.map((f) => [f.frameIndex, f.frameStatus, f.frameStatusWord]),
    [
      ['1', 4, 'done'],
      ['2', 4, 'done'],
    ],
  );

  // tasks --status takes words.
  const done = ok(await openfarm('tasks', '--status', 'done'), 'tasks --status done');
  assert.match(
    done.stdout,
    new RegExp(`^${taskId}\\s+sample\\.blend\\s+done\\s+2\\s+0\\s+2\\s+shotA\\s`, 'm'),
  );
});
