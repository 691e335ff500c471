/**
 * What the admin commands (`users`, `hardware`, `workers`) share: where they
 * print, and the farm's store they open — the data directory's SQLite file,
 * or PostgreSQL with `--database-url` — closed again when the command ends.
 */
import { openFarmStore, resolveDatabaseUrl, resolveDataDir, type Store } from '@openfarm/server';
import type { Command } from 'commander';

export interface StoreOptions {
  data?: string;
  databaseUrl?: string;
}

export const DATA_HELP = 'data directory (default: $OPENFARM_DATA or ~/.openfarm)';
export const DATABASE_HELP = 'PostgreSQL state of a scale-out farm (default: $OPENFARM_DATABASE_URL)';

// Where a command prints (kept here too: the admin commands import it from this module).
export { outputOf } from '../output.js';

export async function withStore<T>(options: StoreOptions, run: (store: Store) => Promise<T>): Promise<T> {
  const store = await openFarmStore({
    dataDir: resolveDataDir(options.data),
    databaseUrl: resolveDatabaseUrl(options.databaseUrl),
  });
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

/** `--data` and `--database-url` on an admin command. */
export function withStoreOptions(command: Command): Command {
  return command.option('--data <dir>', DATA_HELP).option('--database-url <url>', DATABASE_HELP);
}
