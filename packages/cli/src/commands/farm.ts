/**
 * `openfarm up`: a whole farm on this machine in one command — the API server
 * (transfer, config storage, scheduler) and N local render nodes in the same
 * process, plus the client profile so later commands connect without flags.
 *
 * `openfarm render SCENE`: analyze → check → upload → submit → realtime
 * download, in one command, against the farm of the profile (or --server).
 */
import { mkdir, readFile, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { analyzeScene } from '@openfarm/analyzers';
import { RayvisionAPI, writeFileAtomic, writeJsonAtomic } from '@openfarm/sdk';
import {
  configStoragePlugin,
  createSignInLink,
  createUser,
  createWorker,
  DEFAULT_PORT,
  dashboardPlugin,
  findUserByName,
  resolveDataDir,
  rotateAccessKey,
  rotateWorkerToken,
  schedulerPlugin,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import { Agent } from '@openfarm/worker';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { print } from '../output.js';
import { outputOf } from './admin-store.js';
import { downloadWhileRendering } from './follow.js';
import {
  addCheckOptions,
  addSubmitOptions,
  type CheckFlags,
  checkJob,
  farmRange,
  type SubmitFlags,
  submitJob,
  tipLines,
} from './job-flow.js';
import {
  type ConnectionFlags,
  clientCommand,
  connectClient,
  offeredPlatformCount,
  type Profile,
  parseServer,
  profilePath,
} from './tasks.js';

/** The account `up` creates for the person running it, and writes to the client profile. */
const LOCAL_USER = 'local';

function port(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new CliError('PARAMETER_INVALID', `--port expects 0–65535, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

function count(what: string) {
  return (text: string): number => {
    if (!/^\d{1,4}$/.test(text))
      throw new CliError('PARAMETER_INVALID', `${what} expects a number, not ${JSON.stringify(text)}`);
    return Number(text);
  };
}

/** One render node per two cores (Blender uses the threads it is given), at least one. */
export function defaultLocalWorkers(): number {
  return Math.max(1, Math.floor(availableParallelism() / 2));
}

interface UpFlags {
  data?: string;
  port: number;
  workers: number;
  host: string;
  warm: boolean;
}

interface RenderFlags extends ConnectionFlags, CheckFlags, SubmitFlags {
  frames?: string;
  to?: string;
  workspace?: string;
}

export function registerFarmCommands(program: Command): void {
  program
    .command('up')
    .description('start a farm on this machine: the API server and local render nodes, until Ctrl-C')
    .option('--data <dir>', 'data directory (default: $OPENFARM_DATA or ~/.openfarm)')
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, DEFAULT_PORT)
    .option(
      '--workers <n>',
      'local render nodes (default: one per two cores)',
      count('--workers'),
      defaultLocalWorkers(),
    )
    .option(
      '--no-warm',
      "start Blender afresh for every frame (no warm render sessions on this farm's nodes)",
    )
    .action(async (flags: UpFlags, cmd: Command) => {
      const out = outputOf(cmd);
      const dataDir = resolveDataDir(flags.data);
      const server = await startServer({
        dataDir,
        host: flags.host,
        port: flags.port,
        logLevel: 'warn',
        plugins: [transferPlugin(), configStoragePlugin(), schedulerPlugin(), dashboardPlugin()],
      });
      const db = server.farm.store.db;
      // The profile's account: created on the first `up`, its key renewed on later
      // ones (the key is only known when it is made, and the profile must hold it).
      const user = (await findUserByName(db, LOCAL_USER))
        ? await rotateAccessKey(db, LOCAL_USER)
        : await createUser(db, LOCAL_USER, { admin: true });
      const profile = profilePath();
      await mkdir(dirname(profile), { recursive: true, mode: 0o700 });
      const { accessId, accessKey } = user;
      const entry: Profile = { server: server.url, accessId, accessKey, platform: '2' };
      // As login does: the farm's platform count decides whether the help shows `--platform`.
      entry.platforms = await offeredPlatformCount(
        new RayvisionAPI({ ...parseServer(server.url), accessId, accessKey }),
      );
      await writeFileAtomic(profile, `${JSON.stringify(entry, null, 2)}\n`, { mode: 0o600 });

      const agents: Agent[] = [];
      const runs: Array<Promise<void>> = [];
      for (let i = 1; i <= flags.workers; i++) {
        const name = `local-${i}`;
        const node = (await rotateWorkerToken(db, name)) ?? (await createWorker(db, name));
        const agent = await Agent.create({
          server: server.url,
          token: node.token,
          workDir: join(dataDir, 'nodes', name),
          cacheDir: join(dataDir, 'nodes', 'cache'),
          threads: Math.max(1, Math.floor(availableParallelism() / flags.workers)),
          // As `openfarm worker`: warm sessions with their default limits unless turned off.
          warm: flags.warm ? {} : false,
          log: (m) => out(`[${name}] ${m}\n`),
        });
        const reg = await agent.register();
        agents.push(agent);
        runs.push(
          agent.run().catch((err: Error) => {
            out(`[${name}] stopped: ${err.message}\n`);
          }),
        );
        if (i === 1) {
          const caps = reg.disabled ? ' (disabled)' : '';
          out(`render nodes: ${flags.workers}${caps}\n`);
        }
      }
      // One click to the dashboard, signed in as the profile's user (the link works once).
      const signIn = await createSignInLink(db, user.userId, server.url);
      out(
        `openfarm is up: ${server.url}\n` +
          `dashboard (one-time sign-in link): ${signIn}\n` +
          `data: ${dataDir}\n` +
          `client profile (credentials of user "${LOCAL_USER}"): ${profile}\n` +
          'Render a scene with: openfarm render SCENE --to DIR\n' +
          `Stop with Ctrl-C (or: kill ${process.pid})\n`,
      );
      await new Promise<void>((done) => {
        const stop = (signal: NodeJS.Signals): void => {
          out(`${signal}: stopping render nodes and the server\n`);
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          Promise.all(agents.map((a) => a.stop()))
            .then(() => Promise.all(runs))
            .then(() => {
              server.app.server.closeAllConnections();
              return server.close();
            })
            .then(done, (err: Error) => {
              out(`error while stopping: ${err.message}\n`);
              process.exitCode = 1;
              done();
            });
        };
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      });
    });

  addSubmitOptions(
    addCheckOptions(
      clientCommand(
        program,
        'render <scene>',
        'analyze, check, upload and submit a scene, downloading frames as they finish',
      ),
    ),
  )
    .option('--frames <range>', 'frames to render, e.g. 1-8 or 1-100[2] (default: the scene’s range)')
    .option('--to <dir>', 'where the frames go (default: ./<scene name>-frames)')
    .option('--workspace <dir>', 'folder for the job folder (default: a temporary folder)')
    .action(async function (this: Command, scenePath: string, flags: RenderFlags) {
      const scene = resolve(scenePath);
      // A mistyped path is named before anything else (even a missing farm) is reported.
      const file = await stat(scene).catch(() => undefined);
      if (file === undefined) throw new CliError('FILE_NOT_FOUND', `no scene file at ${scene}`);
      if (!file.isFile()) throw new CliError('PARAMETER_INVALID', `${scene} is not a scene file`);
      // The task is created on the platform of the calls: the flag's, the profile's or the farm's only one.
      const api = await connectClient(flags, { needsPlatform: true });
      const workspace = flags.workspace ?? join(tmpdir(), 'openfarm-render');
      await mkdir(workspace, { recursive: true });
      const analyzer = await analyzeScene(scene, { workspace, platform: api.platform });
      if (flags.frames !== undefined) await setFrames(analyzer.taskJson, flags.frames);
      for (const line of await tipLines(analyzer.jobDir)) print(this, line);
      const checked = await checkJob(api, analyzer.jobDir, flags);
      print(this, `task ${checked}: uploading ${scenePath} and its files`);
      const taskId = await submitJob(api, analyzer.jobDir, flags);
      const to = resolve(flags.to ?? `${scene.replace(/\.[^./\\]+$/, '')}-frames`);
      print(this, `task ${taskId}: submitted; frames go to ${to} as they finish`);
      await downloadWhileRendering(this, api, taskId, to, {
        ...flags,
        isTestStop: flags.stopAfterTest === true,
      });
    });
}

/** Set the frame range the farm renders (`scene_info[_render].common.frames`). */
async function setFrames(taskJsonPath: string, frames: string): Promise<void> {
  // The farm's range grammar wants a step on ranges: 1-8 means 1-8[1].
  const range = farmRange(frames);
  const doc = JSON.parse(await readFile(taskJsonPath, 'utf8')) as Record<
    string,
    Record<string, Record<string, unknown>>
  >;
  for (const key of ['scene_info', 'scene_info_render']) {
    const common = doc[key]?.common;
    if (common !== undefined) common.frames = range;
  }
  await writeJsonAtomic(taskJsonPath, doc);
}
