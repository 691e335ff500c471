/**
 * Client commands that talk to a farm through the SDK: `login`, `tasks`,
 * `task`, `frames`, the task actions, `projects`, `hardware-configs` and
 * `platforms`. (`hardware-configs` is the account's view over HTTP; the admin
 * group `hardware` edits the farm's list on its data directory.)
 *
 * Connection: `--server URL` or `OPENFARM_URL`, credentials from
 * `RAYVISION_API_ACCESS_ID` / `RAYVISION_API_KEY`, the render platform from
 * `--platform` or `OPENFARM_PLATFORM`; whatever is not given comes from the
 * profile `openfarm login` wrote (`OPENFARM_CONFIG`, default
 * `~/.openfarm/client.json`). A command that creates tasks and still has no
 * platform takes the farm's, when the farm offers exactly one.
 */
import { readFileSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { TASK_STATUS_WORDS, wordFor } from '@openfarm/protocol';
import { ACCESS_ID_ENV, ACCESS_KEY_ENV, RayvisionAPI, writeFileAtomic } from '@openfarm/sdk';
import { type Command, type CommandOptions, InvalidArgumentError, Option } from 'commander';
import { CliError } from '../errors.js';
import { jsonSafe, print, terminalSafe } from '../output.js';
import { cell, statusWordsOption, table, time } from '../table.js';

export const CONFIG_ENV = 'OPENFARM_CONFIG';
export const URL_ENV = 'OPENFARM_URL';
export const PLATFORM_ENV = 'OPENFARM_PLATFORM';

export interface Profile {
  server: string;
  accessId: string;
  accessKey: string;
  platform?: string;
  /** Render platforms the farm offered at login. */
  platforms?: number;
}

export interface ConnectionFlags {
  server?: string;
  platform?: string;
  json?: boolean;
}

export function profilePath(): string {
  return process.env[CONFIG_ENV] || join(homedir(), '.openfarm', 'client.json');
}

export async function readProfile(): Promise<Partial<Profile>> {
  const path = profilePath();
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    return JSON.parse(text) as Partial<Profile>;
  } catch {
    throw new CliError(
      'PARAMETER_INVALID',
      `the profile ${path} is not valid JSON; run \`openfarm login\` again`,
    );
  }
}

/** `http://127.0.0.1:7200` → the SDK's protocol and domain. */
export function parseServer(url: string): { protocol: 'http' | 'https'; domain: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new CliError(
      'PARAMETER_INVALID',
      `not a server URL: ${JSON.stringify(url)} (expected e.g. http://127.0.0.1:7200)`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new CliError('PARAMETER_INVALID', `the server URL must start with http:// or https://, got ${url}`);
  }
  if (parsed.pathname !== '/' || parsed.search !== '') {
    throw new CliError('PARAMETER_INVALID', `the server URL must not have a path: ${url}`);
  }
  return { protocol: parsed.protocol === 'https:' ? 'https' : 'http', domain: parsed.host };
}

export interface ConnectOptions {
  /**
   * The command creates tasks, which land on the render platform of its
   * calls: with none given, ask the farm (the SDK's default, 4, is the
   * reference's region and usually not one this farm has).
   */
  needsPlatform?: boolean;
}

/**
 * A client for the farm the flags, the environment or the login profile name
 * (in that order). Exported so other client commands connect the same way.
 */
export async function connectClient(
  flags: ConnectionFlags,
  options: ConnectOptions = {},
): Promise<RayvisionAPI> {
  const profile = await readProfile();
  const server = flags.server ?? process.env[URL_ENV] ?? profile.server;
  if (server === undefined) {
    throw new CliError(
      'PARAMETER_CANT_BE_EMPTY',
      `no farm to talk to: pass --server URL, set ${URL_ENV}, or run \`openfarm login\``,
    );
  }
  const accessId = process.env[ACCESS_ID_ENV] || profile.accessId;
  const accessKey = process.env[ACCESS_KEY_ENV] || profile.accessKey;
  if (!accessId || !accessKey) {
    throw new CliError(
      'PARAMETER_CANT_BE_EMPTY',
      `no credentials: set ${ACCESS_ID_ENV} and ${ACCESS_KEY_ENV}, or run \`openfarm login\``,
    );
  }
  const connect = (platform: string | undefined): RayvisionAPI =>
    new RayvisionAPI({
      ...parseServer(server),
      accessId,
      accessKey,
      ...(platform !== undefined ? { platform } : {}),
    });
  const platform = flags.platform ?? (process.env[PLATFORM_ENV] || undefined) ?? profile.platform;
  if (platform !== undefined || options.needsPlatform !== true) return connect(platform);
  return connect(await farmPlatform(connect(undefined), server));
}

/** How many render platforms the farm offers: a profile records it, and only several show `--platform` in the help. */
export async function offeredPlatformCount(api: RayvisionAPI): Promise<number> {
  return (await api.query.platforms()).filter((p) => p.status !== 0).length;
}

/** The one render platform the farm offers; an error saying how to choose when it offers several. */
async function farmPlatform(api: RayvisionAPI, server: string): Promise<string> {
  const offered = (await api.query.platforms()).filter((p) => p.status !== 0);
  const [only] = offered;
  if (offered.length === 1 && only !== undefined) return String(only.platform);
  const choose = `pass --platform N, set ${PLATFORM_ENV}=N, or save one with \`openfarm login --platform N\``;
  if (only === undefined) {
    throw new CliError('PARAMETER_INVALID', `the farm at ${server} offers no render platform to submit to`);
  }
  const list = offered.map((p) => `${p.platform} (${terminalSafe(p.name ?? '')})`).join(', ');
  throw new CliError(
    'PARAMETER_CANT_BE_EMPTY',
    `which render platform? The farm at ${server} offers ${list}: ${choose}`,
    { detail: { platforms: offered.map((p) => p.platform) } },
  );
}

/** A task id argument: a positive whole number, as the farm numbers tasks. */
export function taskIdArg(value: string): number {
  if (!/^[1-9]\d*$/.test(value))
    throw new InvalidArgumentError(`not a task id: ${value} (a task id is a positive integer)`);
  return Number(value);
}

function intOption(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('expected a non-negative integer');
  return Number(value);
}

/** A command with the options every client command takes: `--server`, `--platform`, `--json`. */
export function clientCommand(
  program: Command,
  spec: string,
  description: string,
  opts: CommandOptions = {},
): Command {
  return program
    .command(spec, opts)
    .description(description)
    .option('--server <url>', `farm URL (default: $${URL_ENV} or the login profile)`)
    .addOption(
      new Option(
        '--platform <n>',
        `render platform (default: $${PLATFORM_ENV}, the login profile, or the farm's only one)`,
      ).hideHelp(!severalPlatforms()),
    )
    .option('--json', 'print JSON instead of a table');
}

/**
 * Whether the farm of the profile offers more than one render platform, as
 * `login` found it: only then is `--platform` worth a line in the help.
 */
function severalPlatforms(): boolean {
  try {
    const profile = JSON.parse(readFileSync(profilePath(), 'utf8')) as { platforms?: unknown };
    return typeof profile.platforms === 'number' && profile.platforms > 1;
  } catch {
    return false;
  }
}

const ACTIONS = [
  ['stop', 'stop tasks', (api: RayvisionAPI, ids: number[]) => api.task.stopTask(ids)],
  ['start', 'start stopped tasks again', (api: RayvisionAPI, ids: number[]) => api.task.startTask(ids)],
  ['abort', 'abandon tasks', (api: RayvisionAPI, ids: number[]) => api.task.abortTask(ids)],
  [
    'delete',
    'delete tasks (they go to the recycle bin)',
    (api: RayvisionAPI, ids: number[]) => api.task.deleteTask(ids),
  ],
  [
    'retry',
    'render the failed frames of tasks again',
    (api: RayvisionAPI, ids: number[]) => api.query.restartFailedFrames(ids),
  ],
  [
    'full-speed',
    'resume tasks paused after their test frames',
    (api: RayvisionAPI, ids: number[]) => api.task.fullSpeed(ids),
  ],
] as const;

export function registerTaskCommands(program: Command): void {
  program
    .command('login')
    .description('check credentials against a farm and save them as the client profile')
    .requiredOption('--server <url>', 'farm URL, e.g. http://127.0.0.1:7200')
    .option('--access-id <id>', `access id (default: $${ACCESS_ID_ENV})`)
    .option('--access-key <key>', `access key (default: $${ACCESS_KEY_ENV})`)
    .option('--platform <n>', 'render region number to use by default')
    .option('--json', 'print the account as JSON')
    .action(async function (
      this: Command,
      opts: ConnectionFlags & { server: string; accessId?: string; accessKey?: string },
    ) {
      const accessId = opts.accessId ?? process.env[ACCESS_ID_ENV];
      const accessKey = opts.accessKey ?? process.env[ACCESS_KEY_ENV];
      if (!accessId || !accessKey)
        throw new CliError(
          'PARAMETER_CANT_BE_EMPTY',
          'login needs --access-id and --access-key (or the RAYVISION_API_* variables)',
        );
      const profile: Profile = {
        server: opts.server,
        accessId,
        accessKey,
        ...(opts.platform ? { platform: opts.platform } : {}),
      };
      const api = new RayvisionAPI({
        ...parseServer(profile.server),
        accessId,
        accessKey,
        ...(profile.platform ? { platform: profile.platform } : {}),
      });
      const info = await api.login();
      profile.platforms = await offeredPlatformCount(api);
      const path = profilePath();
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      // The profile holds a secret: readable by its owner only.
      await writeFileAtomic(path, `${JSON.stringify(profile, null, 2)}\n`, { mode: 0o600 });
      if (opts.json)
        print(this, jsonSafe({ profile: path, userId: info.user_id, userName: info.user_name }, 0));
      else
        print(
          this,
          `logged in to ${profile.server} as ${terminalSafe(String(info.user_name))} (user ${String(info.user_id)}); profile saved to ${path}`,
        );
    });

  clientCommand(program, 'tasks', 'list tasks, newest first')
    .option(
      '--status <words>',
      'only tasks in these states, e.g. rendering,failed',
      statusWordsOption(TASK_STATUS_WORDS),
    )
    .option('--search <text>', 'scene name or task id')
    .option('--deleted', 'list the recycle bin')
    .option('--page <n>', 'page number', intOption, 1)
    .option('--size <n>', 'tasks per page', intOption, 50)
    .action(async function (
      this: Command,
      opts: ConnectionFlags & {
        status?: number[];
        search?: string;
        deleted?: boolean;
        page: number;
        size: number;
      },
    ) {
      const api = await connectClient(opts);
      const page = await api.query.getTaskList({
        pageNum: opts.page,
        pageSize: opts.size,
        ...(opts.status ? { statusList: opts.status } : {}),
        ...(opts.search ? { searchKeyword: opts.search } : {}),
        ...(opts.deleted ? { recycleFlag: 1 } : {}),
      });
      if (opts.json)
        return print(
          this,
          jsonSafe({
            ...page,
            items: page.items.map((t) => ({
              ...t,
              taskStatusWord: wordFor(TASK_STATUS_WORDS, t.taskStatus),
            })),
          }),
        );
      print(
        this,
        table(
          ['ID', 'SCENE', 'STATUS', 'DONE', 'FAILED', 'TOTAL', 'PROJECT', 'SUBMITTED'],
          page.items.map((t) => [
            t.id,
            t.sceneName,
            wordFor(TASK_STATUS_WORDS, t.taskStatus),
            t.doneFrames,
            t.failedFrames,
            t.totalFrames,
            t.projectName,
            time(t.submitDate),
          ]),
        ) + `\npage ${page.pageNum} of ${page.pageCount}, ${page.total} tasks`,
      );
    });

  clientCommand(program, 'task <taskId>', 'show one task and its child tasks').action(async function (
    this: Command,
    taskId: string,
    opts: ConnectionFlags,
  ) {
    const api = await connectClient(opts);
    const info = await api.query.taskInfo([taskIdArg(taskId)]);
    const task = info.items[0];
    if (task === undefined) throw new CliError('RESOURCE_NOT_FOUND', `no task ${taskId}`);
    if (opts.json)
      return print(this, jsonSafe({ ...task, taskStatusWord: wordFor(TASK_STATUS_WORDS, task.taskStatus) }));
    const fields: Array<[string, unknown]> = [
      ['id', task.id],
      ['alias', task.taskAlias],
      ['scene', task.sceneName],
      ['status', wordFor(TASK_STATUS_WORDS, task.taskStatus)],
      [
        'frames',
        `${task.doneFrames ?? 0} done, ${task.failedFrames ?? 0} failed, ${task.executingFrames ?? 0} running of ${task.totalFrames ?? 0}`,
      ],
      ['range', task.framesRange],
      ['project', task.projectName],
      ['priority', task.taskUserLevel],
      ['output', task.outputFileName],
      ['submitted', time(task.submitDate)],
      ['completed', time(task.completedDate)],
    ];
    const children = task.respRenderingTaskList ?? [];
    let text = fields.map(([k, v]) => `${k.padEnd(10)} ${cell(v)}`).join('\n');
    if (children.length > 0) {
      text += `\n\n${table(
        ['CHILD', 'LAYER', 'STATUS', 'DONE', 'TOTAL'],
        children.map((c) => [
          c.id,
          c.layerName,
          wordFor(TASK_STATUS_WORDS, c.taskStatus),
          c.doneFrames,
          c.totalFrames,
        ]),
      )}`;
    }
    print(this, text);
  });

  for (const [name, description, run] of ACTIONS) {
    clientCommand(program, `${name} <taskIds...>`, description).action(async function (
      this: Command,
      taskIds: string[],
      opts: ConnectionFlags,
    ) {
      const ids = taskIds.map(taskIdArg);
      const api = await connectClient(opts);
      await run(api, ids);
      if (opts.json) print(this, JSON.stringify({ action: name, taskIds: ids }));
      else print(this, `${name}: ${ids.join(', ')}`);
    });
  }

  clientCommand(
    program,
    'hardware-configs',
    'list the hardware configurations the account can render on',
  ).action(async function (this: Command, opts: ConnectionFlags) {
    const api = await connectClient(opts);
    const configs = await api.user.getHardwareConfig();
    if (opts.json) return print(this, jsonSafe(configs));
    print(
      this,
      table(
        ['ID', 'TYPE', 'MODEL', 'RAM', 'GPUS', 'PLATFORM', 'ENABLED'],
        configs.map((c) => [
          c.id,
          c.type === 2 ? 'GPU' : 'CPU',
          c.model,
          c.ram,
          c.gpuNum,
          c.platform,
          c.status ? 'yes' : 'no',
        ]),
      ),
    );
  });

  clientCommand(program, 'platforms', 'list the render regions of the farm').action(async function (
    this: Command,
    opts: ConnectionFlags,
  ) {
    const api = await connectClient(opts);
    const platforms = await api.query.platforms();
    if (opts.json) return print(this, jsonSafe(platforms));
    const status = ['inactive', 'normal', 'busy', 'full'];
    const type = ['GPU', 'CPU', 'picture'];
    print(
      this,
      table(
        ['PLATFORM', 'NAME', 'TYPE', 'STATUS', 'PREFIX'],
        platforms.map((p) => [p.platform, p.name, type[p.type ?? -1], status[p.status ?? -1], p.taskPrefix]),
      ),
    );
  });
}
