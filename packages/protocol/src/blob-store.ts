/**
 * The blob store: bytes stored once, addressed by their SHA-256 and size.
 * Types and pure checks only: the implementations (the server's local directory
 * store, @openfarm/blob-s3) live in their own packages and all pass one contract
 * suite (test/blob-store.contract.ts beside this package's tests).
 *
 * Manifests (storage, server path) → (hash, size, mtime) live in SQL; the bytes
 * live here. An object becomes visible (`has`, `stat`, `get`) only once its
 * content has been hashed and found equal to its key, so a crash or a lying
 * client can never leave a half-written or wrong object behind a valid key.
 */
import type { Readable } from 'node:stream';

/** A blob's address: lowercase hex SHA-256 of its bytes, and their count. */
export interface BlobKey {
  readonly sha256: string;
  readonly size: number;
}

export interface BlobStat {
  readonly sha256: string;
  readonly size: number;
  /** When the object became visible, milliseconds since the epoch. */
  readonly storedAtMs: number;
}

/** A byte range of an object: `length` bytes from `offset` (to the end when `length` is absent). */
export interface BlobRange {
  readonly offset: number;
  readonly length?: number;
}

export interface BlobStore {
  /** True when the object is stored and verified. */
  has(key: BlobKey): Promise<boolean>;
  /** The object's metadata, or undefined when it is not stored. */
  stat(key: BlobKey): Promise<BlobStat | undefined>;
  /**
   * Store the bytes of a stream under `key`. The content is hashed while it is
   * written; on a size or hash mismatch nothing becomes visible and
   * BlobHashMismatchError is thrown. Storing an object that already exists is a
   * no-op apart from reading the stream.
   */
  put(key: BlobKey, source: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void>;
  /**
   * Store the bytes of a local file (an upload's staging file) under `key`,
   * with the same verification as `put`. The file is consumed: an implementation
   * on the same file system may move it instead of copying it. `digest`, when
   * given, is the caller's hash of exactly the bytes it wrote to the file, so
   * the store may verify against it instead of reading the file again.
   */
  putFile(key: BlobKey, filePath: string, digest?: BlobKey): Promise<void>;
  /** Read an object, or a range of it. Throws BlobNotFoundError when absent, RangeError for a bad range. */
  get(key: BlobKey, range?: BlobRange): Promise<Readable>;
  /** Remove an object; false when it was not there. */
  delete(key: BlobKey): Promise<boolean>;
}

/** An object the garbage collector hid (BlobCollection.quarantine), and when it did. */
export interface QuarantinedBlob extends BlobKey {
  readonly quarantinedAtMs: number;
}

/**
 * What the garbage collector needs of a store beyond BlobStore (both stores have it).
 * Deleting is two steps so that a blob an upload found present just before the
 * collector hid it can be given back: `quarantine` makes an object invisible
 * (`has` false, so a new upload stores its own copy) without losing its bytes;
 * `restore` makes it visible again; `purge` drops it for good.
 */
export interface BlobCollection {
  /** Every visible object, in no particular order. */
  list(): AsyncIterable<BlobStat>;
  /** Hide an object stored before `storedBeforeMs`; false when it is absent or newer. */
  quarantine(key: BlobKey, storedBeforeMs: number): Promise<boolean>;
  /** Every hidden object. */
  listQuarantined(): AsyncIterable<QuarantinedBlob>;
  /** Make a hidden object visible again (kept as is when a visible copy was stored meanwhile). */
  restore(key: BlobKey): Promise<void>;
  /** Drop a hidden object's bytes for good. */
  purge(key: BlobKey): Promise<void>;
  /** Give back the space purged objects left inside larger files (the local store's packs). */
  compact?(): Promise<{ readonly bytesWritten: number; readonly bytesDeleted: number }>;
}

/** True when `store` can be garbage-collected. */
export function isBlobCollection(store: object): store is BlobCollection {
  const s = store as Partial<BlobCollection>;
  return typeof s.list === 'function' && typeof s.quarantine === 'function' && typeof s.purge === 'function';
}

/** One part of a staged blob, as `completeStaged` takes them. */
export interface StagedPart {
  /** From 1, in the order of the bytes. */
  readonly partNumber: number;
  /** What `putStagedPart` answered for it. */
  readonly tag: string;
}

/**
 * A store that keeps a blob's bytes as parts before they are verified (S3
 * multipart uploads): a resumable upload sends each part as it arrives, from any
 * server, and completing it needs no copy of its bytes. Nothing is visible until
 * `completeStaged`, which the caller sends only once it has verified the hash of
 * every byte of the parts it names.
 */
export interface BlobPartStaging {
  /** The size of every part but the last, for a blob of `size` bytes; a multiple of 64. */
  stagedPartBytes(size: number): number;
  /** Begin staging `key`; the answer names it for the calls below. */
  beginStaged(key: BlobKey): Promise<string>;
  /** Store part `partNumber` (replacing one sent before under that number); answers its tag. */
  putStagedPart(key: BlobKey, handle: string, partNumber: number, bytes: Uint8Array): Promise<string>;
  /**
   * Make `key` visible from these parts, in order. Throws BlobStagingLostError when the store no
   * longer has the staging or a part differs from its tag.
   */
  completeStaged(key: BlobKey, handle: string, parts: readonly StagedPart[]): Promise<void>;
  /** Drop the staging and its parts; no error when it is gone (completed or aborted before). */
  abortStaged(key: BlobKey, handle: string): Promise<void>;
}

/** True when `store` can stage a blob as parts. */
export function canStageParts(store: object): store is BlobPartStaging {
  const s = store as Partial<BlobPartStaging>;
  return typeof s.beginStaged === 'function' && typeof s.completeStaged === 'function';
}

/** The store lost a staged blob (aborted by its sweep) or holds a part other than the one tagged. */
export class BlobStagingLostError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BlobStagingLostError';
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/** Reject malformed keys before they reach a file name or an object key. */
export function assertBlobKey(key: BlobKey): void {
  if (typeof key.sha256 !== 'string' || !SHA256_HEX.test(key.sha256)) {
    throw new TypeError(
      `blob key: sha256 must be 64 lowercase hex digits, got ${JSON.stringify(key.sha256)}`,
    );
  }
  if (!Number.isSafeInteger(key.size) || key.size < 0) {
    throw new TypeError(`blob key: size must be a non-negative integer, got ${String(key.size)}`);
  }
}

/** `<sha256>-<size>`: a blob's file or object name, the same in every store. */
export function blobObjectName(key: BlobKey): string {
  return `${key.sha256}-${key.size}`;
}

const OBJECT_NAME = /^([0-9a-f]{64})-(\d+)$/;

/** The key a blobObjectName names; undefined for any other name (a temporary file, a foreign object). */
export function parseBlobObjectName(name: string): BlobKey | undefined {
  const m = OBJECT_NAME.exec(name);
  return m === null ? undefined : { sha256: m[1] as string, size: Number(m[2]) };
}

/** Check a range against an object size and return the inclusive end offset it covers (-1 when empty). */
export function resolveRange(
  size: number,
  range: BlobRange | undefined,
): { start: number; endInclusive: number } {
  if (range === undefined) return { start: 0, endInclusive: size - 1 };
  const { offset, length } = range;
  if (!Number.isSafeInteger(offset) || offset < 0 || offset > size) {
    throw new RangeError(`blob range: offset ${offset} outside 0..${size}`);
  }
  if (length !== undefined && (!Number.isSafeInteger(length) || length < 0 || offset + length > size)) {
    throw new RangeError(`blob range: length ${length} from ${offset} runs past the size ${size}`);
  }
  return { start: offset, endInclusive: length === undefined ? size - 1 : offset + length - 1 };
}

export class BlobNotFoundError extends Error {
  constructor(readonly key: BlobKey) {
    super(`blob ${key.sha256}/${key.size} is not stored`);
    this.name = 'BlobNotFoundError';
  }
}

export class BlobHashMismatchError extends Error {
  constructor(
    readonly expected: BlobKey,
    readonly actual: BlobKey,
  ) {
    super(
      `blob content does not match its key: expected ${expected.sha256}/${expected.size}, ` +
        `got ${actual.sha256}/${actual.size}`,
    );
    this.name = 'BlobHashMismatchError';
  }
}

/** A storage setting (`--storage DIR` or `s3://…`) that cannot be used: the message says why. */
export class BlobStorageConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BlobStorageConfigError';
  }
}
