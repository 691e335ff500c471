/**
 * `openfarm worker`: run this machine as a render node of a farm.
 * `openfarm workers add|list|rotate-token|disable|enable|drain`: manage render nodes and their
 * tokens (admin, on the farm's data directory or its PostgreSQL database, like
 * `openfarm users`).
 */
import { readFileSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createWorker, listWorkers, rotateWorkerToken, setWorkerDisabled } from '@openfarm/server';
import { Agent, DEFAULT_CACHE_BYTES, WorkerError } from '@openfarm/worker';
import type { Command } from 'commander';
import { outputOf, type StoreOptions, withStore, withStoreOptions } from './admin-store.js';
import { parseDuration } from './duration.js';
import { drainWorker } from './worker-drain.js';

const TOKEN_ENV = 'OPENFARM_WORKER_TOKEN';

/**
 * The node's token: from --token-file or $OPENFARM_WORKER_TOKEN (the recommended ways: neither
 * shows in `ps`, which every user of the machine can read), or from --token, kept working with
 * a warning. Notices go to `warn`.
 */
export function workerToken(
  flags: { token?: string; tokenFile?: string },
  env: NodeJS.ProcessEnv,
  warn: (text: string) => void,
): string {
  if (flags.token !== undefined && flags.tokenFile !== undefined)
    throw new WorkerError('PARAMETER_INVALID', 'give the node token with --token or --token-file, not both');
  if (flags.tokenFile !== undefined) {
    let text: string;
    let mode: number;
    try {
      text = readFileSync(flags.tokenFile, 'utf8');
      mode = statSync(flags.tokenFile).mode;
    } catch (err) {
      throw new WorkerError(
        'FILE_NOT_FOUND',
        `cannot read the token file ${flags.tokenFile}: ${(err as Error).message}`,
      );
    }
    // The first line, so a file written with `echo` (trailing newline) or with a comment after works.
    const token = text.split(/\r?\n/, 1)[0]!.trim();
    if (token === '')
      throw new WorkerError('PARAMETER_CANT_BE_EMPTY', `the token file ${flags.tokenFile} is empty`);
    if ((mode & 0o077) !== 0)
      warn(
        `warning: the token file ${flags.tokenFile} can be read by other users ` +
          `(mode ${(mode & 0o777).toString(8)}); chmod 600 it\n`,
      );
    return token;
  }
  if (flags.token !== undefined) {
    warn(
      'warning: --token shows the token to every user of this machine (ps, /proc); ' +
        `use --token-file FILE or $${TOKEN_ENV} instead\n`,
    );
    if (flags.token === '') throw new WorkerError('PARAMETER_CANT_BE_EMPTY', '--token is empty');
    return flags.token;
  }
  const token = env[TOKEN_ENV]?.trim();
  if (token === undefined || token === '') {
    throw new WorkerError(
      'PARAMETER_CANT_BE_EMPTY',
      `no node token: pass --token-file FILE or set ${TOKEN_ENV} (create one with \`openfarm workers add NAME\`)`,
    );
  }
  return token;
}

function positiveInt(what: string) {
  return (text: string): number => {
    if (!/^\d{1,6}$/.test(text) || Number(text) < 1)
      throw new WorkerError(
        'PARAMETER_INVALID',
        `${what} expects a positive integer, not ${JSON.stringify(text)}`,
      );
    return Number(text);
  };
}

interface WorkerFlags {
  server: string;
  token?: string;
  tokenFile?: string;
  name?: string;
  cache?: string;
  cacheGb?: number;
  work?: string;
  slots: number;
  threads?: number;
  warm: boolean;
  warmFrames: number;
  warmMaxMb?: number;
  warmStall: number;
}

export function registerWorkerCommands(program: Command): void {
  program
    .command('worker')
    .description('render frames for a farm: register, poll for leases, render, upload outputs')
    .requiredOption('--server <url>', 'farm URL, e.g. http://farm:7200')
    .option(
      '--token-file <path>',
      `file holding this node's token from \`openfarm workers add\` (or set $${TOKEN_ENV})`,
    )
    .option('--token <token>', 'the token itself: visible to every user in `ps`; prefer --token-file')
    .option('--name <name>', 'label for this node in its log lines (the farm knows it by its token)')
    .option('--cache <dir>', 'content cache folder, shared by nodes on this machine (default: <work>/cache)')
    .option('--cache-gb <n>', 'content cache size cap in GB', positiveInt('--cache-gb'))
    .option('--work <dir>', 'scratch folder for staging and outputs (default: a folder under the temp dir)')
    .option('--slots <n>', 'frames rendered at once', positiveInt('--slots'), 1)
    .option('--threads <n>', 'renderer threads per slot (default: cores / slots)', positiveInt('--threads'))
    .option('--no-warm', 'start the renderer afresh for every frame (no warm render sessions)')
    .option(
      '--warm-frames <n>',
      'frame ranges one warm renderer renders before it is restarted',
      positiveInt('--warm-frames'),
      100,
    )
    .option(
      '--warm-max-mb <n>',
      'restart a warm renderer using more memory than this',
      positiveInt('--warm-max-mb'),
    )
    .option(
      '--warm-stall <seconds>',
      'kill a warm renderer that prints nothing and uses no CPU for this long during a frame',
      positiveInt('--warm-stall'),
      120,
    )
    .action(async (flags: WorkerFlags, cmd: Command) => {
      const out = outputOf(cmd);
      const token = workerToken(flags, process.env, (text) => process.stderr.write(text));
      const label = flags.name ?? hostname();
      const log = (m: string) => out(`[${label}] ${m}\n`);
      const workDir = flags.work ?? join(tmpdir(), `openfarm-worker-${label}`);
      const agent = await Agent.create({
        server: flags.server,
        token,
        workDir,
        ...(flags.cache !== undefined ? { cacheDir: flags.cache } : {}),
        cacheMaxBytes: flags.cacheGb !== undefined ? flags.cacheGb * 2 ** 30 : DEFAULT_CACHE_BYTES,
        slots: flags.slots,
        ...(flags.threads !== undefined ? { threads: flags.threads } : {}),
        warm: flags.warm
          ? {
              maxFrames: flags.warmFrames,
              ...(flags.warmMaxMb !== undefined ? { maxRssBytes: flags.warmMaxMb * 2 ** 20 } : {}),
              stallMs: flags.warmStall * 1000,
            }
          : false,
        agentVersion: cmd.parent?.version() ?? '',
        log,
      });
      const reg = await agent.register();
      log(
        `registered as ${reg.name} with ${flags.server}${reg.disabled ? ' (disabled: no new frames)' : ''}`,
      );
      const stop = (signal: NodeJS.Signals) => {
        log(`${signal}: stopping renders and leaving`);
        agent.stop().catch(() => undefined);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await agent.run();
    });

  const workers = program.command('workers').description("manage the farm's render nodes and their tokens");

  withStoreOptions(
    workers.command('add <name>').description('create a render node and print its token (shown once)'),
  )
    .option('--json', 'print {"workerId","name","token"} as JSON')
    .action(async (name: string, options: StoreOptions & { json?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const w = await withStore(options, (store) => createWorker(store.db, name));
      if (options.json === true) {
        out(`${JSON.stringify({ workerId: w.id, name: w.name, token: w.token })}\n`);
        return;
      }
      out(
        `created render node ${w.name} (id ${w.id})\n` +
          `token: ${w.token}\n` +
          'The token is shown once; it lets a machine render for this farm, nothing more.\n' +
          'Save it on the node in a file only its user can read, and start the node with:\n' +
          `  openfarm worker --server URL --token-file FILE   (or with $${TOKEN_ENV} set)\n`,
      );
    });

  withStoreOptions(
    workers.command('list').description('list render nodes, what they render and when they were last seen'),
  )
    .option('--json', 'print a JSON array')
    .action(async (options: StoreOptions & { json?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const rows = await withStore(options, (store) => listWorkers(store.db));
      const list = rows.map((w) => ({
        workerId: w.id,
        name: w.name,
        disabled: w.disabled === 1,
        os: w.os,
        cores: w.cores,
        slots: w.slots,
        renderers: JSON.parse(w.renderers) as Array<{ cgName: string; version: string }>,
        lastSeenAt: w.last_seen_at === null ? null : new Date(Number(w.last_seen_at)).toISOString(),
      }));
      if (options.json === true) {
        out(`${JSON.stringify(list, null, 2)}\n`);
        return;
      }
      if (list.length === 0) {
        out('no render nodes; add one with `openfarm workers add NAME`\n');
        return;
      }
      for (const w of list) {
        const renderers = w.renderers.map((r) => `${r.cgName} ${r.version}`).join(', ') || 'no renderers';
        out(
          `${w.name}${w.disabled ? ' (disabled)' : ''}: ${renderers}; ${w.cores} cores, ${w.slots} slot(s); ` +
            `last seen ${w.lastSeenAt ?? 'never'}\n`,
        );
      }
    });

  withStoreOptions(
    workers
      .command('rotate-token <name>')
      .description(
        'give a render node a new token; the old one stops working at once (a lost or leaked token)',
      ),
  )
    .option('--json', 'print {"workerId","name","token"} as JSON')
    .action(async (name: string, options: StoreOptions & { json?: boolean }, cmd: Command) => {
      const out = outputOf(cmd);
      const w = await withStore(options, (store) => rotateWorkerToken(store.db, name));
      if (w === undefined) throw new WorkerError('RESOURCE_NOT_FOUND', `no render node named "${name}"`);
      if (options.json === true) {
        out(`${JSON.stringify({ workerId: w.id, name: w.name, token: w.token })}\n`);
        return;
      }
      out(
        `new token for render node ${w.name}: ${w.token}\n` +
          'The old token is refused from now on; restart the node with the new one.\n',
      );
    });

  for (const [command, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    withStoreOptions(
      workers
        .command(`${command} <name>`)
        .description(
          disabled ? 'stop giving new frames to a render node' : 'give frames to a render node again',
        ),
    ).action(async (name: string, options: StoreOptions, cmd: Command) => {
      const ok = await withStore(options, (store) => setWorkerDisabled(store.db, name, disabled));
      if (!ok) throw new WorkerError('RESOURCE_NOT_FOUND', `no render node named "${name}"`);
      outputOf(cmd)(`render node ${name} ${disabled ? 'disabled' : 'enabled'}\n`);
    });
  }

  withStoreOptions(
    workers
      .command('drain <name>')
      .description(
        'let a render node finish the frames it renders and give it no more (workers enable undoes it)',
      ),
  )
    .option('--wait', 'return once the node holds no frame')
    .option('--timeout <duration>', 'with --wait: give up after this long, e.g. 2h (exit 1)')
    .action(
      async (name: string, options: StoreOptions & { wait?: boolean; timeout?: string }, cmd: Command) => {
        const out = outputOf(cmd);
        const timeoutMs =
          options.timeout === undefined ? undefined : parseDuration(options.timeout, '--timeout');
        await withStore(options, (store) =>
          drainWorker(
            store,
            name,
            { wait: options.wait === true, ...(timeoutMs !== undefined ? { timeoutMs } : {}) },
            (line) => out(`${line}\n`),
          ),
        );
      },
    );
}
