/**
 * Resumable uploads staged in the object store itself, as the parts of the
 * blob's own multipart upload (a store with BlobPartStaging: S3), so completing
 * a large upload costs one part and one request instead of copying every byte
 * into the bucket inside the completing request (minutes for gigabytes, past
 * clients' timeouts).
 *
 * - Bytes arrive in chunks of any size; S3 parts must be at least 5 MiB (but the
 *   last). Each full part (`part_bytes`, fixed when the staging began) is sent
 *   as soon as it is gathered; the rest of a chunk waits as rows of
 *   transfer_upload_parts (the database staging's table), always less than a part.
 * - The farm hashes every byte as its part is sent, and keeps the SHA-256 state
 *   after each part with it (sha256-state.ts): the parts cannot be read back
 *   before the object exists, and another server may send the next part.
 * - Completing: the hash is taken up from the last part's state over the rows
 *   left (less than a part), compared with the key, and only then are the rows
 *   sent as the last part and the multipart upload completed: the blob becomes
 *   visible only once the farm has verified its bytes. S3 checks each part
 *   against its tag (an MD5), so the object holds exactly the parts hashed.
 * - Everything is in the database and the bucket: any server continues or
 *   completes; a kill -9 at any step leaves either the parts and rows (a retried
 *   completion sends the last part again and completes) or the completed object
 *   (the retry finds it stored and drops the staging).
 *
 * The committed offset is the sum of the parts' lengths and the rows'.
 */
import { Readable } from 'node:stream';
import {
  ApiError,
  type BlobKey,
  type BlobPartStaging,
  type BlobStore,
  BlobStagingLostError,
  type StagedPart,
} from '@openfarm/protocol';
import { type Kysely, PostgresAdapter, sql } from 'kysely';
import type { Database } from '../store/database.js';
import { ResumableSha256 } from './sha256-state.js';
import { PART_BYTES, type UploadStaging } from './upload-staging.js';
import './tables.js';

type Db = Kysely<Database>;

interface Staged {
  key: BlobKey;
  handle: string | undefined;
  partBytes: number;
  parts: { partNumber: number; length: number; tag: string; hashState: string }[];
  partsEnd: number;
  tail: Buffer[];
  tailBytes: number;
}

const UPLOAD_ID = /^[0-9a-f-]{36}$/;

function checkId(id: string): string {
  if (!UPLOAD_ID.test(id)) throw ApiError.of('PARAMETER_INVALID', { detail: 'malformed upload id' });
  return id;
}

function conflict(id: string): ApiError {
  return ApiError.of('TASK_STATE_CONFLICT', { detail: `upload ${id} is being written by another request` });
}

export class PartUploadStaging implements UploadStaging {
  private readonly postgres: boolean;

  constructor(
    private readonly db: Db,
    private readonly store: BlobStore & BlobPartStaging,
  ) {
    this.postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  }

  async create(_id: string): Promise<void> {}

  /** The session's staging as the database has it now. */
  private async load(db: Db, id: string): Promise<Staged> {
    checkId(id);
    const staged = await db
      .selectFrom('transfer_upload_staged')
      .selectAll()
      .where('upload_id', '=', id)
      .executeTakeFirst();
    let key: BlobKey;
    if (staged !== undefined) key = { sha256: staged.sha256, size: Number(staged.size) };
    else {
      const row = await db
        .selectFrom('transfer_uploads')
        .select(['sha256', 'size'])
        .where('id', '=', id)
        .executeTakeFirst();
      if (row === undefined) throw ApiError.of('RESOURCE_NOT_FOUND', { detail: `no upload ${id}` });
      key = { sha256: row.sha256, size: Number(row.size) };
    }
    const parts = (
      await db
        .selectFrom('transfer_upload_staged_parts')
        .select(['part_number', 'length', 'tag', 'hash_state'])
        .where('upload_id', '=', id)
        .orderBy('part_number')
        .execute()
    ).map((p) => ({
      partNumber: p.part_number,
      length: Number(p.length),
      tag: p.tag,
      hashState: p.hash_state,
    }));
    const rows = await db
      .selectFrom('transfer_upload_parts')
      .select(['bytes'])
      .where('upload_id', '=', id)
      .orderBy('offset')
      .execute();
    const tail = rows.map((r) => Buffer.from(r.bytes));
    return {
      key,
      handle: staged?.handle,
      partBytes: staged !== undefined ? Number(staged.part_bytes) : this.store.stagedPartBytes(key.size),
      parts,
      partsEnd: parts.reduce((n, p) => n + p.length, 0),
      tail,
      tailBytes: tail.reduce((n, b) => n + b.length, 0),
    };
  }

  async committed(id: string): Promise<number> {
    checkId(id);
    const parts = await this.db
      .selectFrom('transfer_upload_staged_parts')
      .select(sql<number | string | null>`sum(length)`.as('n'))
      .where('upload_id', '=', id)
      .executeTakeFirst();
    const rows = await this.db
      .selectFrom('transfer_upload_parts')
      .select(sql<number | string | null>`sum(length)`.as('n'))
      .where('upload_id', '=', id)
      .executeTakeFirst();
    return Number(parts?.n ?? 0) + Number(rows?.n ?? 0);
  }

  /**
   * Writers of one session on two servers take turns here: each checks, under the
   * session row's lock, that the staging is still what it read (SQLite has one writer).
   */
  private async locked<T>(id: string, run: (trx: Db) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(async (trx) => {
      if (this.postgres) await sql`select id from transfer_uploads where id = ${id} for update`.execute(trx);
      return run(trx);
    });
  }

  private async unchanged(trx: Db, id: string, parts: number, tailBytes: number): Promise<void> {
    const now = await trx
      .selectFrom('transfer_upload_staged_parts')
      .select(sql<number | string>`count(*)`.as('n'))
      .where('upload_id', '=', id)
      .executeTakeFirst();
    const rows = await trx
      .selectFrom('transfer_upload_parts')
      .select(sql<number | string | null>`sum(length)`.as('n'))
      .where('upload_id', '=', id)
      .executeTakeFirst();
    if (Number(now?.n ?? 0) !== parts || Number(rows?.n ?? 0) !== tailBytes) throw conflict(id);
  }

  /** The store's staging of this session, begun by whichever server sends its first part. */
  private async handleOf(id: string, s: Staged): Promise<string> {
    if (s.handle !== undefined) return s.handle;
    const handle = await this.store.beginStaged(s.key);
    const inserted = await this.db
      .insertInto('transfer_upload_staged')
      .values({ upload_id: id, ...s.key, handle, part_bytes: s.partBytes })
      .onConflict((oc) => oc.column('upload_id').doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
      // Another server began it meanwhile: that one stands.
      await this.store.abortStaged(s.key, handle);
      throw conflict(id);
    }
    s.handle = handle;
    return handle;
  }

  async append(id: string, offset: number, body: Readable, onPiece: (piece: Buffer) => void): Promise<void> {
    const s = await this.load(this.db, id);
    if (offset !== s.partsEnd + s.tailBytes) throw conflict(id);
    // In memory: the rows already stored (`durable` bytes), then what this request brings.
    let pending: Buffer[] = [...s.tail];
    let pendingBytes = s.tailBytes;
    let durable = s.tailBytes;
    let state = s.parts.at(-1)?.hashState;
    const flushPart = async (): Promise<void> => {
      const all = Buffer.concat(pending, pendingBytes);
      const part = all.subarray(0, s.partBytes);
      const rest = all.subarray(s.partBytes);
      const hash = await hashYielding(new ResumableSha256(state), part);
      const partNumber = s.parts.length + 1;
      const handle = await this.handleOf(id, s);
      const tag = await this.store.putStagedPart(s.key, handle, partNumber, part);
      const hashState = hash.save();
      await this.locked(id, async (trx) => {
        await this.unchanged(trx, id, s.parts.length, durable);
        await trx
          .insertInto('transfer_upload_staged_parts')
          .values({
            upload_id: id,
            part_number: partNumber,
            offset: s.partsEnd,
            length: part.length,
            tag,
            hash_state: hashState,
          })
          .execute();
        await trx.deleteFrom('transfer_upload_parts').where('upload_id', '=', id).execute();
        // Rows reaching past this part (none, unless the part size changed): put back what follows it.
        if (durable > part.length)
          await insertRows(trx, id, s.partsEnd + part.length, rest.subarray(0, durable - part.length));
      });
      s.parts.push({ partNumber, length: part.length, tag, hashState });
      s.partsEnd += part.length;
      state = hashState;
      durable = Math.max(0, durable - part.length);
      pending = rest.length > 0 ? [rest] : [];
      pendingBytes = rest.length;
    };
    for await (const chunk of body as AsyncIterable<Buffer>) {
      onPiece(chunk);
      pending.push(chunk);
      pendingBytes += chunk.length;
      while (pendingBytes >= s.partBytes) await flushPart();
    }
    if (pendingBytes > durable) {
      const rest = Buffer.concat(pending, pendingBytes).subarray(durable);
      await this.locked(id, async (trx) => {
        await this.unchanged(trx, id, s.parts.length, durable);
        await insertRows(trx, id, s.partsEnd + durable, rest);
      });
    }
  }

  async hash(id: string): Promise<BlobKey> {
    const s = await this.load(this.db, id);
    const h = new ResumableSha256(s.parts.at(-1)?.hashState);
    for (const b of s.tail) await hashYielding(h, b);
    return { sha256: h.digestHex(), size: h.bytes };
  }

  async publish(id: string, blobs: BlobStore, key: BlobKey, digest: BlobKey): Promise<void> {
    const s = await this.load(this.db, id);
    // The caller verified `digest` over these same parts and rows; they must still be what it hashed.
    if (s.partsEnd + s.tailBytes !== digest.size) throw conflict(id);
    if (s.handle === undefined) {
      // Smaller than one part: one request, the store verifying the bytes again.
      await blobs.put(key, Readable.from(s.tail));
      return;
    }
    const parts: StagedPart[] = s.parts.map((p) => ({ partNumber: p.partNumber, tag: p.tag }));
    if (s.tailBytes > 0) {
      const last = Buffer.concat(s.tail, s.tailBytes);
      const partNumber = s.parts.length + 1;
      parts.push({ partNumber, tag: await this.store.putStagedPart(s.key, s.handle, partNumber, last) });
    }
    try {
      await this.store.completeStaged(s.key, s.handle, parts);
    } catch (e) {
      // Completed meanwhile by another server's completion of this session: the blob is there.
      if (e instanceof BlobStagingLostError && (await blobs.has(key))) return;
      throw e;
    }
  }

  async drop(id: string): Promise<void> {
    checkId(id);
    const staged = await this.db
      .selectFrom('transfer_upload_staged')
      .select(['sha256', 'size', 'handle'])
      .where('upload_id', '=', id)
      .executeTakeFirst();
    // The store's staging first: a crash after it leaves rows the next drop removes.
    if (staged !== undefined)
      await this.store.abortStaged({ sha256: staged.sha256, size: Number(staged.size) }, staged.handle);
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('transfer_upload_staged_parts').where('upload_id', '=', id).execute();
      await trx.deleteFrom('transfer_upload_parts').where('upload_id', '=', id).execute();
      await trx.deleteFrom('transfer_upload_staged').where('upload_id', '=', id).execute();
    });
  }
}

/** Slices hashed between turns of the event loop: a whole part at once would hold it for 100s of ms. */
const HASH_SLICE = 1024 * 1024;

async function hashYielding(hash: ResumableSha256, bytes: Buffer): Promise<ResumableSha256> {
  for (let at = 0; at < bytes.length; at += HASH_SLICE) {
    if (at > 0) await new Promise((r) => setImmediate(r));
    hash.update(bytes.subarray(at, at + HASH_SLICE));
  }
  return hash;
}

/** Rows of at most PART_BYTES from `offset`; another writer's row at one of these offsets is a conflict. */
async function insertRows(trx: Db, id: string, offset: number, bytes: Buffer): Promise<void> {
  for (let at = 0; at < bytes.length; at += PART_BYTES) {
    const piece = bytes.subarray(at, at + PART_BYTES);
    const r = await trx
      .insertInto('transfer_upload_parts')
      .values({ upload_id: id, offset: offset + at, length: piece.length, bytes: piece })
      .onConflict((oc) => oc.columns(['upload_id', 'offset']).doNothing())
      .executeTakeFirst();
    if (Number(r.numInsertedOrUpdatedRows ?? 0) === 0) throw conflict(id);
  }
}
