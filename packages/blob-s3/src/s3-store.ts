/**
 * BlobStore on an S3-compatible object store (AWS S3, Ceph RGW, MinIO, Garage).
 *
 * Layout: `<prefix>/blobs/<sha256>-<size>`, one object per blob. The key already names
 * the content, so the objects carry no metadata of their own, and servers sharing the
 * bucket agree on every object without talking to each other. `blobs/` leaves room
 * beside it for other kinds of objects under the same prefix.
 *
 * Objects become visible only once verified (verified-upload.ts). Reads are GetObject,
 * with a Range header for a byte range, streamed to the caller: the farm serves
 * downloads through its own routes (see README: why not presigned URLs).
 */
import { createReadStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable } from 'node:stream';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  ListPartsCommand,
  S3Client,
  type S3ClientConfig,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import {
  assertBlobKey,
  type BlobCollection,
  BlobHashMismatchError,
  type BlobKey,
  BlobNotFoundError,
  type BlobPartStaging,
  type BlobRange,
  BlobStagingLostError,
  type BlobStat,
  type BlobStore,
  blobObjectName,
  parseBlobObjectName,
  type QuarantinedBlob,
  resolveRange,
  type StagedPart,
} from '@openfarm/protocol';
import type { S3StorageConfig } from './storage-url.js';
import { md5Base64, partSizeFor, uploadVerified } from './verified-upload.js';

/** Connections to the S3 server at once: one per download in flight, plus what uploads and lookups need. */
const DEFAULT_MAX_SOCKETS = 512;

/**
 * A multipart upload older than this was left by a writer that crashed. One blob's upload inside a
 * request takes minutes at most, but a resumable upload staged as parts (BlobPartStaging) may be
 * continued for up to seven days (the server's UPLOAD_SESSION_TTL_MS, whose sweep aborts it then).
 */
const ABANDONED_UPLOAD_MS = 8 * 24 * 3600 * 1000;

export interface S3BlobStoreOptions extends S3StorageConfig {
  /** Default: the AWS chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, profile, role). */
  readonly credentials?: S3ClientConfig['credentials'];
  /** Part size of multipart uploads (default 16 MiB; at least 5 MiB, grown for objects past 10,000 parts). */
  readonly partBytes?: number;
  /** Parts of one object in flight at once (default 4). */
  readonly partConcurrency?: number;
  /** Create the bucket when it is missing (default true). */
  readonly createBucket?: boolean;
  /** Connections to the S3 server at once (default 512; the AWS SDK's own default is 50). */
  readonly maxSockets?: number;
}

export interface S3OpenReport {
  /** True when opening created the bucket. */
  readonly bucketCreated: boolean;
  /** Multipart uploads older than a day, left by crashed writers, aborted at open. */
  readonly abandonedUploadsAborted: number;
}

function statusOf(err: unknown): number | undefined {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

function isNotFound(err: unknown): boolean {
  const name = (err as { name?: string }).name;
  return name === 'NotFound' || name === 'NoSuchKey' || statusOf(err) === 404;
}

/** The S3 client with the settings every S3-compatible server accepts. */
export function createS3Client(options: S3BlobStoreOptions): S3Client {
  return new S3Client({
    region: options.region,
    forcePathStyle: options.forcePathStyle,
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined ? { credentials: options.credentials } : {}),
    // A download holds its connection until the client has read the body, so slow downloaders
    // could take all of the SDK's 50 and stall every other request (uploads, HEADs) behind them.
    requestHandler: {
      httpAgent: { keepAlive: true, maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS },
      httpsAgent: { keepAlive: true, maxSockets: options.maxSockets ?? DEFAULT_MAX_SOCKETS },
    },
    // The SDK's default sends stream bodies `aws-chunked` with a CRC32 trailer, which
    // Ceph RGW 16 (and other servers) refuse with 411; integrity comes from Content-MD5.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

export class S3BlobStore implements BlobStore, BlobCollection, BlobPartStaging {
  readonly bucket: string;
  private readonly root: string;
  private readonly quarantineRoot: string;
  private readonly partBytes: number;
  private readonly partConcurrency: number;

  /** What opening did: the server reports a created bucket. */
  openReport: S3OpenReport = { bucketCreated: false, abandonedUploadsAborted: 0 };

  private constructor(
    readonly client: S3Client,
    options: S3BlobStoreOptions,
  ) {
    this.bucket = options.bucket;
    this.root = `${options.prefix === '' ? '' : `${options.prefix}/`}blobs/`;
    this.quarantineRoot = `${options.prefix === '' ? '' : `${options.prefix}/`}gc/`;
    this.partBytes = options.partBytes ?? 16 * 1024 * 1024;
    this.partConcurrency = options.partConcurrency ?? 4;
  }

  /**
   * Connect, create the bucket when missing (unless told not to), and abort multipart
   * uploads abandoned by crashed writers. Fails with the S3 server's reason when the
   * bucket cannot be reached.
   */
  static async open(options: S3BlobStoreOptions): Promise<S3BlobStore> {
    const client = createS3Client(options);
    try {
      const bucketCreated = await ensureBucket(client, options);
      const store = new S3BlobStore(client, options);
      const aborted = await store.abortAbandonedUploads(Date.now() - ABANDONED_UPLOAD_MS);
      store.openReport = { bucketCreated, abandonedUploadsAborted: aborted };
      return store;
    } catch (err) {
      client.destroy();
      throw err;
    }
  }

  /** Release the client's sockets. */
  async close(): Promise<void> {
    this.client.destroy();
  }

  objectKey(key: BlobKey): string {
    assertBlobKey(key);
    return `${this.root}${blobObjectName(key)}`;
  }

  async has(key: BlobKey): Promise<boolean> {
    return (await this.stat(key)) !== undefined;
  }

  async stat(key: BlobKey): Promise<BlobStat | undefined> {
    const objectKey = this.objectKey(key);
    try {
      const head = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: objectKey }));
      return {
        sha256: key.sha256,
        size: head.ContentLength ?? key.size,
        storedAtMs: head.LastModified?.getTime() ?? 0,
      };
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async put(key: BlobKey, source: Readable | AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    const objectKey = this.objectKey(key);
    await uploadVerified(this.target(objectKey), key, asBuffers(source));
  }

  async putFile(key: BlobKey, filePath: string, digest?: BlobKey): Promise<void> {
    const objectKey = this.objectKey(key);
    // The caller's digest already says the file is wrong: refuse before sending a byte.
    if (digest !== undefined && (digest.sha256 !== key.sha256 || digest.size !== key.size)) {
      throw new BlobHashMismatchError(key, digest);
    }
    // Hashed again while it is read for sending: the bytes that reach S3 are the ones verified.
    await uploadVerified(
      this.target(objectKey),
      key,
      asBuffers(createReadStream(filePath, { highWaterMark: 1 << 20 })),
    );
    await rm(filePath, { force: true });
  }

  async get(key: BlobKey, range?: BlobRange): Promise<Readable> {
    const objectKey = this.objectKey(key);
    const { start, endInclusive } = resolveRange(key.size, range);
    if (endInclusive < start) {
      // S3 cannot express an empty range (it answers 416): say only whether the object exists.
      if (!(await this.has(key))) throw new BlobNotFoundError(key);
      return Readable.from([]);
    }
    const whole = start === 0 && endInclusive === key.size - 1;
    try {
      const got = await this.client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: objectKey,
          ...(whole ? {} : { Range: `bytes=${start}-${endInclusive}` }),
        }),
      );
      if (got.Body === undefined) throw new Error(`S3 answered GetObject ${objectKey} without a body`);
      // In Node the body is the response's IncomingMessage: streamed, never buffered here.
      return got.Body as Readable;
    } catch (err) {
      if (isNotFound(err)) throw new BlobNotFoundError(key);
      throw err;
    }
  }

  async delete(key: BlobKey): Promise<boolean> {
    const objectKey = this.objectKey(key);
    // DeleteObject answers 204 whether or not the object was there.
    if (!(await this.has(key))) return false;
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: objectKey }));
    return true;
  }

  // Resumable uploads staged as parts (BlobPartStaging): a multipart upload to the blob's own key,
  // invisible until completed, which the farm does only after hashing every byte of its parts.

  stagedPartBytes(size: number): number {
    return partSizeFor(size, this.partBytes);
  }

  async beginStaged(key: BlobKey): Promise<string> {
    const created = await this.client.send(
      new CreateMultipartUploadCommand({
        Bucket: this.bucket,
        Key: this.objectKey(key),
        ContentType: 'application/octet-stream',
      }),
    );
    if (created.UploadId === undefined)
      throw new Error('S3 answered CreateMultipartUpload without an UploadId');
    return created.UploadId;
  }

  async putStagedPart(key: BlobKey, handle: string, partNumber: number, bytes: Uint8Array): Promise<string> {
    const body = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    try {
      const r = await this.client.send(
        new UploadPartCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          UploadId: handle,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
          ContentMD5: md5Base64(body),
        }),
      );
      if (r.ETag === undefined) throw new Error('S3 answered UploadPart without an ETag');
      return r.ETag;
    } catch (err) {
      // A server may refuse the part (NoSuchUpload) and close the connection while the body is
      // still being sent, so the client sees EPIPE or a reset instead: ask whether it still exists.
      if ((err as { name?: string }).name === 'NoSuchUpload' || !(await this.stagedExists(key, handle)))
        throw new BlobStagingLostError(`staged upload of ${this.objectKey(key)} is gone`, { cause: err });
      throw err;
    }
  }

  /** Whether the multipart upload still exists; true when that cannot be told (the original error stands). */
  private async stagedExists(key: BlobKey, handle: string): Promise<boolean> {
    try {
      await this.client.send(
        new ListPartsCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          UploadId: handle,
          MaxParts: 1,
        }),
      );
      return true;
    } catch (err) {
      return (err as { name?: string }).name !== 'NoSuchUpload';
    }
  }

  async completeStaged(key: BlobKey, handle: string, parts: readonly StagedPart[]): Promise<void> {
    try {
      await this.client.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.bucket,
          Key: this.objectKey(key),
          UploadId: handle,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.tag })) },
        }),
      );
    } catch (err) {
      const name = (err as { name?: string }).name;
      // The staging was swept, or a part now holds other bytes than the one the farm hashed.
      if (
        name === 'NoSuchUpload' ||
        name === 'InvalidPart' ||
        name === 'InvalidPartOrder' ||
        name === 'EntityTooSmall'
      )
        throw new BlobStagingLostError(`staged upload of ${this.objectKey(key)}: ${name}`, { cause: err });
      throw err;
    }
  }

  async abortStaged(key: BlobKey, handle: string): Promise<void> {
    try {
      await this.client.send(
        new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: this.objectKey(key), UploadId: handle }),
      );
    } catch (err) {
      if ((err as { name?: string }).name === 'NoSuchUpload' || isNotFound(err)) return;
      throw err;
    }
  }

  // The garbage collector's side (BlobCollection): a hidden object is a copy under `<prefix>/gc/`, its
  // LastModified the time it was hidden; the visible one is deleted once the copy exists.

  async *list(): AsyncGenerator<BlobStat> {
    for await (const o of this.listUnder(this.root)) yield { ...o.key, storedAtMs: o.lastModifiedMs };
  }

  async *listQuarantined(): AsyncGenerator<QuarantinedBlob> {
    for await (const o of this.listUnder(this.quarantineRoot))
      yield { ...o.key, quarantinedAtMs: o.lastModifiedMs };
  }

  async quarantine(key: BlobKey, storedBeforeMs: number): Promise<boolean> {
    const s = await this.stat(key);
    if (s === undefined || s.storedAtMs >= storedBeforeMs) return false;
    const name = blobObjectName(key);
    await this.client.send(
      new CopyObjectCommand({
        Bucket: this.bucket,
        Key: `${this.quarantineRoot}${name}`,
        CopySource: `${this.bucket}/${this.root}${name}`,
      }),
    );
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.objectKey(key) }));
    return true;
  }

  async restore(key: BlobKey): Promise<void> {
    assertBlobKey(key);
    const name = blobObjectName(key);
    if (!(await this.has(key))) {
      try {
        await this.client.send(
          new CopyObjectCommand({
            Bucket: this.bucket,
            Key: this.objectKey(key),
            CopySource: `${this.bucket}/${this.quarantineRoot}${name}`,
          }),
        );
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
    }
    await this.purge(key);
  }

  async purge(key: BlobKey): Promise<void> {
    assertBlobKey(key);
    await this.client.send(
      new DeleteObjectCommand({
        Bucket: this.bucket,
        Key: `${this.quarantineRoot}${blobObjectName(key)}`,
      }),
    );
  }

  private async *listUnder(prefix: string): AsyncGenerator<{ key: BlobKey; lastModifiedMs: number }> {
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({
          Bucket: this.bucket,
          Prefix: prefix,
          ...(token !== undefined ? { ContinuationToken: token } : {}),
        }),
      );
      for (const o of page.Contents ?? []) {
        const key = parseBlobObjectName((o.Key ?? '').slice(prefix.length));
        if (key === undefined) continue;
        yield { key, lastModifiedMs: o.LastModified?.getTime() ?? 0 };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  /** Abort multipart uploads under this store's prefix begun before `beforeMs`; returns how many. */
  async abortAbandonedUploads(beforeMs: number): Promise<number> {
    let aborted = 0;
    let keyMarker: string | undefined;
    let uploadIdMarker: string | undefined;
    for (;;) {
      const page = await this.client.send(
        new ListMultipartUploadsCommand({
          Bucket: this.bucket,
          Prefix: this.root,
          ...(keyMarker !== undefined ? { KeyMarker: keyMarker } : {}),
          ...(uploadIdMarker !== undefined ? { UploadIdMarker: uploadIdMarker } : {}),
        }),
      );
      for (const u of page.Uploads ?? []) {
        if (u.Key === undefined || u.UploadId === undefined) continue;
        if ((u.Initiated?.getTime() ?? 0) >= beforeMs) continue;
        await this.client.send(
          new AbortMultipartUploadCommand({ Bucket: this.bucket, Key: u.Key, UploadId: u.UploadId }),
        );
        aborted++;
      }
      if (page.IsTruncated !== true) return aborted;
      keyMarker = page.NextKeyMarker;
      uploadIdMarker = page.NextUploadIdMarker;
    }
  }

  private target(objectKey: string) {
    return {
      client: this.client,
      bucket: this.bucket,
      objectKey,
      partBytes: this.partBytes,
      partConcurrency: this.partConcurrency,
    };
  }
}

/** Create the bucket when it is missing; true when it was created here. */
async function ensureBucket(client: S3Client, options: S3BlobStoreOptions): Promise<boolean> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: options.bucket }));
    return false;
  } catch (err) {
    if (!isNotFound(err)) throw describeAccessError(err, options);
  }
  if (options.createBucket === false) {
    throw new Error(
      `bucket ${options.bucket} at ${options.endpoint ?? `AWS S3 (${options.region})`} does not exist ` +
        '(openfarm server creates it at start; this open was told not to)',
    );
  }
  try {
    await client.send(
      new CreateBucketCommand({
        Bucket: options.bucket,
        // us-east-1 is the one region that must not be named; other servers take their own.
        ...(options.region !== 'us-east-1'
          ? { CreateBucketConfiguration: { LocationConstraint: options.region as never } }
          : {}),
      }),
    );
    return true;
  } catch (err) {
    // Another server of the farm created it in the meantime.
    if ((err as { name?: string }).name === 'BucketAlreadyOwnedByYou') return false;
    throw describeAccessError(err, options);
  }
}

function describeAccessError(err: unknown, options: S3BlobStoreOptions): Error {
  const status = statusOf(err);
  const where = options.endpoint ?? `AWS S3 (${options.region})`;
  const name = (err as { name?: string }).name ?? 'Error';
  const message = (err as Error).message;
  if (status === 403) {
    return new Error(
      `bucket ${options.bucket} at ${where}: access denied (${name}); check AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY`,
      { cause: err },
    );
  }
  return new Error(`bucket ${options.bucket} at ${where}: ${name}${message ? `: ${message}` : ''}`, {
    cause: err,
  });
}

/** The pieces of a body as Buffers (a source may yield plain bytes, strings, or be one buffer). */
async function* asBuffers(
  source: Readable | AsyncIterable<Uint8Array | string> | Uint8Array,
): AsyncGenerator<Buffer> {
  if (source instanceof Uint8Array) {
    yield Buffer.from(source.buffer, source.byteOffset, source.byteLength);
    return;
  }
  for await (const piece of source as AsyncIterable<Uint8Array | string>) {
    if (Buffer.isBuffer(piece)) yield piece;
    else if (typeof piece === 'string') yield Buffer.from(piece);
    else yield Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
  }
}
