/**
 * The upload engine: local files → one storage of the farm.
 *
 * 1. stat every file (folders expand to their files) — upload-scan;
 * 2. reuse the hash of files the local transfer database knows unchanged
 *    (same size and mtime), skipping entirely those already uploaded to the
 *    same place — upload-plan; hash the rest (streaming SHA-256) —
 *    upload-hashing;
 * 3. ask the farm, once per wave (≤ 5000 files, ≤ 32 MiB by default), which blobs it
 *    lacks; send only those — small files many to a request, large ones in
 *    resumable chunks — through one token bucket, while the next wave is
 *    being hashed — upload-sends, with upload-backlog bounding how far
 *    hashing runs ahead;
 * 4. write the manifest entries in batches, then the local records.
 * Per-file failures are collected in the report; nothing is swallowed.
 */
import type { TransferDb, TransferRecord } from './local-db/transfer-db.js';
import { hostPaths, type LocalPaths } from './local-paths.js';
import type { TokenBucket } from './token-bucket.js';
import type { ManifestEntry, TransferClient } from './transfer-client.js';
import type { StorageName } from './transfer-paths.js';
import {
  type ProgressListener,
  reasonOf,
  type TransferFailure,
  type UploadReport,
} from './transfer-report.js';
import { UploadBacklog } from './upload-backlog.js';
import { hashWave } from './upload-hashing.js';
import { keyOf, recallKnownHashes, SendPlan, waves } from './upload-plan.js';
import { UploadProgress } from './upload-progress.js';
import { type FileState, failureReason, scanFiles, type UploadItem } from './upload-scan.js';
import { BlobSends } from './upload-sends.js';

export { childItem, type UploadItem } from './upload-scan.js';

export interface UploadEngineOptions {
  bucket?: TokenBucket | undefined;
  db?: TransferDb | undefined;
  /** Drop the local records once the upload is done (`[SQLITE] temporary`). */
  temporary?: boolean;
  /** Files sent at once (default 8). */
  concurrency?: number;
  /** Files up to this size go in one request; larger ones in resumable chunks of this size (default 16 MiB). */
  chunkBytes?: number;
  /** Files up to this size go many to a request (default 1 MiB; 0 sends every file alone). */
  batchFileBytes?: number;
  /** Hashing the next wave of files overlaps sending this one; a wave holds at most this many bytes (default 32 MiB). */
  waveBytes?: number;
  /** Attempts per file before it is reported failed (default 6). */
  attempts?: number;
  onProgress?: ProgressListener;
  /** Local path rules for folders' files (default this machine's). */
  paths?: LocalPaths;
}

/** Files up to this size are sent in batches (and keep their bytes from hashing to sending). */
const DEFAULT_BATCH_FILE_BYTES = 1024 * 1024;
/**
 * Hashing and sending overlap in waves of at most this much. The next wave is
 * hashed once the small files' bytes kept from earlier waves (read for hashing,
 * not yet sent) are down to one wave's worth, which bounds them to twice the
 * wave size …
 */
const WAVE_MAX_BYTES = 32 * 1024 * 1024;
/**
 * … and once at most this much of what was hashed is still to be sent, so a
 * file is usually still in the page cache when it is read again for sending.
 * Not "once the wave before last is sent": with large files that left the
 * wire idle while the next file was hashed (a 200 MB file took 0.5 s to hash
 * while the other one on the wire finished).
 */
const HASHED_AHEAD_BYTES = 256 * 1024 * 1024;

/**
 * Upload files and folders to one storage. A file that cannot be read, hashed, sent or entered in the
 * manifest is a failure in the report; the call itself rejects when the farm cannot be asked which
 * blobs it lacks or the local transfer database fails.
 */
export async function uploadFiles(
  client: TransferClient,
  storage: StorageName,
  items: readonly UploadItem[],
  options: UploadEngineOptions = {},
): Promise<UploadReport> {
  const failures: TransferFailure[] = [];
  const batchFileBytes = options.batchFileBytes ?? DEFAULT_BATCH_FILE_BYTES;
  const progress = new UploadProgress(options.onProgress ?? (() => {}));

  const files = scanFiles(items, failures, options.paths ?? hostPaths);
  /** Paths that could not be read at all: files too, for the count. */
  const unreadable = failures.length;
  progress.scanned(files.length);

  await recallKnownHashes(files, options.db, storage);
  const report: UploadReport = {
    storage,
    files: files.length + unreadable,
    unchanged: files.filter((f) => f.unchanged).length,
    alreadyOnFarm: 0,
    sentFiles: 0,
    sentBytes: 0,
    failures,
  };

  const pending = files.filter((f) => !f.unchanged);
  progress.toHash(
    pending.length,
    pending.filter((f) => f.sha256 === undefined).reduce((a, f) => a + f.size, 0),
  );
  const backlog = new UploadBacklog();
  const hashFailed = new Set<FileState>();
  const hashing = { batchFileBytes, backlog, progress, failures, hashFailed };
  const plan = new SendPlan(report, backlog, progress);
  const sends = new BlobSends(
    client,
    {
      chunkBytes: options.chunkBytes ?? 16 * 1024 * 1024,
      batchFileBytes,
      attempts: options.attempts ?? 6,
      concurrency: options.concurrency ?? 8,
      bucket: options.bucket,
    },
    backlog,
    progress,
    report,
  );

  // Hash the next wave while earlier ones are on the wire (the sends of all waves share the lanes); one
  // "missing?" per wave. The wait bounds the bytes kept for sending and how far hashing runs ahead.
  const waveSends: Promise<unknown>[] = [];
  const waveBytes = options.waveBytes ?? WAVE_MAX_BYTES;
  for (const wave of waves(pending, waveBytes)) {
    await backlog.until(() => backlog.keptBytes <= waveBytes && backlog.unsentBytes <= HASHED_AHEAD_BYTES);
    await hashWave(wave, hashing);
    const ready = wave.filter((f) => !hashFailed.has(f));
    const keys = ready.map(keyOf);
    const missing = new Set(ready.length > 0 ? await client.missing(keys) : []);
    waveSends.push(sends.start(plan.take(ready, keys, missing)));
  }
  await Promise.all(waveSends);

  const done = filesDone(pending, hashFailed, sends, plan, report);
  if (!(await writeManifest(client, storage, done, progress, failures))) return report;
  if (options.db !== undefined)
    await recordLocally(options.db, options.temporary === true, storage, files, done);
  progress.done(files.length);
  return report;
}

/**
 * The files whose blob is on the farm, whoever sent it; one failed blob fails every file naming it,
 * each with its own reason (it may have changed since it was scanned).
 */
function filesDone(
  pending: readonly FileState[],
  hashFailed: ReadonlySet<FileState>,
  sends: BlobSends,
  plan: SendPlan,
  report: UploadReport,
): FileState[] {
  const done: FileState[] = [];
  for (const f of pending) {
    if (hashFailed.has(f)) continue;
    const error = sends.errorOf(keyOf(f));
    if (error !== undefined) {
      report.failures.push({
        localPath: f.localPath,
        serverPath: f.serverPath,
        reason: failureReason(f, error),
      });
      continue;
    }
    if (plan.wasMissing(f)) report.sentFiles++;
    done.push(f);
  }
  return done;
}

/** The manifest entries of the files done, in one call (the client batches them); false when it failed, every file then failed. */
async function writeManifest(
  client: TransferClient,
  storage: StorageName,
  done: readonly FileState[],
  progress: UploadProgress,
  failures: TransferFailure[],
): Promise<boolean> {
  const entries: ManifestEntry[] = done.map((f) => ({
    path: f.serverPath,
    sha256: f.sha256 as string,
    size: f.size,
    mtime: Math.floor(f.mtimeMs),
  }));
  progress.manifest(entries.length);
  try {
    await client.writeManifest(storage, entries);
    return true;
  } catch (e) {
    for (const f of done)
      failures.push({ localPath: f.localPath, serverPath: f.serverPath, reason: `manifest: ${reasonOf(e)}` });
    return false;
  }
}

/**
 * What the next upload may skip: the files done, recorded with the size and mtime they had when scanned;
 * or, for a temporary database, every file's record dropped.
 */
async function recordLocally(
  db: TransferDb,
  temporary: boolean,
  storage: StorageName,
  files: readonly FileState[],
  done: readonly FileState[],
): Promise<void> {
  if (temporary) {
    await db.deleteMany(files.map((f) => f.localPath));
    return;
  }
  const records: TransferRecord[] = done.map((f) => ({
    localPath: f.localPath,
    size: f.size,
    mtimeMs: f.mtimeMs,
    sha256: f.sha256 as string,
    storage,
    serverPath: f.serverPath,
  }));
  await db.putMany(records);
}
