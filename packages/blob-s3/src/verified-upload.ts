/**
 * Writing one object so that it becomes visible only when its bytes hash to its key.
 *
 * S3 has no rename, so the local store's "write to tmp, verify, rename" becomes:
 * - up to one part's size: the bytes are gathered in memory, hashed, and sent with
 *   one PutObject only when they match the key;
 * - larger: a multipart upload to the final key. Parts are sent while the stream is
 *   read and hashed; CompleteMultipartUpload — the moment the object appears — is
 *   sent only after the last byte was hashed and found equal to the key. A mismatch,
 *   a failed source or a failed part aborts the upload, so nothing becomes visible
 *   (parts of an upload a crash left behind are removed by the store's sweep).
 *
 * Every request carries Content-MD5 of its body, so the S3 server refuses bytes
 * damaged on the way (the client's own checksums are off: RGW refuses their
 * `aws-chunked` encoding).
 */
import { createHash } from 'node:crypto';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  type CompletedPart,
  CreateMultipartUploadCommand,
  PutObjectCommand,
  type S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { BlobHashMismatchError, type BlobKey } from '@openfarm/protocol';

/** S3's smallest part (except the last) and largest part count. */
export const MIN_PART_BYTES = 5 * 1024 * 1024;
export const MAX_PARTS = 10_000;

export interface UploadTarget {
  readonly client: S3Client;
  readonly bucket: string;
  readonly objectKey: string;
  /** Part size for objects of ordinary size; larger objects get larger parts (at most 10,000 of them). */
  readonly partBytes: number;
  /** Parts in flight at once for one object. */
  readonly partConcurrency: number;
}

/** The part size for an object of `size` bytes: the configured one, grown so 10,000 parts hold it. */
export function partSizeFor(size: number, partBytes: number): number {
  const needed = Math.ceil(size / MAX_PARTS);
  const mib = 1024 * 1024;
  return Math.max(MIN_PART_BYTES, partBytes, Math.ceil(needed / mib) * mib);
}

/** Content-MD5 of a request body. */
export function md5Base64(body: Buffer): string {
  return createHash('md5').update(body).digest('base64');
}

/** Store `pieces` under the target's key when they hash to `key`; else throw BlobHashMismatchError. */
export async function uploadVerified(
  target: UploadTarget,
  key: BlobKey,
  pieces: AsyncIterable<Buffer>,
): Promise<void> {
  const partSize = partSizeFor(key.size, target.partBytes);
  const hash = createHash('sha256');
  let total = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let multipart: MultipartUpload | undefined;

  try {
    for await (const piece of pieces) {
      hash.update(piece);
      total += piece.length;
      // Past the key's size the content cannot match: keep hashing (the error names what
      // was sent) but neither keep nor send another byte.
      if (total > key.size) continue;
      pending.push(piece);
      pendingBytes += piece.length;
      while (pendingBytes >= partSize) {
        const all = Buffer.concat(pending, pendingBytes);
        const part = all.subarray(0, partSize);
        pending = pendingBytes > partSize ? [all.subarray(partSize)] : [];
        pendingBytes -= partSize;
        multipart ??= await MultipartUpload.create(target);
        await multipart.send(part);
      }
    }
    const actual = { sha256: hash.digest('hex'), size: total };
    if (actual.size !== key.size || actual.sha256 !== key.sha256)
      throw new BlobHashMismatchError(key, actual);
    const rest = Buffer.concat(pending, pendingBytes);
    if (multipart === undefined) {
      await target.client.send(
        new PutObjectCommand({
          Bucket: target.bucket,
          Key: target.objectKey,
          Body: rest,
          ContentLength: rest.length,
          ContentMD5: md5Base64(rest),
          ContentType: 'application/octet-stream',
        }),
      );
      return;
    }
    if (rest.length > 0) await multipart.send(rest);
    await multipart.complete();
  } catch (err) {
    await multipart?.abort();
    throw err;
  }
}

/** One multipart upload: parts sent with bounded concurrency, completed or aborted once. */
class MultipartUpload {
  private readonly parts: CompletedPart[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  private nextPart = 1;

  private constructor(
    private readonly target: UploadTarget,
    private readonly uploadId: string,
  ) {}

  static async create(target: UploadTarget): Promise<MultipartUpload> {
    const created = await target.client.send(
      new CreateMultipartUploadCommand({
        Bucket: target.bucket,
        Key: target.objectKey,
        ContentType: 'application/octet-stream',
      }),
    );
    if (created.UploadId === undefined)
      throw new Error('S3 answered CreateMultipartUpload without an UploadId');
    return new MultipartUpload(target, created.UploadId);
  }

  /** Start sending a part; waits only when the concurrency limit is reached. */
  async send(body: Buffer): Promise<void> {
    this.throwIfFailed();
    while (this.inFlight.size >= this.target.partConcurrency) {
      await Promise.race(this.inFlight);
      this.throwIfFailed();
    }
    const partNumber = this.nextPart++;
    const p = this.target.client
      .send(
        new UploadPartCommand({
          Bucket: this.target.bucket,
          Key: this.target.objectKey,
          UploadId: this.uploadId,
          PartNumber: partNumber,
          Body: body,
          ContentLength: body.length,
          ContentMD5: md5Base64(body),
        }),
      )
      .then(
        (r) => {
          this.parts.push({ PartNumber: partNumber, ETag: r.ETag });
        },
        (err: unknown) => {
          this.failure ??= err;
        },
      )
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private throwIfFailed(): void {
    if (this.failure !== undefined) throw this.failure;
  }

  private async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  async complete(): Promise<void> {
    await this.settle();
    this.throwIfFailed();
    this.parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    await this.target.client.send(
      new CompleteMultipartUploadCommand({
        Bucket: this.target.bucket,
        Key: this.target.objectKey,
        UploadId: this.uploadId,
        MultipartUpload: { Parts: this.parts },
      }),
    );
  }

  /** Best effort: a part still in flight is waited for, then the upload and its parts are dropped. */
  async abort(): Promise<void> {
    await this.settle();
    await this.target.client
      .send(
        new AbortMultipartUploadCommand({
          Bucket: this.target.bucket,
          Key: this.target.objectKey,
          UploadId: this.uploadId,
        }),
      )
      .catch(() => {
        // Left to the store's sweep of abandoned uploads.
      });
  }
}
