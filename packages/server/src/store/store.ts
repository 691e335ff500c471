/**
 * The store: a Kysely handle over SQLite or PostgreSQL, plus migrations.
 * Everything above it talks SQL through `store.db` with the typed `Database`.
 */
import { Migrator, type Kysely } from 'kysely';
import type { Database } from './database.js';
import { coreMigrationsFolder, FolderMigrationProvider } from './migration-provider.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Apply every pending migration of `store/migrations/`; throws with the failing migration's name. */
  migrate(): Promise<void>;
  close(): Promise<void>;
}

export class KyselyStore implements Store {
  private closed = false;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
  ) {}

  async migrate(): Promise<void> {
    const migrator = new Migrator({
      db: this.db,
      provider: new FolderMigrationProvider(coreMigrationsFolder()),
      // Areas number their migrations in separate blocks (core 00xx, transfer 01xx,
      // scheduler 02xx); a database migrated before a lower-numbered file existed must still accept it.
      allowUnorderedMigrations: true,
    });
    const { error, results } = await migrator.migrateToLatest();
    if (error !== undefined) {
      const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`database migration ${failed} failed: ${reason}`);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.db.destroy();
  }
}
