/**
 * Resumable uploads of single blobs.
 *
 * A session's bytes are appended to its staging (upload-staging.ts: a file on
 * this server's disk, or rows of the shared database so any server continues
 * it); the committed offset is what the staging holds, so it survives a kill -9
 * of the server without any per-chunk bookkeeping (a chunk cut short leaves a
 * valid prefix). `complete` checks the bytes' SHA-256 (kept while the chunks
 * arrived, or read back) and only then hands them to the blob store, which
 * publishes them atomically, so a half-written or damaged upload is never
 * visible. A completed session is kept for COMPLETED_SESSION_TTL_MS, so a
 * completion retried after its answer was lost (a client's timeout during a
 * long copy into the bucket) is answered with the blob instead of "no upload";
 * a retry arriving while the first completion still runs on this server waits
 * for it instead of being told the session is busy.
 *
 * A blob the user does not hold (see held-blobs.ts) must be sent and verified
 * even when the farm has it: every answer here is then the same as for a blob
 * the farm never saw, so a hash reveals neither a file nor that it exists.
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { ApiError } from '@openfarm/protocol';
import type { Kysely } from 'kysely';
import {
  BlobHashMismatchError,
  type BlobKey,
  BlobStagingLostError,
  type BlobStore,
  canStageParts,
} from '../blob/index.js';
import type { Database } from '../store/database.js';
import type { BatchReader } from './blob-batch.js';
import { storeProven, storeProvenStaged } from './blob-proof.js';
import { type BlobUser, blobUserId, holdsBlob, recordHeldBlob, recordHeldBlobs } from './held-blobs.js';
import { Overlap } from './overlap.js';
import { QuotaBudget, sweepQuotaHolds } from './quota.js';
import {
  DatabaseUploadStaging,
  FileUploadStaging,
  type UploadStaging,
  type UploadStagingKind,
} from './upload-staging.js';
import { PartUploadStaging } from './upload-staging-parts.js';
import './tables.js';

export interface UploadState {
  /** Absent when the user holds the blob already: nothing to send. */
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
  /**
   * Where resumable uploads are staged (upload-staging.ts): `files` in stagingDir (default), or
   * `database` so that several servers sharing the database continue each other's uploads.
   * A store that stages parts itself (S3) is used instead of either (upload-staging-parts.ts).
   */
  staging?: UploadStagingKind;
  defaultQuotaBytes?: number;
  /** Write chunks' whole blocks past the page cache (default true); see LocalBlobStoreOptions.directWrites. */
  directWrites?: boolean;
}

/** Blobs of a batch up to this size are read whole and stored in the background … */
const BUFFERED_BLOB_BYTES = 1024 * 1024;
/** … at most this many at once. */
const BATCH_STORES_AT_ONCE = 8;

/** An upload nobody continued for this long is dropped: its bytes and its share of the quota go. */
export const UPLOAD_SESSION_TTL_MS = 7 * 24 * 3600 * 1000;

/** How long a completed session answers a repeated completion. */
export const COMPLETED_SESSION_TTL_MS = 24 * 3600 * 1000;

/** Staging files of blobs sent whole (see storeProvenStaged); one a kill -9 left behind is removed at open. */
const WHOLE_PREFIX = 'whole-';
const WHOLE_LEFTOVER_MS = 3600 * 1000;

/** The refusal of a body longer than the blob it claims to be (or the rest of it). */
function tooLong(what: string): ApiError {
  return ApiError.of('PARAMETER_INVALID', { detail: `${what}: more bytes than the blob's size` });
}

/** A check to run on each piece of a body: throws once more than `limit` bytes arrived. */
function byteLimit(limit: number, what: string): (piece: Buffer) => void {
  let seen = 0;
  return (piece) => {
    seen += piece.length;
    if (seen > limit) throw tooLong(what);
  };
}

/** Pass a body through, failing once more than `limit` bytes arrived. */
async function* atMost(body: AsyncIterable<Buffer>, limit: number, what: string): AsyncGenerator<Buffer> {
  const check = byteLimit(limit, what);
  for await (const chunk of body) {
    check(chunk);
    yield chunk;
  }
}

/**
 * The SHA-256 of a staging file's first `offset` bytes, kept while its chunks
 * arrive in order, so completing a large upload need not read it back (on a
 * 200 MB file that re-read is about a third of the server's work). Lost on a
 * restart: the file is then hashed at completion, as before.
 */
interface RunningHash {
  hash: Hash;
  offset: number;
}

export class UploadSessions {
  /** Sessions being written or completed in this process: one writer at a time per session. */
  private readonly busy = new Set<string>();
  private readonly running = new Map<string, RunningHash>();
  /** Completions running in this process, so a retried completion waits for the first. */
  private readonly completing = new Map<string, Promise<BlobKey>>();
  private readonly staging: UploadStaging;

  constructor(private readonly o: UploadSessionsOptions) {
    // In the bucket as parts when the store can: shared by every server, and completing is one part.
    this.staging = canStageParts(o.blobs)
      ? new PartUploadStaging(o.db, o.blobs)
      : o.staging === 'database'
        ? new DatabaseUploadStaging(o.db)
        : new FileUploadStaging(o.stagingDir, o.directWrites ?? true);
  }

  static async open(o: UploadSessionsOptions): Promise<UploadSessions> {
    await mkdir(o.stagingDir, { recursive: true });
    const sessions = new UploadSessions(o);
    await sessions.sweepExpired();
    await sweepWholeLeftovers(o.stagingDir);
    return sessions;
  }

  /** End the sessions started more than `ttlMs` ago (abandoned uploads); returns how many. */
  async sweepExpired(ttlMs = UPLOAD_SESSION_TTL_MS, nowMs = Date.now()): Promise<number> {
    const stale = await this.o.db
      .selectFrom('transfer_uploads')
      .select('id')
      .where((eb) =>
        eb.or([
          eb('created_at', '<', nowMs - ttlMs),
          eb('completed_at', '<', nowMs - Math.min(ttlMs, COMPLETED_SESSION_TTL_MS)),
        ]),
      )
      .execute();
    for (const { id } of stale) {
      if (!this.busy.has(id)) await this.end(id);
    }
    // Reservations of requests whose server was killed before they settled.
    await sweepQuotaHolds(this.o.db, nowMs);
    return stale.length;
  }

  private committed(id: string): Promise<number> {
    return this.staging.committed(id);
  }

  /** The user's unfinished session `id`, or a completed one when `completed` allows it. */
  private async session(userId: number, id: string, completed = false) {
    const row = await this.o.db
      .selectFrom('transfer_uploads')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    if (row === undefined || (row.completed_at !== null && !completed))
      throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `no upload ${id}` });
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

  /**
   * Start or resume the upload of `key`: where to continue, or nothing to do
   * when the user holds it already. Whether anyone else stored it changes
   * nothing here: the bytes are the proof (see the file comment).
   */
  async begin(user: BlobUser, key: BlobKey): Promise<UploadState> {
    const { db, blobs } = this.o;
    const userId = blobUserId(user);
    if ((await holdsBlob(db, user, key)) && (await blobs.has(key)))
      return { offset: key.size, complete: true };
    const existing = await db
      .selectFrom('transfer_uploads')
      .select(['id', 'completed_at'])
      .where('user_id', '=', userId)
      .where('sha256', '=', key.sha256)
      .where('size', '=', key.size)
      .executeTakeFirst();
    if (existing !== undefined && existing.completed_at === null)
      return { uploadId: existing.id, offset: await this.committed(existing.id), complete: false };
    // A completed session of a blob the user no longer holds (or the store lost): a new one starts.
    if (existing !== undefined) await this.end(existing.id);
    // An unfinished upload counts at its declared size from here on: held now, then by its row
    // (a begin of the same blob that won the race counts for both).
    const budget = await this.budget(userId);
    await budget.reserve(key.size);
    const id = randomUUID();
    try {
      await this.staging.create(id);
      await db
        .insertInto('transfer_uploads')
        .values({ id, user_id: userId, sha256: key.sha256, size: key.size, created_at: Date.now() })
        .onConflict((oc) => oc.columns(['user_id', 'sha256', 'size']).doNothing())
        .executeTakeFirst();
    } finally {
      await budget.settle();
    }
    // Two concurrent begins of the same blob: the row that won names the session.
    const row = await db
      .selectFrom('transfer_uploads')
      .select('id')
      .where('user_id', '=', userId)
      .where('sha256', '=', key.sha256)
      .where('size', '=', key.size)
      .executeTakeFirstOrThrow();
    if (row.id !== id) await this.staging.drop(id);
    return { uploadId: row.id, offset: await this.committed(row.id), complete: false };
  }

  /** Append bytes at `offset`, which must equal the committed offset. Returns the new offset. */
  async write(user: BlobUser, id: string, offset: number, body: Readable): Promise<number> {
    const s = await this.session(blobUserId(user), id);
    const release = this.claim(id);
    try {
      const committed = await this.committed(id);
      if (offset !== committed) {
        throw ApiError.of('PARAMETER_INVALID', {
          detail: { field: 'offset', reason: `the server holds ${committed} bytes; continue from there` },
        });
      }
      // Taken out while the write runs: a write that fails leaves the session without one.
      let running = this.running.get(id);
      this.running.delete(id);
      if (offset === 0) running = { hash: createHash('sha256'), offset: 0 };
      if (running?.offset !== offset) running = undefined;
      const withinSize = byteLimit(s.size - offset, `upload ${id}`);
      try {
        await this.staging.append(id, offset, body, (piece) => {
          withinSize(piece);
          if (running !== undefined) {
            running.hash.update(piece);
            running.offset += piece.length;
          }
        });
      } catch (e) {
        if (!(e instanceof BlobStagingLostError)) throw e;
        // The store no longer has the staged parts (swept, or a bucket restored from a backup).
        await this.end(id);
        throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `upload ${id}: ${e.message}; start it again` });
      }
      const next = await this.committed(id);
      // Kept only when it covers exactly the bytes the file holds.
      if (running !== undefined && running.offset === next) this.running.set(id, running);
      return next;
    } finally {
      release();
    }
  }

  /**
   * Verify the bytes and publish the blob (or, when it is stored already, drop
   * the verified copy); the session ends either way once all bytes are there.
   */
  async complete(user: BlobUser, id: string): Promise<BlobKey> {
    const userId = blobUserId(user);
    const s = await this.session(userId, id, true);
    const key = { sha256: s.sha256, size: s.size };
    // Done already (the first answer was lost): the same answer, as long as the user still holds it.
    if (s.completed_at !== null) {
      if ((await holdsBlob(this.o.db, user, key)) && (await this.o.blobs.has(key))) return key;
      throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `no upload ${id}` });
    }
    // A retry while the first completion runs here: wait for that one.
    const running = this.completing.get(id);
    if (running !== undefined) return running;
    const run = this.completeOnce(userId, id, key);
    this.completing.set(id, run);
    try {
      return await run;
    } finally {
      this.completing.delete(id);
    }
  }

  private async completeOnce(userId: number, id: string, key: BlobKey): Promise<BlobKey> {
    const release = this.claim(id);
    try {
      const committed = await this.committed(id);
      if (committed !== key.size) {
        throw ApiError.of('PARAMETER_INVALID', {
          detail: `upload ${id} is incomplete: ${committed} of ${key.size} bytes`,
        });
      }
      const running = this.running.get(id);
      this.running.delete(id);
      // The farm's own hash of the bytes, whatever the blob store does with an object it has.
      const digest =
        running !== undefined && running.offset === key.size
          ? { sha256: running.hash.digest('hex'), size: key.size }
          : await this.staging.hash(id);
      try {
        if (digest.sha256 !== key.sha256 || digest.size !== key.size)
          throw new BlobHashMismatchError(key, digest);
        // Stored already: the verified copy is dropped with the session below.
        if (!(await this.o.blobs.has(key))) await this.staging.publish(id, this.o.blobs, key, digest);
      } catch (e) {
        if (e instanceof BlobStagingLostError) {
          // The store swept its parts (or one holds other bytes than those hashed): nothing was published.
          await this.end(id);
          throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `upload ${id}: ${e.message}; start it again` });
        }
        if (!(e instanceof BlobHashMismatchError)) throw e;
        await this.end(id);
        throw ApiError.of('HASH_MISMATCH', { detail: `upload ${id}: ${e.message}; start it again` });
      }
      await recordHeldBlob(this.o.db, userId, key);
      await this.finish(id);
      return key;
    } finally {
      release();
    }
  }

  /** Store a small blob sent whole, verified like any other; `body` is consumed either way. */
  async putWhole(user: BlobUser, key: BlobKey, body: AsyncIterable<Buffer> | Buffer): Promise<void> {
    const userId = blobUserId(user);
    const budget = await this.budget(userId);
    try {
      await this.store(user, key, body, budget);
      await recordHeldBlob(this.o.db, userId, key);
    } finally {
      await budget.settle();
    }
  }

  /**
   * Store the blobs of a batch body. Small ones are read whole and stored while
   * the next ones arrive (storing is a few file-system round trips; one blob at
   * a time left the server idle half the time); each new blob is reserved
   * against the quota before it is stored, and the user's new blobs are
   * recorded together at the end (also when one failed).
   */
  async putBatch(user: BlobUser, reader: BatchReader): Promise<number> {
    const userId = blobUserId(user);
    const budget = await this.budget(userId);
    const stored: BlobKey[] = [];
    const storing = new Overlap(BATCH_STORES_AT_ONCE);
    const storeOne = async (key: BlobKey, body: AsyncIterable<Buffer> | Buffer): Promise<void> => {
      await this.store(user, key, body, budget);
      stored.push(key);
    };
    try {
      for (let key = await reader.nextKey(); key !== undefined; key = await reader.nextKey()) {
        if (key.size <= BUFFERED_BLOB_BYTES) await storing.add(storeOne(key, await reader.readAll(key.size)));
        else await storeOne(key, reader.take(key.size));
      }
      await storing.drain();
    } finally {
      await storing.drain().catch(() => {});
      try {
        await recordHeldBlobs(this.o.db, userId, stored);
      } finally {
        await budget.settle();
      }
    }
    return stored.length;
  }

  /** A request's reservations against the user's quota, seen by every server (quota.ts). */
  private budget(userId: number): Promise<QuotaBudget> {
    return QuotaBudget.of(this.o.db, userId, this.o.defaultQuotaBytes);
  }

  /**
   * Store one blob, its bytes verified even when it is stored already (see
   * blob-proof.ts), reserving its size against the quota unless the user
   * holds it already.
   */
  private async store(
    user: BlobUser,
    key: BlobKey,
    body: AsyncIterable<Buffer> | Buffer,
    budget: QuotaBudget,
  ): Promise<void> {
    // Counted unless the user's own account holds it: the same whether the farm stored it for someone else or not.
    if (budget.limited && !(await holdsBlob(this.o.db, blobUserId(user), key)))
      await budget.reserve(key.size);
    if (Buffer.isBuffer(body)) {
      if (body.length > key.size) throw tooLong(`blob ${key.sha256}`);
      // In memory: the local store's packs compare before they write, so wrong bytes cost the same either way.
      await storeProven(this.o.blobs, key, body);
    } else {
      await storeProvenStaged(
        this.o.blobs,
        key,
        atMost(body, key.size, `blob ${key.sha256}`),
        join(this.o.stagingDir, `${WHOLE_PREFIX}${randomUUID()}`),
        this.o.directWrites ?? true,
      );
    }
  }

  private async end(id: string): Promise<void> {
    this.running.delete(id);
    await this.o.db.deleteFrom('transfer_uploads').where('id', '=', id).execute();
    await this.staging.drop(id);
  }

  /** The blob is published: the staged bytes go, the row stays (completed) to answer a retried completion. */
  private async finish(id: string): Promise<void> {
    this.running.delete(id);
    await this.o.db
      .updateTable('transfer_uploads')
      .set({ completed_at: Date.now() })
      .where('id', '=', id)
      .execute();
    await this.staging.drop(id);
  }
}

/** Remove whole-blob staging files an earlier process left (old enough not to be another's in flight). */
async function sweepWholeLeftovers(dir: string, nowMs = Date.now()): Promise<void> {
  for (const name of await readdir(dir)) {
    if (!name.startsWith(WHOLE_PREFIX)) continue;
    const p = join(dir, name);
    const s = await stat(p).catch(() => undefined);
    if (s !== undefined && s.mtimeMs < nowMs - WHOLE_LEFTOVER_MS) await rm(p, { force: true });
  }
}
