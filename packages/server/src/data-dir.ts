/**
 * The data directory: `openfarm.db` (SQLite, owner-only) and the blob folder.
 * `--data DIR` wins over `OPENFARM_DATA`, which wins over `~/.openfarm`.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { seedStore } from './store/seed.js';
import { openPostgresStore } from './store/postgres.js';
import { openSqliteStore } from './store/sqlite.js';
import type { Store } from './store/store.js';
import { isStorageFull } from './ops/storage-full.js';

export const DATABASE_FILE = 'openfarm.db';

export function resolveDataDir(option?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (option !== undefined && option !== '') return resolve(option);
  const fromEnv = env.OPENFARM_DATA;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return join(homedir(), '.openfarm');
}

const WHY: Readonly<Record<string, string>> = {
  EROFS: 'the file system is mounted read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  SQLITE_FULL: 'no space left on the device',
  ENOTDIR: 'a part of the path is a file, not a folder',
  // mkdir in an existing folder answering ENOENT: a file system that makes no folders (/proc, /sys).
  ENOENT: 'its file system does not allow new folders there',
};

function failure(dataDir: string, doing: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const code = e.code ?? 'error';
  const where = e.path !== undefined && e.path !== dataDir ? ` (at ${e.path})` : '';
  return new Error(
    `data directory ${dataDir}: cannot ${doing}: ${WHY[code] ?? e.message} (${code})${where}`,
    {
      cause: err,
    },
  );
}

/**
 * mkdir -p that reports what really failed. Node's recursive mkdirSync spins
 * forever under /proc (its mkdir answers ENOENT, which the recursion takes as
 * "create the parent first" again and again) and reports a read-only mount as
 * ENOENT; creating one missing folder at a time gives the true error.
 */
function makeDirs(dir: string): void {
  const missing: string[] = [];
  for (let p = dir; ; p = dirname(p)) {
    try {
      if (!statSync(p).isDirectory()) {
        throw Object.assign(new Error(`${p} is not a folder`), { code: 'ENOTDIR', path: p });
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dirname(p) === p) throw err;
      missing.unshift(p);
    }
  }
  for (const p of missing) mkdirSync(p, { mode: 0o700 });
}

/** Write, flush and remove a small file: the only sure test that the folder takes new data. */
function probeWrite(dataDir: string): void {
  const file = join(dataDir, '.write-probe');
  const fd = openSync(file, 'w', 0o600);
  try {
    writeSync(fd, Buffer.alloc(64 * 1024));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
    rmSync(file, { force: true });
  }
}

/**
 * Create the data directory if needed and make sure it takes writes; fail at
 * once with a message naming the path and the real cause (read-only mount,
 * permissions, full disk, a file system that makes no folders).
 */
export function prepareDataDir(dataDir: string): void {
  try {
    makeDirs(dataDir);
  } catch (err) {
    throw failure(dataDir, 'create it', err);
  }
  try {
    probeWrite(dataDir);
  } catch (err) {
    throw failure(dataDir, 'write to it', err);
  }
}

/** Open the data directory's SQLite store, migrated and seeded: what the server and the admin commands use. */
export async function openDataDirStore(dataDir: string): Promise<Store> {
  prepareDataDir(dataDir);
  const file = join(dataDir, DATABASE_FILE);
  const store = openSqliteStore(file);
  try {
    await store.migrate();
    await seedStore(store.db);
  } catch (err) {
    await store.close();
    if (isStorageFull(err)) throw failure(dataDir, `update ${file}`, err);
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
