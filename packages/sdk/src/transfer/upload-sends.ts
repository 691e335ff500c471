/**
 * Sending the scheduled blobs: small ones many to a request, large ones
 * alone. The sends of every wave share one set of lanes, so at most
 * `concurrency` requests are in flight over the whole upload. A blob's
 * outcome (its last error, if any) is kept: it decides every file naming it.
 */
import { limiter } from './run-pool.js';
import type { TokenBucket } from './token-bucket.js';
import type { BlobKey, TransferClient } from './transfer-client.js';
import type { UploadReport } from './transfer-report.js';
import type { UploadBacklog } from './upload-backlog.js';
import { sendBlob } from './upload-blob.js';
import { UploadBodies } from './upload-body.js';
import { blobId, type Sender } from './upload-plan.js';
import type { UploadProgress } from './upload-progress.js';
import { withRetries } from './upload-retry.js';

/** A batch holds at most this many files and bytes: one request, one body to retry. */
const BATCH_MAX_FILES = 256;
const BATCH_MAX_BYTES = 8 * 1024 * 1024;

export interface BlobSendOptions {
  /** Blobs up to this size go in one request; larger ones in resumable chunks of this size. */
  chunkBytes: number;
  /** Blobs up to this size go many to a request (0: every blob alone). */
  batchFileBytes: number;
  /** Attempts per request before its blobs are reported failed. */
  attempts: number;
  /** Requests in flight at once. */
  concurrency: number;
  bucket: TokenBucket | undefined;
}

/** Small blobs travel many to a request; large ones alone, in resumable chunks. */
export function units(senders: readonly Sender[], batchFileBytes: number): Sender[][] {
  const out: Sender[][] = [];
  let batch: Sender[] = [];
  let batchBytes = 0;
  for (const s of senders) {
    if (s.key.size > batchFileBytes) {
      out.push([s]);
      continue;
    }
    if (batch.length >= BATCH_MAX_FILES || batchBytes + s.key.size > BATCH_MAX_BYTES) {
      out.push(batch);
      batch = [];
      batchBytes = 0;
    }
    batch.push(s);
    batchBytes += s.key.size;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}

export class BlobSends {
  private readonly errors = new Map<string, unknown>();
  private readonly lane: <T>(work: () => Promise<T>) => Promise<T>;
  private readonly bodies: UploadBodies;

  constructor(
    private readonly client: TransferClient,
    private readonly options: BlobSendOptions,
    private readonly backlog: UploadBacklog,
    private readonly progress: UploadProgress,
    report: UploadReport,
  ) {
    this.lane = limiter(options.concurrency);
    this.bodies = new UploadBodies(options.bucket, (file, bytes) => {
      report.sentBytes += bytes;
      backlog.sent(file, bytes);
      progress.sent(file.localPath, bytes);
    });
  }

  /**
   * Start sending a wave's blobs. The promise settles when all are done with; it is
   * awaited only after the last wave is hashed, so until then a failure must not count as
   * unhandled (blob failures do not reject it: they are kept for errorOf).
   */
  start(senders: readonly Sender[]): Promise<unknown> {
    const sends = units(senders, this.options.batchFileBytes).map((unit) =>
      this.lane(() => this.sendUnit(unit)),
    );
    const all = Promise.all(sends);
    all.catch(() => {});
    return all;
  }

  /** The last error of the blob, or undefined when it was sent (or never scheduled). */
  errorOf(key: BlobKey): unknown {
    return this.errors.get(blobId(key));
  }

  private async sendUnit(unit: readonly Sender[]): Promise<void> {
    if (unit.length === 1) {
      this.finish(unit[0] as Sender, await this.sendOne(unit[0] as Sender));
      return;
    }
    const error = await withRetries(this.options.attempts, () =>
      this.client.putBatch(
        unit.map((s) => ({ key: s.key, body: () => this.bodies.stream(s.file, 0, s.key.size) })),
      ),
    );
    if (error === undefined) {
      for (const s of unit) this.finish(s, undefined);
      return;
    }
    // One bad file (changed since it was hashed, over quota…) must not fail its neighbours: send them one by one.
    for (const s of unit) this.finish(s, await this.sendOne(s));
  }

  /** One blob alone, retried as a whole: a resumable one goes on from what the farm holds. */
  private sendOne(s: Sender): Promise<unknown> {
    return withRetries(this.options.attempts, () =>
      sendBlob(this.client, s.key, this.options.chunkBytes, (start, end) =>
        this.bodies.of(s.file, start, end),
      ),
    );
  }

  private finish(s: Sender, error: unknown): void {
    this.backlog.settle(s.file);
    if (error !== undefined) this.errors.set(blobId(s.key), error);
    this.progress.blobDone(s.localPath);
  }
}
