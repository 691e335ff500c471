/**
 * Which of the server's migrations a database has and which it lacks, read without
 * applying any: what `openfarm server --check` reports and `openfarm migrate` prints
 * around its run.
 */
import { type Kysely, Migrator } from 'kysely';
import type { Database } from './database.js';
import { coreMigrationsFolder, FolderMigrationProvider } from './migration-provider.js';

export interface MigrationStatus {
  readonly applied: readonly string[];
  readonly pending: readonly string[];
}

export async function migrationStatus(db: Kysely<Database>): Promise<MigrationStatus> {
  const migrator = new Migrator({
    db,
    provider: new FolderMigrationProvider(coreMigrationsFolder()),
    allowUnorderedMigrations: true,
  });
  const all = await migrator.getMigrations();
  return {
    applied: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
    pending: all.filter((m) => m.executedAt === undefined).map((m) => m.name),
  };
}
