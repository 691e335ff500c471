/**
 * `openfarm blobs gc`: free the blob storage of blobs nothing references (no manifest
 * path, no user's proof of holding it, no upload), after a grace period. Safe while
 * the farm runs: see @openfarm/server blob-gc/collect-garbage.ts for why. Old
 * unreferenced blobs are hidden by one run and purged by a run at least the grace
 * later, so a collection every so often (cron, a systemd timer, or
 * `openfarm server --gc-interval`) keeps the storage from growing for ever.
 */
import {
  collectGarbage,
  DEFAULT_GC_GRACE_MS,
  expireOutputs,
  isBlobCollection,
  openBlobStorage,
  resolveDataDir,
  resolveStorage,
} from '@openfarm/server';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { outputOf, type StoreOptions, withStore, withStoreOptions } from './admin-store.js';
import { parseDuration } from './duration.js';

interface GcOptions extends StoreOptions {
  storage?: string;
  grace?: string;
  outputRetention?: string;
  json?: boolean;
}

export function registerBlobCommands(program: Command): void {
  const blobs = program.command('blobs').description("the farm's blob storage");
  withStoreOptions(
    blobs
      .command('gc')
      .description(
        'hide blobs nothing references and are older than the grace, and purge those hidden for longer than the grace',
      ),
  )
    .option('--storage <dir|s3-url>', 'the blob storage (default: $OPENFARM_STORAGE or DATA/blobs)')
    .option('--grace <duration>', 'keep blobs younger than this, e.g. 30m, 1h, 2d (default 1h)')
    .option(
      '--output-retention <duration>',
      'first remove output entries not written for this long, e.g. 30d, where the account has no retention of its own (openfarm users retention); default: kept',
    )
    .option('--json', 'print the counts as JSON')
    .action(async (options: GcOptions, cmd: Command) => {
      const out = outputOf(cmd);
      const retentionMs =
        options.outputRetention === undefined
          ? undefined
          : parseDuration(options.outputRetention, '--output-retention');
      const graceMs =
        options.grace === undefined ? DEFAULT_GC_GRACE_MS : parseDuration(options.grace, '--grace');
      const storage = await openBlobStorage(resolveStorage(options.storage, resolveDataDir(options.data)), {
        createBucket: false,
      });
      try {
        if (!isBlobCollection(storage.blobs))
          throw new CliError('PARAMETER_INVALID', `${storage.description} cannot be collected`);
        const collection = storage.blobs;
        // Accounts with their own retention expire whether or not a farm default is given.
        const { expired, r } = await withStore(options, async (store) => ({
          expired: await expireOutputs(
            store.db,
            retentionMs === undefined ? {} : { defaultRetentionMs: retentionMs },
          ),
          r: await collectGarbage({ db: store.db, blobs: collection, graceMs }),
        }));
        if (options.json === true) {
          out(`${JSON.stringify({ ...r, expiredOutputs: expired.outputs })}\n`);
          return;
        }
        out(`${expired.outputs} output entries past their account's retention removed\n`);
        out(
          `${storage.description}: ${r.scanned} blobs looked at; ${r.quarantined} unreferenced hidden, ` +
            `${r.restored} referenced again restored, ${r.purged} purged (${r.purgedBytes} bytes freed)\n`,
        );
      } finally {
        await storage.close();
      }
    });
}
