/**
 * `openfarm server --check`: can this server reach its database and its blob
 * storage? Each part is tried (nothing is migrated, no bucket is created) and
 * answered with one line saying what was found; the caller exits non-zero when
 * any part failed. The storage is proven with a real round trip: a small probe
 * object written, read back, compared and deleted.
 */
import { randomBytes, createHash } from 'node:crypto';
import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { DATABASE_FILE } from '../data-dir.js';
import { openBlobStorage, type OpenBlobStorageOptions } from '../blob/open-storage.js';
import { migrationStatus } from '../store/migration-status.js';
import { openPostgresStore } from '../store/postgres.js';
import { openSqliteStore } from '../store/sqlite.js';
import type { Store } from '../store/store.js';

export interface CheckLine {
  readonly part: 'data' | 'database' | 'storage';
  readonly ok: boolean;
  readonly text: string;
}

function reasonOf(err: unknown): string {
  const e = err as Error & { code?: string; errors?: unknown[] };
  // pg reports a refused connection to every address as an AggregateError without a message.
  if (e.message === '' && Array.isArray(e.errors) && e.errors.length > 0) return reasonOf(e.errors[0]);
  return e.message || e.code || String(err);
}

/** A PostgreSQL URL for output: host, port and database, never the user's password. */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `PostgreSQL ${u.host}${u.pathname}`;
  } catch {
    return 'PostgreSQL (unparsable URL)';
  }
}

export function checkDataDir(dataDir: string): CheckLine {
  if (!existsSync(dataDir)) {
    return { part: 'data', ok: true, text: `${dataDir} does not exist yet (created at the first start)` };
  }
  try {
    accessSync(dataDir, constants.W_OK);
    return { part: 'data', ok: true, text: `${dataDir} is writable` };
  } catch (err) {
    return { part: 'data', ok: false, text: `${dataDir} is not writable (${reasonOf(err)})` };
  }
}

export async function checkDatabase(dataDir: string, databaseUrl: string | undefined): Promise<CheckLine> {
  let store: Store | undefined;
  let what: string;
  try {
    if (databaseUrl === undefined) {
      const file = join(dataDir, DATABASE_FILE);
      what = `SQLite ${file}`;
      if (!existsSync(file)) {
        return {
          part: 'database',
          ok: true,
          text: `${what} does not exist yet (created at the first start)`,
        };
      }
      store = openSqliteStore(file);
    } else {
      what = describeDatabaseUrl(databaseUrl);
      if (!/^postgres(ql)?:\/\//.test(databaseUrl)) {
        return {
          part: 'database',
          ok: false,
          text: `${what}: the URL must start with postgres:// or postgresql://`,
        };
      }
      store = openPostgresStore(databaseUrl, 1);
      const version = await sql<{ server_version: string }>`show server_version`.execute(store.db);
      what += ` (server ${version.rows[0]?.server_version ?? 'unknown'})`;
    }
    const status = await migrationStatus(store.db);
    const pending =
      status.pending.length === 0
        ? 'none pending'
        : `${status.pending.length} pending (${status.pending.join(', ')}; openfarm migrate, or the server at start, applies them)`;
    return {
      part: 'database',
      ok: true,
      text: `${what}: ${status.applied.length} migrations applied, ${pending}`,
    };
  } catch (err) {
    return { part: 'database', ok: false, text: `${what!}: ${reasonOf(err)}` };
  } finally {
    await store?.close().catch(() => {});
  }
}

export async function checkStorage(
  storage: string,
  options: OpenBlobStorageOptions = {},
): Promise<CheckLine> {
  let opened: Awaited<ReturnType<typeof openBlobStorage>> | undefined;
  try {
    opened = await openBlobStorage(storage, { ...options, createBucket: false });
    const started = performance.now();
    const bytes = Buffer.from(`openfarm storage check ${randomBytes(16).toString('hex')}\n`);
    const key = { sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    // Streamed, not handed over in memory: the local store would append a small in-memory blob to a pack.
    await opened.blobs.put(key, Readable.from([bytes]));
    const chunks: Buffer[] = [];
    for await (const c of await opened.blobs.get(key)) chunks.push(Buffer.from(c as Uint8Array));
    const same = Buffer.concat(chunks).equals(bytes);
    await opened.blobs.delete(key);
    if (!same)
      return {
        part: 'storage',
        ok: false,
        text: `${opened.description}: a probe object read back different bytes`,
      };
    const ms = Math.round(performance.now() - started);
    return {
      part: 'storage',
      ok: true,
      text: `${opened.description}: wrote, read back and deleted a probe object (${ms} ms)`,
    };
  } catch (err) {
    // A URL is refused when it carries credentials; it is not echoed with them either.
    const shown = opened?.description ?? storage.replace(/\/\/[^/@]*@/, '//***@');
    return { part: 'storage', ok: false, text: `${shown}: ${reasonOf(err)}` };
  } finally {
    await opened?.close().catch(() => {});
  }
}
