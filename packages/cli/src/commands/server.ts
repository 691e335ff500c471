/** `openfarm server`: run the farm's API on this machine until SIGINT or SIGTERM. */
import { join } from 'node:path';
import {
  configStoragePlugin,
  DEFAULT_HOST,
  DEFAULT_PORT,
  dashboardPlugin,
  type GcScheduleOptions,
  isBlobCollection,
  openBlobStorage,
  openFarmStore,
  postgresEventsPlugin,
  prepareDataDir,
  resolveDatabaseUrl,
  resolveDataDir,
  resolveStorage,
  schedulerPlugin,
  startGcSchedule,
  startServer,
  transferPlugin,
} from '@openfarm/server';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { outputOf } from './admin-store.js';
import { parseDuration } from './duration.js';
import { runServerCheck } from './server-check.js';

function port(text: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535)
    throw new CliError('PARAMETER_INVALID', `--port expects 0–65535, not ${JSON.stringify(text)}`);
  return Number(text);
}

function seconds(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) === 0)
    throw new CliError(
      'PARAMETER_INVALID',
      `--timestamp-window expects seconds, not ${JSON.stringify(text)}`,
    );
  return Number(text);
}

function leaseSeconds(text: string): number {
  if (!/^\d{1,6}$/.test(text) || Number(text) < 1)
    throw new CliError(
      'PARAMETER_INVALID',
      `--lease-ttl expects seconds (at least 1), not ${JSON.stringify(text)}`,
    );
  return Number(text);
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

/** `--gc-interval` and its companions, parsed before the server starts so a typo stops it at once. */
function gcPlan(options: { gcInterval?: string; gcGrace?: string; outputRetention?: string }) {
  if (options.gcInterval === undefined) {
    if (options.gcGrace !== undefined || options.outputRetention !== undefined)
      throw new CliError('PARAMETER_INVALID', '--gc-grace and --output-retention need --gc-interval');
    return undefined;
  }
  return {
    intervalMs: parseDuration(options.gcInterval, '--gc-interval'),
    ...(options.gcGrace !== undefined ? { graceMs: parseDuration(options.gcGrace, '--gc-grace') } : {}),
    ...(options.outputRetention !== undefined
      ? { outputRetentionMs: parseDuration(options.outputRetention, '--output-retention') }
      : {}),
  };
}

/** The garbage collector on a schedule in this process, each run's counts on stdout. */
function startServerGc(
  db: GcScheduleOptions['db'],
  blobs: object,
  plan: ReturnType<typeof gcPlan>,
): { stop(): Promise<void> } | undefined {
  if (plan === undefined) return undefined;
  if (!isBlobCollection(blobs))
    throw new CliError('PARAMETER_INVALID', '--gc-interval: this storage cannot be collected');
  return startGcSchedule({
    db,
    blobs,
    ...plan,
    onRun: (r) =>
      process.stdout.write(
        `openfarm server: blobs gc: ${r.expiredOutputs} outputs expired, ${r.quarantined} hidden, ` +
          `${r.restored} restored, ${r.purged} purged (${r.purgedBytes} bytes)\n`,
      ),
    onError: (err) => process.stderr.write(`openfarm server: blobs gc failed: ${(err as Error).message}\n`),
  });
}

export function registerServerCommands(program: Command): void {
  program
    .command('server')
    .description("start the farm's API server")
    .option('--data <dir>', 'data directory (default: $OPENFARM_DATA or ~/.openfarm)')
    .option(
      '--storage <dir|s3-url>',
      'where blobs live: a folder, or s3://BUCKET[/PREFIX]?endpoint=URL&region=R&forcePathStyle=true ' +
        'with credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (default: $OPENFARM_STORAGE or <data>/blobs)',
    )
    .option('--host <address>', 'address to listen on', DEFAULT_HOST)
    .option('--port <n>', 'port to listen on (0 picks a free one)', port, DEFAULT_PORT)
    .option('--timestamp-window <seconds>', 'accepted clock skew of signed requests', seconds, 300)
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')}`, 'info')
    .option(
      '--lease-ttl <seconds>',
      "how long a render node's frame stays leased without a heartbeat: a frame of a dead node, or one whose lease answer a dying server never sent, is handed out again after this (default 60)",
      leaseSeconds,
    )
    .option(
      '--database-url <url>',
      'keep the state in PostgreSQL instead of the data directory (default: $OPENFARM_DATABASE_URL)',
    )
    .option(
      '--no-direct-io',
      'write uploads through the page cache (for a data directory on a network file system)',
    )
    .option(
      '--public-url <url>',
      'where clients reach this server behind a reverse proxy that rewrites Host, e.g. https://farm.studio.lan (default: $OPENFARM_PUBLIC_URL)',
    )
    .option(
      '--check',
      'try the data directory, the database and the storage (a probe object written, read, deleted), print what was found, and exit (non-zero when something failed)',
    )
    .option(
      '--metrics-token <token>',
      'bearer token /metrics asks for; without one it answers this machine only (default: $OPENFARM_METRICS_TOKEN, which keeps it out of ps)',
    )
    .option(
      '--gc-interval <duration>',
      'run the blob garbage collector (openfarm blobs gc) this often, e.g. 6h (default: never; run it from cron instead)',
    )
    .option('--gc-grace <duration>', 'the collector keeps blobs younger than this (default 1h)')
    .option(
      '--output-retention <duration>',
      'with --gc-interval: remove output entries not written for this long, e.g. 30d, where the account has no retention of its own (openfarm users retention); default: kept',
    )
    .option(
      '--no-packs',
      'keep every small blob a file of its own (for a data directory that servers on several machines share)',
    )
    .action(
      async (
        options: {
          data?: string;
          storage?: string;
          databaseUrl?: string;
          directIo: boolean;
          packs: boolean;
          check?: boolean;
          publicUrl?: string;
          host: string;
          port: number;
          timestampWindow: number;
          logLevel: string;
          metricsToken?: string;
          leaseTtl?: number;
          gcInterval?: string;
          gcGrace?: string;
          outputRetention?: string;
        },
        command: Command,
      ) => {
        if (!LOG_LEVELS.includes(options.logLevel))
          throw new CliError('PARAMETER_INVALID', `--log-level must be one of ${LOG_LEVELS.join(', ')}`);
        const dataDir = resolveDataDir(options.data);
        const databaseUrl = resolveDatabaseUrl(options.databaseUrl);
        const publicUrl = options.publicUrl ?? process.env.OPENFARM_PUBLIC_URL;
        if (options.check === true) {
          await runServerCheck(
            {
              dataDir,
              databaseUrl,
              storage: resolveStorage(options.storage, dataDir),
              directWrites: options.directIo,
            },
            outputOf(command),
          );
          return;
        }
        const gcPlanned = gcPlan(options);
        // One blob store for the whole API, so the flags reach every part that stores or reads blobs.
        prepareDataDir(dataDir);
        const storage = await openBlobStorage(resolveStorage(options.storage, dataDir), {
          directWrites: options.directIo,
          packSmallObjects: options.packs,
        });
        for (const note of storage.notes) process.stdout.write(`openfarm server: ${note}\n`);
        const blobs = storage.blobs;
        const server = await startServer({
          dataDir,
          ...(databaseUrl !== undefined ? { store: await openFarmStore({ dataDir, databaseUrl }) } : {}),
          host: options.host,
          port: options.port,
          timestampWindowSec: options.timestampWindow,
          ...(publicUrl ? { publicUrl } : {}),
          logLevel: options.logLevel,
          ...(options.metricsToken !== undefined ? { metricsToken: options.metricsToken } : {}),
          // The whole API: transfer (blobs, manifests), job files found in the config storage,
          // and the render-node scheduler, all sharing the data dir's blob folder.
          plugins: [
            // On PostgreSQL, resumable uploads are staged in the database: any replica continues them.
            transferPlugin({
              blobs,
              directWrites: options.directIo,
              ...(databaseUrl !== undefined ? { uploadStaging: 'database' as const } : {}),
            }),
            configStoragePlugin({ blobs }),
            schedulerPlugin({
              blobs,
              ...(options.leaseTtl !== undefined ? { policy: { leaseTtlMs: options.leaseTtl * 1000 } } : {}),
            }),
            // The web dashboard at /, reading outputs and thumbnails from the same blobs.
            dashboardPlugin({ blobs }),
            // Replicas sharing the database share their event streams too.
            ...(databaseUrl !== undefined ? [postgresEventsPlugin(databaseUrl)] : []),
          ],
        }).catch(async (err: unknown) => {
          await storage.close();
          throw err;
        });
        const state = databaseUrl !== undefined ? `, database: ${new URL(databaseUrl).host}` : '';
        const blobsAt =
          storage.description === join(dataDir, 'blobs') ? '' : `, storage: ${storage.description}`;
        process.stdout.write(
          `openfarm server listening on ${server.url} (data: ${dataDir}${state}${blobsAt})\n`,
        );
        const gc = startServerGc(server.farm.store.db, blobs, gcPlanned);
        await new Promise<void>((resolve) => {
          const stop = (signal: NodeJS.Signals) => {
            process.stdout.write(`${signal}: shutting down\n`);
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            (gc?.stop() ?? Promise.resolve())
              .then(() => server.close())
              .then(() => storage.close())
              .then(resolve, (err: unknown) => {
                process.stderr.write(`openfarm: error while shutting down: ${(err as Error).message}\n`);
                process.exitCode = 1;
                resolve();
              });
          };
          process.on('SIGINT', stop);
          process.on('SIGTERM', stop);
        });
      },
    );
}
