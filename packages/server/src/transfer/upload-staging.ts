/**
 * Where a resumable upload's bytes wait until it completes.
 *
 * - `files` (the default): a staging file per session on this server's disk;
 *   the committed offset is the file's length, and on the blob store's file
 *   system completion is a rename. Right for one server (or several sharing
 *   one file system for staging and blobs).
 * - `database`: rows of transfer_upload_parts, at most PART_BYTES each, in the
 *   database every server shares, so an upload begun through one server is
 *   continued and completed through any other (behind a load balancer without
 *   sticky sessions). The committed offset is the sum of the rows' lengths;
 *   a row's key is its offset, so two servers writing the same offset cannot
 *   both succeed, and a chunk cut short by a crash leaves the pieces that were
 *   written (a valid prefix), as the staging file does.
 *
 * Either way the bytes are hashed by the farm before the blob is published
 * (upload-sessions.ts).
 */
import { rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ApiError } from '@openfarm/protocol';
import { type Kysely, sql } from 'kysely';
import { writeBodyAt } from '../blob/body-writer.js';
import { type BlobKey, type BlobStore, hashLocalFile } from '../blob/index.js';
import type { Database } from '../store/database.js';
import { digestOf } from './blob-proof.js';
import './tables.js';

export type UploadStagingKind = 'files' | 'database';

export interface UploadStaging {
  /** Make room for a new session (nothing staged yet). */
  create(id: string): Promise<void>;
  /** Bytes staged so far. */
  committed(id: string): Promise<number>;
  /** Append `body` at `offset` (the committed offset), calling `onPiece` with each piece first. */
  append(id: string, offset: number, body: Readable, onPiece: (piece: Buffer) => void): Promise<void>;
  /** The farm's hash of every staged byte. */
  hash(id: string): Promise<BlobKey>;
  /** Hand the staged bytes to the blob store under `key` (hashed already: `digest`). */
  publish(id: string, blobs: BlobStore, key: BlobKey, digest: BlobKey): Promise<void>;
  /** Remove the session's bytes. */
  drop(id: string): Promise<void>;
}

const UPLOAD_ID = /^[0-9a-f-]{36}$/;

function checkId(id: string): string {
  if (!UPLOAD_ID.test(id)) throw ApiError.of('PARAMETER_INVALID', { detail: 'malformed upload id' });
  return id;
}

export class FileUploadStaging implements UploadStaging {
  constructor(
    private readonly dir: string,
    private readonly directWrites: boolean,
  ) {}

  private file(id: string): string {
    return join(this.dir, checkId(id));
  }

  async create(id: string): Promise<void> {
    await writeFile(this.file(id), new Uint8Array(0), { flag: 'wx' });
  }

  async committed(id: string): Promise<number> {
    try {
      return (await stat(this.file(id))).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw e;
    }
  }

  async append(id: string, offset: number, body: Readable, onPiece: (piece: Buffer) => void): Promise<void> {
    await writeBodyAt(this.file(id), offset, body, onPiece, { direct: this.directWrites });
  }

  hash(id: string): Promise<BlobKey> {
    return hashLocalFile(this.file(id));
  }

  publish(id: string, blobs: BlobStore, key: BlobKey, digest: BlobKey): Promise<void> {
    return blobs.putFile(key, this.file(id), digest);
  }

  async drop(id: string): Promise<void> {
    await rm(this.file(id), { force: true });
  }
}

/** Largest row of staged bytes: a 16 MiB chunk is 4 rows; memory per writing request stays small. */
export const PART_BYTES = 4 * 1024 * 1024;

export class DatabaseUploadStaging implements UploadStaging {
  constructor(private readonly db: Kysely<Database>) {}

  async create(_id: string): Promise<void> {}

  async committed(id: string): Promise<number> {
    const r = await this.db
      .selectFrom('transfer_upload_parts')
      .select(sql<number | string | null>`sum(length)`.as('n'))
      .where('upload_id', '=', checkId(id))
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  async append(id: string, offset: number, body: Readable, onPiece: (piece: Buffer) => void): Promise<void> {
    checkId(id);
    let at = offset;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const flush = async (): Promise<void> => {
      if (pendingBytes === 0) return;
      const bytes = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      const inserted = await this.db
        .insertInto('transfer_upload_parts')
        .values({ upload_id: id, offset: at, length: bytes.length, bytes })
        .onConflict((oc) => oc.columns(['upload_id', 'offset']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) {
        // Another server wrote this offset meanwhile: its bytes stand, this request stops here.
        throw ApiError.of('TASK_STATE_CONFLICT', {
          detail: `upload ${id} is being written by another request`,
        });
      }
      at += bytes.length;
    };
    for await (const chunk of body as AsyncIterable<Buffer>) {
      let piece = chunk;
      onPiece(piece);
      while (pendingBytes + piece.length >= PART_BYTES) {
        const take = PART_BYTES - pendingBytes;
        pending.push(piece.subarray(0, take));
        pendingBytes += take;
        piece = piece.subarray(take);
        await flush();
      }
      if (piece.length > 0) {
        pending.push(piece);
        pendingBytes += piece.length;
      }
    }
    await flush();
  }

  /** The staged bytes in order, one row in memory at a time. */
  private async *read(id: string): AsyncGenerator<Buffer> {
    let offset = 0;
    for (;;) {
      const row = await this.db
        .selectFrom('transfer_upload_parts')
        .select(['length', 'bytes'])
        .where('upload_id', '=', checkId(id))
        .where('offset', '=', offset)
        .executeTakeFirst();
      if (row === undefined) return;
      yield Buffer.from(row.bytes);
      offset += Number(row.length);
    }
  }

  hash(id: string): Promise<BlobKey> {
    return digestOf(this.read(id));
  }

  publish(id: string, blobs: BlobStore, key: BlobKey, _digest: BlobKey): Promise<void> {
    // The store hashes what it writes as well: bytes changed since `digest` are refused there.
    return blobs.put(key, Readable.from(this.read(id)));
  }

  async drop(id: string): Promise<void> {
    await this.db.deleteFrom('transfer_upload_parts').where('upload_id', '=', checkId(id)).execute();
  }
}
