/**
 * BlobStore on a local directory (the embedded farm's default).
 *
 * Layout: `objects/<h0h1>/<sha256>-<size>` for visible objects and `tmp/`
 * for bytes being written. One level of 256 folders, not two: creating a
 * folder costs as much as creating a file, and with two levels nearly every
 * new small object needed its own (2000 small files: a second more of server
 * time). Stores written with the older two-level layout are moved over once,
 * when opened. An object is written to `tmp/`, fsynced
 * (unless `durable: false`), verified and only then renamed into `objects/`:
 * rename is atomic on POSIX, so a reader (or a server restarted after kill -9)
 * sees either nothing or the whole verified object.
 *
 * Small objects handed over in memory (a batch upload's) are appended to pack
 * files in `packs/` instead, with an index beside them (pack-appender.ts): no
 * inode, temporary name or rename per object. Objects stored either way are
 * found either way, so a store written before packs existed reads as before.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { link, mkdir, open, readdir, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import {
  assertBlobKey,
  type BlobCollection,
  BlobHashMismatchError,
  type BlobKey,
  BlobNotFoundError,
  type BlobRange,
  type BlobStat,
  type BlobStore,
  blobObjectName,
  parseBlobObjectName,
  type QuarantinedBlob,
  resolveRange,
} from './blob-store.js';
import { writeBodyAt } from './body-writer.js';
import { PackAppender } from './pack-appender.js';
import { type CompactReport, compactPacks } from './pack-compact.js';
import { PackIndex } from './pack-index.js';
import { indexUnknownPacks, type RebuildReport } from './pack-rebuild.js';
import { PACK_RECORD_HEADER_BYTES } from './pack-record.js';

/** Written once the store has the one-level layout. */
const LAYOUT_MARKER = 'layout-v2';

/** Objects up to this size handed over in memory go into packs (a batch upload's small blobs are at most 1 MiB). */
export const PACKED_OBJECT_MAX_BYTES = 1024 * 1024;

/** Objects the garbage collector hid (BlobCollection.quarantine): `gc/<sha256>-<size>`. */
const QUARANTINE_DIR = 'gc';

/** Temporary files older than this are leftovers of a crashed writer. */
const STALE_TMP_MS = 60 * 60 * 1000;

function isErrno(e: unknown, code: string): boolean {
  return e instanceof Error && (e as NodeJS.ErrnoException).code === code;
}

export interface LocalBlobStoreOptions {
  /**
   * fsync each object and its directory before it becomes visible (default
   * true), so a power cut cannot leave a visible object with lost bytes.
   * Without it objects are still published atomically and survive a crash of
   * the process (the kernel keeps what was written), at several times the
   * rate for small objects.
   */
  durable?: boolean;
  /**
   * Write the whole blocks of streamed objects past the page cache (O_DIRECT,
   * default true; see body-writer.ts). Off where every write reaching the disk
   * before the call returns costs more than the copy it saves (a network file
   * system with a long round trip).
   */
  directWrites?: boolean;
  /**
   * Append small objects handed over in memory to pack files (default true).
   * Off, each is a file of its own, as streamed and large objects always are,
   * and no pack index is made; objects already in packs stay readable. Turn it
   * off where servers on several machines share the folder over a network file
   * system: the pack index is SQLite in WAL mode, which needs its users on one
   * machine. Every store opened on one folder should agree.
   */
  packSmallObjects?: boolean;
  /** Start a new pack once one would grow past this many bytes (default 1 GiB). */
  maxPackBytes?: number;
}

export class LocalBlobStore implements BlobStore, BlobCollection {
  private readonly durable: boolean;
  private readonly directWrites: boolean;
  /** Object folders made by this process, so publishing an object as a file skips a mkdir round trip. */
  private readonly knownDirs = new Set<string>();
  private readonly packDir: string;
  private readonly packs: PackAppender | undefined;
  /** What opening found in packs the index did not know (all zero unless the index file was lost). */
  packsIndexedAtOpen: RebuildReport = { packs: 0, objects: 0, corrupt: 0 };

  private constructor(
    private readonly root: string,
    /** Absent when packing is off and the folder has never held packs. */
    private readonly index: PackIndex | undefined,
    options: LocalBlobStoreOptions,
  ) {
    this.durable = options.durable ?? true;
    this.directWrites = options.directWrites ?? true;
    this.packDir = join(root, 'packs');
    this.packs =
      options.packSmallObjects === false || index === undefined
        ? undefined
        : new PackAppender(this.packDir, index, {
            durable: this.durable,
            syncDir: fsyncPath,
            ...(options.maxPackBytes !== undefined ? { maxPackBytes: options.maxPackBytes } : {}),
          });
  }

  /**
   * Open (creating when needed) a store rooted at `root`, sweeping stale temporary files and
   * indexing any pack the index does not know (the index file was lost).
   */
  static async open(root: string, options: LocalBlobStoreOptions = {}): Promise<LocalBlobStore> {
    await mkdir(join(root, 'objects'), { recursive: true });
    await mkdir(join(root, 'tmp'), { recursive: true });
    await mkdir(join(root, QUARANTINE_DIR), { recursive: true });
    const indexFile = join(root, 'packs', 'index.sqlite');
    let index: PackIndex | undefined;
    if (options.packSmallObjects !== false || existsSync(indexFile)) {
      await mkdir(join(root, 'packs'), { recursive: true });
      index = PackIndex.open(indexFile, options.durable ?? true);
    }
    try {
      const store = new LocalBlobStore(root, index, options);
      await store.flattenLegacyLayout();
      await store.sweepTmp(Date.now() - STALE_TMP_MS);
      if (index !== undefined) {
        store.packsIndexedAtOpen = await indexUnknownPacks(store.packDir, index, PACKED_OBJECT_MAX_BYTES);
      }
      return store;
    } catch (e) {
      index?.close();
      throw e;
    }
  }

  /** Finish the appends under way and release the packs and the index. */
  async close(): Promise<void> {
    await this.packs?.close();
    this.index?.close();
  }

  /** Move objects of the two-level layout (`objects/ab/cd/…`) up one level; a no-op once done. */
  private async flattenLegacyLayout(): Promise<void> {
    const marker = join(this.root, LAYOUT_MARKER);
    if (await stat(marker).catch(() => undefined)) return;
    const objects = join(this.root, 'objects');
    for (const top of await readdir(objects, { withFileTypes: true })) {
      if (!top.isDirectory()) continue;
      for (const sub of await readdir(join(objects, top.name), { withFileTypes: true })) {
        if (!sub.isDirectory()) continue;
        const dir = join(objects, top.name, sub.name);
        for (const name of await readdir(dir)) await rename(join(dir, name), join(objects, top.name, name));
        await rm(dir, { recursive: true, force: true });
      }
    }
    await writeFile(marker, 'objects/<h0h1>/<sha256>-<size>\n');
  }

  private objectPath(key: BlobKey): string {
    assertBlobKey(key);
    const h = key.sha256;
    return join(this.root, 'objects', h.slice(0, 2), blobObjectName(key));
  }

  private tmpPath(): string {
    return join(this.root, 'tmp', randomUUID());
  }

  private async sweepTmp(olderThanMs: number): Promise<void> {
    const dir = join(this.root, 'tmp');
    for (const name of await readdir(dir)) {
      const p = join(dir, name);
      const s = await stat(p).catch(() => undefined);
      if (s !== undefined && s.mtimeMs < olderThanMs) await rm(p, { force: true });
    }
  }

  async has(key: BlobKey): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async stat(key: BlobKey): Promise<BlobStat | undefined> {
    assertBlobKey(key);
    const packed = this.index?.lookup(key);
    if (packed !== undefined) return { sha256: key.sha256, size: key.size, storedAtMs: packed.storedAtMs };
    try {
      const s = await stat(this.objectPath(key));
      return { sha256: key.sha256, size: s.size, storedAtMs: s.mtimeMs };
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return undefined;
      throw e;
    }
  }

  async put(key: BlobKey, source: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    assertBlobKey(key);
    if (
      this.packs !== undefined &&
      source instanceof Uint8Array &&
      source.length <= PACKED_OBJECT_MAX_BYTES
    ) {
      // In memory already, so verified before a byte is written: nothing unverified reaches a pack.
      const actual = { sha256: createHash('sha256').update(source).digest('hex'), size: source.length };
      if (actual.sha256 !== key.sha256 || actual.size !== key.size)
        throw new BlobHashMismatchError(key, actual);
      // The index alone decides: a copy kept as a file by an older store is only read, never moved.
      if (this.index?.lookup(key) === undefined) await this.packs.append(key, source);
      return;
    }
    const final = this.objectPath(key);
    const tmp = this.tmpPath();
    const hash = createHash('sha256');
    let size = 0;
    try {
      if (source instanceof Uint8Array) {
        // A small object already in memory (a batch upload's) is written in one call, and flushed
        // on the same handle (one open per object: a batch stores thousands).
        hash.update(source);
        size = source.length;
        const fh = await open(tmp, 'wx');
        try {
          await fh.write(source);
          if (this.durable) await fh.sync();
        } finally {
          await fh.close();
        }
      } else {
        // A streamed one (a blob sent whole, up to a chunk's size) is gathered into large
        // writes past the page cache, as a resumable upload's chunks are.
        await writeFile(tmp, new Uint8Array(0), { flag: 'wx' });
        await writeBodyAt(
          tmp,
          0,
          asBuffers(source),
          (piece) => {
            hash.update(piece);
            size += piece.length;
          },
          { direct: this.directWrites },
        );
        if (this.durable) await fsyncPath(tmp);
      }
    } catch (e) {
      await rm(tmp, { force: true });
      throw e;
    }
    await this.publish(key, { sha256: hash.digest('hex'), size }, tmp, final);
  }

  async putFile(key: BlobKey, filePath: string, digest?: BlobKey): Promise<void> {
    const final = this.objectPath(key);
    const actual = digest ?? (await hashLocalFile(filePath));
    if (actual.sha256 !== key.sha256 || actual.size !== key.size) {
      throw new BlobHashMismatchError(key, actual);
    }
    // Flush the staging file before it becomes visible under its key.
    if (this.durable) await fsyncPath(filePath);
    try {
      await this.publish(key, actual, filePath, final);
    } catch (e) {
      if (!isErrno(e, 'EXDEV')) throw e;
      // Staging on another file system: copy (verified again) and consume the source.
      await this.put(key, createReadStream(filePath));
      await rm(filePath, { force: true });
    }
  }

  /** Verify `tmp` against the key, then make it visible atomically. */
  private async publish(key: BlobKey, actual: BlobKey, tmp: string, final: string): Promise<void> {
    if (actual.sha256 !== key.sha256 || actual.size !== key.size) {
      await rm(tmp, { force: true });
      throw new BlobHashMismatchError(key, actual);
    }
    const dir = dirname(final);
    if (!this.knownDirs.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.knownDirs.add(dir);
    }
    try {
      await rename(tmp, final);
    } catch (e) {
      // The folder went away behind our back (an operator's clean-up): make it again.
      if (!isErrno(e, 'ENOENT')) throw e;
      this.knownDirs.delete(dir);
      await mkdir(dir, { recursive: true });
      await rename(tmp, final);
    }
    if (this.durable) await fsyncPath(dirname(final));
  }

  async get(key: BlobKey, range?: BlobRange): Promise<Readable> {
    assertBlobKey(key);
    const packed = this.index?.lookup(key);
    if (packed !== undefined) {
      const { start, endInclusive } = resolveRange(key.size, range);
      if (endInclusive < start) return Readable.from([]);
      const at = packed.offset + PACK_RECORD_HEADER_BYTES;
      return createReadStream(join(this.packDir, packed.pack), { start: at + start, end: at + endInclusive });
    }
    const p = this.objectPath(key);
    const s = await this.stat(key);
    if (s === undefined) throw new BlobNotFoundError(key);
    const { start, endInclusive } = resolveRange(s.size, range);
    if (endInclusive < start) return Readable.from([]);
    return createReadStream(p, { start, end: endInclusive });
  }

  async delete(key: BlobKey): Promise<boolean> {
    assertBlobKey(key);
    // A packed object's bytes stay in its pack: nothing compacts packs yet.
    if (this.index?.remove(key) === true) return true;
    try {
      await rm(this.objectPath(key));
      return true;
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return false;
      throw e;
    }
  }

  // The garbage collector's side of the store (BlobCollection). A packed object is hidden by moving
  // its index row aside (its bytes stay in the pack: dead space until the pack is compacted); an object
  // kept as a file is hidden by renaming it into gc/, atomically, so an upload either sees it or
  // stores its own copy.

  async *list(): AsyncGenerator<BlobStat> {
    if (this.index !== undefined) yield* this.index.listObjects();
    const objects = join(this.root, 'objects');
    for (const top of await readdir(objects, { withFileTypes: true })) {
      if (!top.isDirectory()) continue;
      for (const name of await readdir(join(objects, top.name))) {
        const key = parseBlobObjectName(name);
        if (key === undefined) continue;
        const s = await stat(join(objects, top.name, name)).catch(() => undefined);
        if (s !== undefined) yield { ...key, storedAtMs: s.mtimeMs };
      }
    }
  }

  async *listQuarantined(): AsyncGenerator<QuarantinedBlob> {
    if (this.index !== undefined) yield* this.index.listQuarantined();
    const dir = join(this.root, QUARANTINE_DIR);
    for (const name of await readdir(dir)) {
      const key = parseBlobObjectName(name);
      if (key === undefined) continue;
      const s = await stat(join(dir, name)).catch(() => undefined);
      if (s !== undefined) yield { ...key, quarantinedAtMs: s.mtimeMs };
    }
  }

  async quarantine(key: BlobKey, storedBeforeMs: number): Promise<boolean> {
    assertBlobKey(key);
    if (this.index?.quarantine(key, storedBeforeMs, Date.now()) === true) return true;
    const path = this.objectPath(key);
    const s = await stat(path).catch(() => undefined);
    if (s === undefined || s.mtimeMs >= storedBeforeMs) return false;
    const hidden = quarantinePath(this.root, key);
    try {
      await rename(path, hidden);
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return false;
      throw e;
    }
    // The file's time now says when it was hidden: the grace before purging counts from it.
    const now = new Date();
    await utimes(hidden, now, now);
    return true;
  }

  async restore(key: BlobKey): Promise<void> {
    assertBlobKey(key);
    if (this.index?.restore(key) === true) return;
    const hidden = quarantinePath(this.root, key);
    const final = this.objectPath(key);
    await mkdir(dirname(final), { recursive: true });
    try {
      // link, not rename: a copy stored meanwhile is verified too, and stays.
      await link(hidden, final);
    } catch (e) {
      if (isErrno(e, 'ENOENT')) return;
      if (!isErrno(e, 'EEXIST')) throw e;
    }
    if (this.durable) await fsyncPath(dirname(final));
    await rm(hidden, { force: true });
  }

  /**
   * Rewrite sealed packs that are mostly dead (pack-compact.ts), and delete the files of packs an
   * earlier compaction replaced. Nothing to do when the folder has no packs.
   */
  async compact(
    options: { minDeadFraction?: number; step?: (name: string) => void } = {},
  ): Promise<CompactReport> {
    if (this.index === undefined) return { compacted: 0, bytesWritten: 0, bytesDeleted: 0 };
    return compactPacks(this.packDir, this.index, {
      durable: this.durable,
      syncDir: fsyncPath,
      ...options,
    });
  }

  async purge(key: BlobKey): Promise<void> {
    assertBlobKey(key);
    this.index?.purge(key);
    await rm(quarantinePath(this.root, key), { force: true });
  }
}

function quarantinePath(root: string, key: BlobKey): string {
  return join(root, QUARANTINE_DIR, blobObjectName(key));
}

/** Streaming SHA-256 and size of a local file. */
export async function hashLocalFile(filePath: string): Promise<BlobKey> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** The pieces of a body as Buffers (the writer copies with Buffer methods; a source may yield plain bytes or strings). */
async function* asBuffers(source: AsyncIterable<Uint8Array | string>): AsyncGenerator<Buffer> {
  for await (const piece of source) {
    if (Buffer.isBuffer(piece)) yield piece;
    else if (typeof piece === 'string') yield Buffer.from(piece);
    else yield Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  }
}

/**
 * Flush a file's bytes, or a directory's entries (a rename), to the disk, so a power cut cannot undo
 * them. A read-only handle is enough for fsync on Linux, and the only kind a directory opens as.
 */
async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
