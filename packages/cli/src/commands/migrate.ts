/**
 * `openfarm migrate`: bring the farm's database (the data directory's SQLite file,
 * or PostgreSQL with --database-url) to the schema of this version, and say what was
 * applied. The server also migrates when it starts; running this first lets an
 * operator upgrade the schema once, before starting several servers of a new version.
 * Migrations take a lock in the database, so servers starting meanwhile wait for it.
 */
import { join } from 'node:path';
import {
  DATABASE_FILE,
  describeDatabaseUrl,
  migrationStatus,
  openPostgresStore,
  openSqliteStore,
  prepareDataDir,
  resolveDatabaseUrl,
  resolveDataDir,
  type Store,
  seedStore,
} from '@openfarm/server';
import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { outputOf, type StoreOptions, withStoreOptions } from './admin-store.js';

export function registerMigrateCommand(program: Command): void {
  withStoreOptions(
    program.command('migrate').description('apply the database migrations this version of the farm needs'),
  ).action(async (options: StoreOptions, cmd: Command) => {
    const out = outputOf(cmd);
    const dataDir = resolveDataDir(options.data);
    const databaseUrl = resolveDatabaseUrl(options.databaseUrl);
    let store: Store;
    let what: string;
    if (databaseUrl === undefined) {
      prepareDataDir(dataDir);
      const file = join(dataDir, DATABASE_FILE);
      what = `SQLite ${file}`;
      store = openSqliteStore(file);
    } else {
      if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
        throw new CliError(
          'PARAMETER_INVALID',
          'the database URL must start with postgres:// or postgresql://',
        );
      }
      what = describeDatabaseUrl(databaseUrl);
      store = openPostgresStore(databaseUrl, 1);
    }
    try {
      const before = await migrationStatus(store.db);
      await store.migrate();
      await seedStore(store.db);
      const after = await migrationStatus(store.db);
      const applied = after.applied.filter((name) => !before.applied.includes(name));
      out(
        applied.length === 0
          ? `${what}: up to date, nothing to apply (${after.applied.length} migrations)\n`
          : `${what}: applied ${applied.length} migrations (${applied.join(', ')}); ${after.applied.length} in all\n`,
      );
    } finally {
      await store.close();
    }
  });
}
