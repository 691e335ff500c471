/**
 * Resumable uploads of single blobs.
 *
 * A session's bytes are appended to a staging file named by its id; the
 * committed offset is that file's length, so it survives a kill -9 of the
 * server without any per-chunk bookkeeping (bytes the kernel accepted before
 * the crash stay; a chunk cut short leaves a valid prefix). `complete` hands
 * the file to the blob store, which hashes it and publishes it only when it
 * matches, so a half-written or damaged upload is never visible.
 */
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import { BlobHashMismatchError, type BlobKey, type BlobStore } from '../blob/index.js';
import type { Database } from '../store/database.js';
import { recordHeldBlob } from './held-blobs.js';
import { assertQuota } from './quota.js';
import './tables.js';

export interface UploadState {
  /** Absent when the blob was already stored: nothing to send. */
  uploadId?: string;
  /** Bytes the server holds; send from here. */
  offset: number;
  complete: boolean;
}

export interface UploadSessionsOptions {
  db: Kysely<Database>;
  blobs: BlobStore;
  /** Folder of the staging files; on the blob store's file system, completion is a rename. */
  stagingDir: string;
  defaultQuotaBytes?: number;
}

/** An upload nobody continued for this long is dropped: its bytes and its share of the quota go. */
export const UPLOAD_SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

const UPLOAD_ID = /^[0-9a-f-]{36}$/;

/** Pass a body through, failing once more than `limit` bytes arrived. */
async function* atMost(body: AsyncIterable<Buffer>, limit: number, what: string): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > limit)
      throw ApiError.of('PARAMETER_INVALID', { detail: `${what}: more bytes than the blob's size` });
    yield chunk;
  }
}

export class UploadSessions {
  /** Sessions being written or completed in this process: one writer at a time per session. */
  private readonly busy = new Set<string>();

  constructor(private readonly o: UploadSessionsOptions) {}

  static async open(o: UploadSessionsOptions): Promise<UploadSessions> {
    await mkdir(o.stagingDir, { recursive: true });
    const sessions = new UploadSessions(o);
    await sessions.sweepExpired();
    return sessions;
  }

  /** End the sessions started more than `ttlMs` ago (abandoned uploads); returns how many. */
  async sweepExpired(ttlMs = UPLOAD_SESSION_TTL_MS, nowMs = Date.now()): Promise<number> {
    const stale = await this.o.db
      .selectFrom('transfer_uploads')
      .select('id')
      .where('created_at', '<', nowMs - ttlMs)
      .execute();
    for (const { id } of stale) {
      if (!this.busy.has(id)) await this.end(id);
    }
    return stale.length;
  }

  private stagingFile(id: string): string {
    if (!UPLOAD_ID.test(id)) throw ApiError.of('PARAMETER_INVALID', { detail: 'malformed upload id' });
    return join(this.o.stagingDir, id);
  }

  private async committed(id: string): Promise<number> {
    try {
      return (await stat(this.stagingFile(id))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  }

  private async session(userId: number, id: string) {
    const row = await this.o.db
      .selectFrom('transfer_uploads')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `no upload ${id}` });
    return { ...row, size: Number(row.size) };
  }

  private claim(id: string): () => void {
    if (this.busy.has(id)) {
      throw ApiError.of('TASK_STATE_CONFLICT', {
        detail: `upload ${id} is being written by another request`,
      });
    }
    this.busy.add(id);
    return () => this.busy.delete(id);
  }

  /** Start or resume the upload of `key`: where to continue, or nothing to do. */
  async begin(userId: number, key: BlobKey): Promise<UploadState> {
    const { db, blobs } = this.o;
    if (await blobs.has(key)) {
      await assertQuotaForHeld(db, userId, key, this.o.defaultQuotaBytes);
      await recordHeldBlob(db, userId, key);
      return { offset: key.size, complete: true };
    }
    const existing = await db
      .selectFrom('transfer_uploads')
      .select('id')
      .where('user_id', '=', userId)
      .where('sha256', '=', key.sha256)
      .where('size', '=', key.size)
      .executeTakeFirst();
    if (existing !== undefined)
      return { uploadId: existing.id, offset: await this.committed(existing.id), complete: false };
    await assertQuota(db, userId, key.size, this.o.defaultQuotaBytes);
    const id = randomUUID();
    await writeFile(this.stagingFile(id), new Uint8Array(0), { flag: 'wx' });
    await db
      .insertInto('transfer_uploads')
      .values({ id, user_id: userId, sha256: key.sha256, size: key.size, created_at: Date.now() })
      .onConflict((oc) => oc.columns(['user_id', 'sha256', 'size']).doNothing())
      .execute();
    // Two concurrent begins of the same blob: the row that won names the session.
    const row = await db
      .selectFrom('transfer_uploads')
      .select('id')
      .where('user_id', '=', userId)
      .where('sha256', '=', key.sha256)
      .where('size', '=', key.size)
      .executeTakeFirstOrThrow();
    if (row.id !== id) await rm(this.stagingFile(id), { force: true });
    return { uploadId: row.id, offset: await this.committed(row.id), complete: false };
  }

  /** Append bytes at `offset`, which must equal the committed offset. Returns the new offset. */
  async write(userId: number, id: string, offset: number, body: Readable): Promise<number> {
    const s = await this.session(userId, id);
    const release = this.claim(id);
    try {
      const committed = await this.committed(id);
      if (offset !== committed) {
        throw ApiError.of('PARAMETER_INVALID', {
          detail: { field: 'offset', reason: `the server holds ${committed} bytes; continue from there` },
        });
      }
      await pipeline(
        atMost(body, s.size - offset, `upload ${id}`),
        createWriteStream(this.stagingFile(id), { flags: 'r+', start: offset }),
      );
      return this.committed(id);
    } finally {
      release();
    }
  }

  /** Verify and publish the blob; the session ends either way once all bytes are there. */
  async complete(userId: number, id: string): Promise<BlobKey> {
    const s = await this.session(userId, id);
    const release = this.claim(id);
    try {
      const committed = await this.committed(id);
      if (committed !== s.size) {
        throw ApiError.of('PARAMETER_INVALID', {
          detail: `upload ${id} is incomplete: ${committed} of ${s.size} bytes`,
        });
      }
      const key = { sha256: s.sha256, size: s.size };
      try {
        await this.o.blobs.putFile(key, this.stagingFile(id));
      } catch (e) {
        if (!(e instanceof BlobHashMismatchError)) throw e;
        await this.end(id);
        throw ApiError.of('HASH_MISMATCH', { detail: `upload ${id}: ${e.message}; start it again` });
      }
      await recordHeldBlob(this.o.db, userId, key);
      await this.end(id);
      return key;
    } finally {
      release();
    }
  }

  /** Store a small blob sent whole, verified like any other; `body` is consumed either way. */
  async putWhole(userId: number, key: BlobKey, body: AsyncIterable<Buffer>): Promise<void> {
    const { db, blobs } = this.o;
    if (!(await blobs.has(key))) {
      await assertQuota(db, userId, key.size, this.o.defaultQuotaBytes);
      try {
        await blobs.put(key, atMost(body, key.size, `blob ${key.sha256}`));
      } catch (e) {
        if (e instanceof BlobHashMismatchError) throw ApiError.of('HASH_MISMATCH', { detail: e.message });
        throw e;
      }
    } else {
      await assertQuotaForHeld(db, userId, key, this.o.defaultQuotaBytes);
      // The bytes are not needed, but the body must be read to its end (or to the next blob of a batch).
      for await (const _ of body);
    }
    await recordHeldBlob(db, userId, key);
  }

  private async end(id: string): Promise<void> {
    await this.o.db.deleteFrom('transfer_uploads').where('id', '=', id).execute();
    await rm(this.stagingFile(id), { force: true });
  }
}

/** Quota check for a blob the store already has: it counts only if the user does not hold it yet. */
async function assertQuotaForHeld(
  db: Kysely<Database>,
  userId: number,
  key: BlobKey,
  defaultMaxBytes: number | undefined,
): Promise<void> {
  const held = await db
    .selectFrom('transfer_user_blobs')
    .select('size')
    .where('user_id', '=', userId)
    .where('sha256', '=', key.sha256)
    .where('size', '=', key.size)
    .executeTakeFirst();
  if (held === undefined) await assertQuota(db, userId, key.size, defaultMaxBytes);
}
