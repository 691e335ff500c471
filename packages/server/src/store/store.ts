/**
 * The store: a Kysely handle over SQLite or PostgreSQL, plus migrations.
 * Everything above it talks SQL through `store.db` with the typed `Database`.
 */
import { Migrator, type Kysely, sql } from 'kysely';
import type { Database } from './database.js';
import { coreMigrationsFolder, FolderMigrationProvider } from './migration-provider.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Apply every pending migration of `store/migrations/`; throws with the failing migration's name. */
  migrate(): Promise<void>;
  /**
   * Throws when the store does not answer. For `/healthz`: on SQLite it reads
   * through a connection of its own, so it never queues behind the writer's
   * transaction or the requests waiting for it.
   */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** A store's own way to answer ping() (SQLite: a read-only connection beside the writer's). */
export interface StorePinger {
  ping(): void;
  close(): void;
}

export class KyselyStore implements Store {
  private closed = false;

  constructor(
    readonly db: Kysely<Database>,
    readonly dialect: StoreDialect,
    private readonly pinger?: StorePinger,
  ) {}

  async ping(): Promise<void> {
    if (this.closed) throw new Error('the store is closed');
    if (this.pinger !== undefined) this.pinger.ping();
    else await sql`select 1`.execute(this.db);
  }

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
    this.pinger?.close();
    await this.db.destroy();
  }
}
