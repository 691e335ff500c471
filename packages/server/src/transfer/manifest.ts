/**
 * Storage manifests: (user, storage, server path) → (hash, size, mtime).
 * Writing an entry costs no bytes when the user already holds the blob.
 */
import { ApiError } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import { blobKeyText } from '../blob/blob-key-text.js';
import type { Database } from '../store/database.js';
import { type BlobUser, heldBlobs } from './held-blobs.js';
import { normalizeManifestPath } from './server-path.js';
import type { StorageName } from './storage.js';
import './tables.js';

export interface ManifestEntry {
  path: string;
  sha256: string;
  size: number;
  /** ms epoch */
  mtime: number;
}

/** Seven parameters a row: 100 rows stay below every dialect's limit on bound parameters (999 in old SQLite). */
const MANIFEST_ROWS_PER_STATEMENT = 100;

function toEntry(r: {
  path: string;
  sha256: string;
  size: number | string;
  mtime: number | string;
}): ManifestEntry {
  return { path: r.path, sha256: r.sha256, size: Number(r.size), mtime: Number(r.mtime) };
}

/**
 * Insert or replace entries of `ownerId`'s `storage`. `writer` is the user
 * making the request: every blob named must be one they hold (see
 * held-blobs.ts), else nothing is written and the error lists the paths whose
 * blob is missing — the same answer whether or not anyone else stored it.
 */
export async function writeManifest(
  db: Kysely<Database>,
  ownerId: number,
  writer: BlobUser,
  storage: StorageName,
  entries: readonly ManifestEntry[],
): Promise<number> {
  const normalized = entries.map((e) => ({ ...e, path: normalizeManifestPath(e.path) }));
  const held = await heldBlobs(db, writer, normalized);
  const missing = normalized.filter((e) => !held.has(blobKeyText(e))).map((e) => e.path);
  if (missing.length > 0) {
    throw ApiError.of('RESOURCE_NOT_FOUND', {
      detail: `upload these blobs first (${missing.length}): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
    });
  }
  // One statement per slice of rows, not one per entry: building and running 10,000 single-row
  // statements took half a second. A path named twice keeps its last entry, as before: PostgreSQL
  // refuses to update one row twice in a statement.
  const rows = [...new Map(normalized.map((e) => [e.path, e])).values()];
  const now = Date.now();
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += MANIFEST_ROWS_PER_STATEMENT) {
      await trx
        .insertInto('transfer_manifest')
        .values(
          rows.slice(i, i + MANIFEST_ROWS_PER_STATEMENT).map((e) => ({
            user_id: ownerId,
            storage,
            path: e.path,
            sha256: e.sha256,
            size: e.size,
            mtime: e.mtime,
            updated_at: now,
          })),
        )
        .onConflict((oc) =>
          oc.columns(['user_id', 'storage', 'path']).doUpdateSet((eb) => ({
            sha256: eb.ref('excluded.sha256'),
            size: eb.ref('excluded.size'),
            mtime: eb.ref('excluded.mtime'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        )
        .execute();
    }
  });
  return normalized.length;
}

export async function getManifestEntry(
  db: Kysely<Database>,
  ownerId: number,
  storage: StorageName,
  path: string,
): Promise<ManifestEntry | undefined> {
  const r = await db
    .selectFrom('transfer_manifest')
    .select(['path', 'sha256', 'size', 'mtime'])
    .where('user_id', '=', ownerId)
    .where('storage', '=', storage)
    .where('path', '=', normalizeManifestPath(path))
    .executeTakeFirst();
  return r === undefined ? undefined : toEntry(r);
}

export interface ListPage {
  entries: ManifestEntry[];
  /** Pass as `after` for the next page; null on the last one. */
  next: string | null;
}

/**
 * Every entry under the folder `prefix` (recursively; `/` = the whole
 * storage), in path order, `limit` at a time after the path `after`.
 */
export async function listManifest(
  db: Kysely<Database>,
  ownerId: number,
  storage: StorageName,
  prefix: string,
  options: { after?: string; limit?: number } = {},
): Promise<ListPage> {
  const folder = normalizeManifestPath(prefix, true);
  const under = folder === '/' ? '/' : `${folder}/`;
  const limit = Math.min(Math.max(options.limit ?? 5000, 1), 10_000);
  let q = db
    .selectFrom('transfer_manifest')
    .select(['path', 'sha256', 'size', 'mtime'])
    .where('user_id', '=', ownerId)
    .where('storage', '=', storage)
    // substr rather than LIKE: LIKE is case-insensitive in SQLite and treats % and _ in names as wildcards.
    .where(sql<string>`substr(path, 1, ${under.length})`, '=', under);
  if (options.after !== undefined) q = q.where('path', '>', options.after);
  const rows = await q
    .orderBy('path')
    .limit(limit + 1)
    .execute();
  const entries = rows.slice(0, limit).map(toEntry);
  return { entries, next: rows.length > limit ? (entries.at(-1)?.path ?? null) : null };
}

/** One entry of a storage folder listing, in the reference's `getOutputUserDirFile` shape. */
export interface StorageDirEntry {
  fileName: string;
  fileSize: number;
  /** ms epoch of the file, or of the newest file below a folder */
  lastModify: number;
  fileType: string;
  /** Relative to the storage root, without a leading slash. */
  filePath: string;
  directory: boolean;
}

/**
 * The immediate children of `treePath` in a user's storage — what the
 * reference's `getOutputUserDirFile` answers for the output storage. Folders
 * exist implicitly, as the common prefixes of their files.
 */
export async function listStorageDir(
  db: Kysely<Database>,
  ownerId: number,
  storage: StorageName,
  treePath: string,
): Promise<StorageDirEntry[]> {
  const rooted = treePath.startsWith('/') ? treePath : `/${treePath}`;
  const folder = normalizeManifestPath(rooted, true);
  const base = folder === '/' ? '' : folder.slice(1);
  const children = new Map<string, StorageDirEntry>();
  let after: string | undefined;
  do {
    const page = await listManifest(db, ownerId, storage, folder, after === undefined ? {} : { after });
    for (const e of page.entries) {
      const rest = e.path.slice(folder === '/' ? 1 : folder.length + 1);
      const slash = rest.indexOf('/');
      const name = slash === -1 ? rest : rest.slice(0, slash);
      const filePath = base === '' ? name : `${base}/${name}`;
      const dir = children.get(name);
      if (slash !== -1) {
        if (dir === undefined) {
          children.set(name, {
            fileName: name,
            fileSize: e.size,
            lastModify: e.mtime,
            fileType: '',
            filePath,
            directory: true,
          });
        } else {
          dir.fileSize += e.size;
          dir.lastModify = Math.max(dir.lastModify, e.mtime);
        }
      } else {
        const dot = name.lastIndexOf('.');
        children.set(name, {
          fileName: name,
          fileSize: e.size,
          lastModify: e.mtime,
          fileType: dot > 0 ? name.slice(dot + 1) : '',
          filePath,
          directory: false,
        });
      }
    }
    after = page.next ?? undefined;
  } while (after !== undefined);
  return [...children.values()];
}
