/** The embedded store: one SQLite file opened through better-sqlite3. */
import { chmodSync, closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import type { Database } from './database.js';
import { withStatementCache } from './sqlite-statement-cache.js';
import { KyselyStore, type Store, type StorePinger } from './store.js';

/** How long a writer waits for another process's lock before SQLITE_BUSY (CLI and server share the file). */
const BUSY_TIMEOUT_MS = 5000;

function openConnection(file: string): BetterSqlite3.Database {
  if (file !== ':memory:') {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Create the file ourselves so it is owner-only from the first byte; the
    // access keys live in it. SQLite gives the -wal and -shm files the same mode.
    closeSync(openSync(file, 'a', 0o600));
    chmodSync(file, 0o600);
  }
  const conn = new BetterSqlite3(file);
  conn.pragma('journal_mode = WAL');
  conn.pragma('foreign_keys = ON');
  conn.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // WAL makes NORMAL durable against application crashes; only a power loss can drop the last commits.
  conn.pragma('synchronous = NORMAL');
  return conn;
}

/**
 * ping() through a read-only connection of its own, opened on first use:
 * Kysely's one connection runs one transaction at a time, and a health check
 * queued behind it (and behind every request waiting for it) would report
 * the farm's load, not whether the store answers. WAL lets it read while the
 * writer writes. It reads the schema version, so the file itself is read.
 */
function readOnlyPinger(file: string): StorePinger | undefined {
  if (file === ':memory:') return undefined; // a second connection would be another database
  let conn: BetterSqlite3.Database | undefined;
  return {
    ping() {
      // No busy timeout: better-sqlite3 waits synchronously, which would stall the event loop.
      // SQLITE_BUSY (rare for a WAL reader: a checkpoint or recovery in progress) means another
      // connection holds the file: the store is there and working, which is what ping asks.
      conn ??= new BetterSqlite3(file, { readonly: true, fileMustExist: true, timeout: 0 });
      try {
        conn.pragma('schema_version', { simple: true });
      } catch (err) {
        if ((err as { code?: string }).code !== 'SQLITE_BUSY') throw err;
      }
    },
    close() {
      conn?.close();
      conn = undefined;
    },
  };
}

/** Open (creating if needed) the SQLite store at `file`. Call `migrate()` before use. */
export function openSqliteStore(file: string): Store {
  const db = new Kysely<Database>({
    // Kysely's SQLite driver keeps one connection; every connection it opens gets the pragmas.
    dialect: new SqliteDialect({ database: async () => withStatementCache(openConnection(file)) }),
  });
  return new KyselyStore(db, 'sqlite', readOnlyPinger(file));
}
