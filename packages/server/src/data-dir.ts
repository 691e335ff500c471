/**
 * The data directory: `openfarm.db` (SQLite, owner-only) and the blob folder.
 * `--data DIR` wins over `OPENFARM_DATA`, which wins over `~/.openfarm`.
 */
import { accessSync, constants, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { seedStore } from './store/seed.js';
import { openPostgresStore } from './store/postgres.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';

export const DATABASE_FILE = 'openfarm.db';

export function resolveDataDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option !== undefined && option !== '') return resolve(option);
  const fromEnv = env.OPENFARM_DATA;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return join(homedir(), '.openfarm');
}

/** Create the data directory if needed and fail with a plain message if it cannot be written. */
export function prepareDataDir(dataDir: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    accessSync(dataDir, constants.W_OK);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new Error(`data directory ${dataDir} is not writable (${reason})`);
  }
}

/** Open the data directory's SQLite store, migrated and seeded: what the server and the admin commands use. */
export async function openDataDirStore(dataDir: string): Promise<Store> {
  prepareDataDir(dataDir);
  const store = openSqliteStore(join(dataDir, DATABASE_FILE));
  try {
    await store.migrate();
    await seedStore(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/**
 * The store the farm's commands share: PostgreSQL when a database URL is
 * given, else the data directory's SQLite file; migrated and seeded.
 */
export async function openFarmStore(options: {
  dataDir: string;
  databaseUrl?: string | undefined;
}): Promise<Store> {
  if (options.databaseUrl === undefined) return openDataDirStore(options.dataDir);
  if (!/^postgres(ql)?:\/\//.test(options.databaseUrl)) {
    throw new Error('the database URL must start with postgres:// or postgresql://');
  }
  const store = openPostgresStore(options.databaseUrl);
  try {
    await store.migrate();
    await seedStore(store.db);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}

/** `--database-url`, else `OPENFARM_DATABASE_URL`; empty means none (the embedded store). */
export function resolveDatabaseUrl(
  option?: string,
  env: NodeJS.ProcessEnv = process.env,
): string | undefined {
  return (option ?? env.OPENFARM_DATABASE_URL) || undefined;
}
