/**
 * The client commands without a render node, in this process against a real
 * farm server: the help on one screen, words for statuses and tips, `check`
 * on a job with a blocking tip, `frames` paging and `--status` words,
 * `projects`, `whoami`, `config show`, `logout`, and the progress line.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { RayvisionAPI } from '@openfarm/sdk';
import {
  configStoragePlugin,
  createWorker,
  type NewUser,
  type RunningFarmServer,
  recordRegistration,
  transferPlugin,
} from '@openfarm/server';
import type { Command } from 'commander';
import { buildProgram } from 'openfarm';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';
import { startClientFarm } from './client-farm.js';
import { clock, exitCodeOf, ProgressLine, progressText, secondsLeft } from '../src/task-progress.js';

let dir: string;
let server: RunningFarmServer;
let user: NewUser;

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'openfarm-cli-client-'));
  // submit uploads its job files and assets.
  ({ server, user } = await startClientFarm(dir, 'artist', [transferPlugin(), configStoragePlugin()]));
  process.env.OPENFARM_CONFIG = join(dir, 'profile', 'client.json');
  for (const name of ['OPENFARM_URL', 'RAYVISION_API_ACCESS_ID', 'RAYVISION_API_KEY', 'OPENFARM_PLATFORM'])
    delete process.env[name];
});
after(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** Every command throws instead of exiting (commander's usage errors in subcommands would end the test process). */
function throwing(command: Command, write: (s: string) => void): Command {
  command.exitOverride().configureOutput({ writeOut: write, writeErr: write });
  for (const sub of command.commands) throwing(sub, write);
  return command;
}

async function run(...args: string[]): Promise<string> {
  let out = '';
  await throwing(buildProgram(), (s) => (out += s)).parseAsync(['node', 'openfarm', ...args]);
  return out;
}

async function login(): Promise<void> {
  await run(
    'login',
    '--server',
    server.url,
    '--access-id',
    user.accessId,
    '--access-key',
    user.accessKey,
    '--platform',
    '2',
  );
}

function api(): RayvisionAPI {
  return new RayvisionAPI({
    accessId: user.accessId,
    accessKey: user.accessKey,
    domain: new URL(server.url).host,
    protocol: 'http',
    platform: '2',
  });
}

/** A Blender job's task.json, as the analyzer writes it, for `frames`. */
function blenderTaskJson(frames: string) {
  return {
    task_info: { task_id: '', cg_id: '2007', platform: '2', os_name: '0', input_cg_file: '/p/shot.blend' },
    software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
    scene_info: { common: { frames, scene_name: ['Scene'], camera_name: 'Camera' } },
  };
}

/** A task with `frames` waiting frames, made through the SDK. */
function submitTask(frames = '1-3[1]'): Promise<number> {
  return api().submitByData(blenderTaskJson(frames), {
    hardwareConfig: { model: 'Default', ram: '64GB', gpuNum: null },
  });
}

/** A job folder as `openfarm analyze` leaves it (no assets), with these tips. */
async function writeJobDir(name: string, frames: string, tips: Record<string, string[]>): Promise<string> {
  const job = join(dir, name);
  await mkdir(job, { recursive: true });
  await writeFile(join(job, 'task.json'), JSON.stringify(blenderTaskJson(frames)));
  await writeFile(join(job, 'asset.json'), '{}');
  await writeFile(join(job, 'upload.json'), JSON.stringify({ asset: [] }));
  await writeFile(join(job, 'tips.json'), JSON.stringify(tips));
  return job;
}

test('openfarm --help fits on one screen, client commands apart from the farm’s', async () => {
  let help = '';
  await assert.rejects(
    buildProgram()
      .exitOverride()
      .configureOutput({ writeOut: (s) => (help += s), writeErr: (s) => (help += s) })
      .parseAsync(['node', 'openfarm', '--help']),
  );
  const lines = help.trimEnd().split('\n');
  assert.ok(lines.length <= 50, `${lines.length} lines:\n${help}`);
  assert.ok(Math.max(...lines.map((l) => l.length)) <= 80, help);
  const client = help.indexOf('Client commands');
  const farm = help.indexOf('Farm commands');
  assert.ok(client > 0 && farm > 0, help);
  // Each group holds its own commands.
  const farmPart = help.slice(farm, client > farm ? client : undefined);
  for (const name of ['server', 'users', 'workers', 'up'])
    assert.match(farmPart, new RegExp(`^  ${name}\\b`, 'm'));
  const clientPart = help.slice(client, farm > client ? farm : undefined);
  for (const name of ['check', 'submit', 'wait', 'logs', 'frames', 'tips', 'whoami'])
    assert.match(clientPart, new RegExp(`^  ${name}\\b`, 'm'));
});

test('each option of check, submit and render names its default once', async () => {
  for (const name of ['check', 'submit', 'render', 'frames']) {
    const command = buildProgram().commands.find((c) => c.name() === name);
    assert.ok(command);
    const help = command.helpInformation();
    for (const option of command.options) {
      const entry = help.split(/\n(?= {2}-)/).find((l) => l.trimStart().startsWith(option.flags));
      if (entry === undefined) continue;
      assert.ok((entry.match(/default/g) ?? []).length <= 1, `${name} ${option.flags}: ${entry}`);
    }
  }
});

test('tips CODE explains a code in words; an unknown code lists the known ones', async () => {
  const out = await run('tips', '15004');
  assert.match(out, /^15004: The renderer is not supported by the farm$/m);
  assert.match(out, /^kind: error \(blocks submission\)$/m);
  assert.match(out, /^fix: Switch to a supported renderer\.$/m);
  assert.deepEqual(JSON.parse(await run('tips', '15002', '--json')).blocking, false);
  await assert.rejects(run('tips', '4'), /no tips code "4"; known codes: 999, 15002/);
});

test('--platform shows in help only when the farm of the profile offers several platforms', async () => {
  await rm(join(dir, 'profile'), { recursive: true, force: true });
  const helpOf = (name: string) =>
    buildProgram()
      .commands.find((c) => c.name() === name)
      ?.helpInformation() ?? '';
  assert.doesNotMatch(helpOf('tasks'), /--platform/);
  await login();
  // A fresh farm offers several platforms.
  assert.match(helpOf('tasks'), /--platform <n>/);
});

test('tasks --status and frames --status take words; codes stay in --json beside the words', async () => {
  await login();
  const id = await submitTask();
  assert.match(
    await run('tasks', '--status', 'waiting'),
    new RegExp(`^${id}\\s+shot\\.blend\\s+waiting`, 'm'),
  );
  assert.doesNotMatch(await run('tasks', '--status', 'done,failed'), new RegExp(`^${id}\\s`, 'm'));
  await assert.rejects(
    run('tasks', '--status', 'finished-ish'),
    /unknown status finished ish; one of: waiting, rendering/,
  );
  const task = JSON.parse(await run('task', String(id), '--json')) as {
    taskStatus: number;
    taskStatusWord: string;
  };
  assert.deepEqual([task.taskStatus, task.taskStatusWord], [0, 'waiting']);

  const frames = await run('frames', String(id), '--status', 'waiting', '--size', '2');
  assert.match(frames, /^FRAME\s+STATUS\s+TYPE\s+NODE\s+STARTED\s+SECONDS\s+ERROR$/m);
  assert.match(frames, /^1\s+waiting\s+main\s+-/m);
  assert.match(frames, new RegExp(`page 1 of 2, 3 frames; next: openfarm frames ${id} --page 2`));
  const page2 = JSON.parse(await run('frames', String(id), '--page', '2', '--size', '2', '--json')) as {
    items: Array<{ frameIndex: string; frameStatus: number; frameStatusWord: string; frameTypeWord: string }>;
  };
  assert.deepEqual(
    page2.items.map((f) => [f.frameIndex, f.frameStatus, f.frameStatusWord, f.frameTypeWord]),
    [['3', 1, 'waiting', 'main']],
  );
  assert.match(await run('frames', String(id), '--status', 'done'), /\(none\)\npage 1 of 1, 0 frames/);
});

test('frames stop and requeue by frame number; a frame the task lacks names the list command', async () => {
  await login();
  const id = await submitTask();
  assert.match(
    await run('frames', 'stop', String(id), '2-3'),
    new RegExp(`task ${id}: 2 frame\\(s\\) stopped`),
  );
  assert.match(await run('frames', String(id)), /^2\s+stopped\s+main/m);
  assert.match(await run('frames', 'requeue', String(id), '2'), /1 frame\(s\) queued to render again/);
  assert.match(await run('frames', String(id)), /^2\s+waiting\s+main/m);
  // Options after the subcommand are its own.
  const stopped = JSON.parse(await run('frames', 'stop', String(id), '1', '--json')) as { action: string };
  assert.equal(stopped.action, 'stop');
  await assert.rejects(
    run('frames', 'requeue', String(id), '9'),
    new RegExp(`task ${id} has no frame 9; list its frames with \`openfarm frames ${id}\``),
  );
});

test('priority sets a task’s level; out of range is refused with the range', async () => {
  await login();
  const id = await submitTask();
  assert.match(await run('priority', String(id), '42'), new RegExp(`task ${id}: priority 42`));
  assert.match(await run('task', String(id)), /^priority\s+42$/m);
  await assert.rejects(run('priority', String(id), '101'), /from 0 to 100/);
});

test('outputs of a task with nothing rendered says how to follow it', async () => {
  await login();
  const id = await submitTask();
  assert.equal(
    (await run('outputs', String(id))).trim(),
    `task ${id} has no output yet; follow it with \`openfarm wait ${id}\``,
  );
});

test('logs of a frame not rendered yet says how to follow it', async () => {
  await login();
  const id = await submitTask();
  assert.match(
    await run('logs', String(id), '1'),
    new RegExp(`no log yet for frame 1; follow it with \`openfarm logs ${id} 1 --follow\``),
  );
});

test('projects add, list and remove', async () => {
  await login();
  assert.match(
    await run('projects', 'add', 'lighthouse'),
    /project lighthouse added; submit into it with `--project lighthouse`/,
  );
  assert.match(await run('projects', 'list'), /^\d+\s+lighthouse$/m);
  assert.match(await run('projects'), /^\d+\s+lighthouse$/m, '`projects` alone lists');
  await run('projects', 'remove', 'lighthouse');
  assert.doesNotMatch(await run('projects', 'list'), /lighthouse/);
});

test('software lists what the farm renders, and one software’s versions', async () => {
  await login();
  assert.doesNotMatch(await run('software'), /^Blender/m, 'a farm with no render node lists nothing');
  await assert.rejects(run('software', 'blender'), /does not render "blender"; it renders nothing yet/);
  // The farm renders what its live render nodes advertise when they register.
  const node = await createWorker(server.farm.store.db, 'cli-blender');
  await recordRegistration(server.farm.store.db, node.id, {
    os: 'linux',
    cores: 2,
    ramMb: 4096,
    gpus: 0,
    slots: 1,
    platform: null,
    renderers: [{ cgName: 'Blender', version: '3.4.1' }],
    hardwareConfigIds: [],
    agentVersion: 'test',
  });
  assert.match(await run('software'), /^Blender\s+2007\s+blend$/m);
  assert.match(await run('software', 'blender'), /^versions: .*\b3\.4\b/m);
  await assert.rejects(run('software', 'Paint'), /does not render "Paint"; it renders .*Blender/);
});

test('whoami, config show and logout', async () => {
  await login();
  assert.equal((await run('whoami')).trim(), `artist (user ${user.userId}) on ${server.url}`);
  const config = await run('config', 'show');
  assert.match(config, new RegExp(`^server\\s+${server.url.replace(/[.]/g, '\\.')}  \\(profile\\)$`, 'm'));
  assert.match(config, /^access key …\S{4} {2}\(profile\)$/m);
  assert.doesNotMatch(config, new RegExp(user.accessKey), 'the key itself is never printed');
  assert.match(config, /^platform\s+2 {2}\(profile\)$/m);
  const path = process.env.OPENFARM_CONFIG as string;
  assert.match(
    await run('logout'),
    /removed .*client\.json; log in again with `openfarm login --server URL`/,
  );
  await assert.rejects(stat(path), /ENOENT/);
  await assert.rejects(run('whoami'), /run `openfarm login`/);
  assert.match(await run('logout'), /nothing to forget/);
});

test('check prints the tips in words and stops on a blocking one, naming what to do next', async () => {
  await login();
  const job = await writeJobDir('job', '1-2[1]', { '15004': ['renderer "Toon" is not on the farm'] });
  let out = '';
  const program = buildProgram()
    .exitOverride()
    .configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
  await assert.rejects(
    program.parseAsync(['node', 'openfarm', 'check', job]),
    /1 blocking problem\(s\) \(15004\): fix the scene, then run `openfarm analyze SCENE` and `openfarm check JOBDIR` again \(`openfarm tips CODE` explains a code\)/,
  );
  assert.match(out, /^error 15004: The renderer is not supported by the farm$/m);
  assert.match(out, /^ {2}renderer "Toon" is not on the farm$/m);

  // A warning only: checked, a task id, the next step named; --software-version and --project land in task.json.
  await writeFile(join(job, 'tips.json'), JSON.stringify({ '15002': ['camera list partly read'] }));
  const checked = await run('check', job, '--software-version', '3.4.1', '--project', 'shotB');
  assert.match(checked, /^warning 15002: Scene information could not be fully read$/m);
  assert.match(checked, /^task \d+: checked; submit it with `openfarm submit .+`$/m);
  const task = JSON.parse(await readFile(join(job, 'task.json'), 'utf8')) as {
    task_info: { task_id: string; project_name: string };
    software_config: { cg_version: string };
  };
  assert.match(task.task_info.task_id, /^\d+$/);
  assert.equal(task.task_info.project_name, 'shotB');
  assert.equal(task.software_config.cg_version, '3.4.1');

  // A malformed --hardware names the form and the command that lists the farm's.
  await assert.rejects(run('check', job, '--hardware', 'Default'), /MODEL\/RAM.*`openfarm hardware-configs`/);
});

test('submit takes test frames, a pause after them and a priority', async () => {
  await login();
  const job = await writeJobDir('job-submit', '1-4[1]', {});
  await run('check', job);
  const out = await run('submit', job, '--test-frames', '3', '--stop-after-test', '--priority', '7');
  const id =
    /task (\d+): submitted; follow it with `openfarm wait \1`, get its frames with `openfarm download \1`/.exec(
      out,
    )?.[1];
  assert.ok(id, out);
  assert.match(await run('frames', id), /^3\s+waiting\s+test\s/m);
  assert.match(await run('task', id), /^priority\s+7$/m);
  const task = JSON.parse(await readFile(join(job, 'task.json'), 'utf8')) as {
    task_info: { pre_frames: string; stop_after_test: string };
  };
  assert.deepEqual([task.task_info.pre_frames, task.task_info.stop_after_test], ['000:3', '1']);
});

test('submit of a folder that is no job names analyze; of an unchecked job names check', async () => {
  await login();
  await assert.rejects(
    run('submit', join(dir, 'nowhere')),
    /no job folder at .*: make one with `openfarm analyze SCENE`/,
  );
  const job = join(dir, 'unchecked');
  await mkdir(job, { recursive: true });
  await writeFile(join(job, 'task.json'), JSON.stringify({ task_info: { task_id: '' } }));
  await assert.rejects(run('submit', job), /has no task id yet: run `openfarm check .*unchecked` first/);
});

test('wait on a stopped task ends at once with exit code 3, naming the state', async () => {
  await login();
  const id = await submitTask();
  await run('stop', String(id));
  try {
    const out = await run('wait', String(id));
    assert.match(out, new RegExp(`^task ${id}: stopped, 0/3 frames done, 0 failed$`, 'm'));
    assert.equal(process.exitCode, 3);
  } finally {
    process.exitCode = 0;
  }
  // How each end state maps to the exit code `wait` and `submit --wait` give.
  assert.deepEqual([25, 30, 45, 10, 15, 23, 35, 40].map(exitCodeOf), [0, 2, 2, 3, 3, 3, 3, 4]);
});

test('the progress line: counts, the current frame, elapsed and time left from finished frames', () => {
  const snap = {
    taskId: 7,
    status: 5,
    done: 4,
    failed: 1,
    rendering: 2,
    total: 10,
    current: { frame: '6', percent: 40 },
    meanFrameSeconds: 30,
  };
  // 5 frames left at 30 s each, two at a time.
  assert.equal(secondsLeft(snap), 75);
  assert.equal(
    progressText(snap, 125),
    'task 7 rendering: 4/10 done, 1 failed, 2 rendering | frame 6 40% | 2:05 elapsed, ~1:15 left',
  );
  assert.equal(clock(3725), '1:02:05');
  // No finished frame yet: no estimate. An ended task: no estimate either.
  assert.equal(secondsLeft({ ...snap, meanFrameSeconds: undefined }), undefined);
  assert.match(progressText({ ...snap, status: 25, rendering: 0 }, 10), /0:10 elapsed$/);

  // Plain (not a terminal): a line when something changed, not for the clock alone.
  const plain: string[] = [];
  const line = new ProgressLine('plain', (t) => plain.push(t));
  line.show(progressText(snap, 1));
  line.show(progressText(snap, 2));
  line.show(progressText({ ...snap, done: 5 }, 3));
  assert.equal(plain.length, 2);
  assert.ok(plain.every((t) => t.endsWith('\n') && !t.includes('\r')));

  // Live (a terminal): redrawn in place; output printed above it redraws it below.
  const live: string[] = [];
  const tty = new ProgressLine('live', (t) => live.push(t));
  tty.show('one');
  tty.above(() => live.push('file\n'));
  tty.end();
  assert.deepEqual(live, ['\r\x1b[Kone', '\r\x1b[K', 'file\n', 'one', '\n']);
});

test('render takes the check and submit options (software version, project, priority, test frames, pause after them)', {
  skip: requireProgram('blender'),
  timeout: 120_000,
}, async () => {
  await login();
  const scene = generateSampleScene({ outDir: join(dir, 'render-scene'), size: 16, frames: 3 });
  const workspace = join(dir, 'render-ws');
  // No render node here: render follows the task until it is stopped below.
  const rendering = run(
    'render',
    scene.blendPath,
    '--software-version',
    '3.4.1',
    '--project',
    'shotR',
    '--hardware',
    'Default/64GB',
    '--priority',
    '8',
    '--test-frames',
    '2',
    '--stop-after-test',
    '--to',
    join(dir, 'render-frames'),
    '--workspace',
    workspace,
  );
  // The task is found by its project once submitted (its frames exist), then stopped.
  let id: string | undefined;
  let frames = '';
  for (const end = Date.now() + 90_000; !/^2\s/m.test(frames) && Date.now() < end; ) {
    await new Promise((r) => setTimeout(r, 200));
    const list = await api().query.getTaskList({ pageSize: 50 });
    id = list.items.find((t) => t.projectName === 'shotR')?.id?.toString();
    if (id !== undefined) frames = await run('frames', id);
  }
  assert.ok(id !== undefined && /^2\s/m.test(frames), `render submitted a task in project shotR:\n${frames}`);
  assert.match(frames, /^2\s+waiting\s+test\s/m);
  await run('stop', id);
  try {
    const out = await rendering;
    assert.match(out, new RegExp(`^task ${id}: submitted; frames go to `, 'm'));
  } finally {
    process.exitCode = 0;
  }
  const task = await run('task', id);
  assert.match(task, /^priority\s+8$/m);
  assert.match(task, /^project\s+shotR$/m);
  const [jobDir] = await readdir(workspace);
  const written = JSON.parse(await readFile(join(workspace, jobDir as string, 'task.json'), 'utf8')) as {
    task_info: { pre_frames: string; stop_after_test: string; project_name: string };
    software_config: { cg_version: string };
  };
  assert.deepEqual(
    [written.task_info.pre_frames, written.task_info.stop_after_test, written.software_config.cg_version],
    ['000:2', '1', '3.4.1'],
  );
});
