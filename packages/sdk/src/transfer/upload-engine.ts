/**
 * The upload engine: local files → one storage of the farm.
 *
 * 1. stat every file (folders expand to their files);
 * 2. reuse the hash of files the local transfer database knows unchanged
 *    (same size and mtime), skipping entirely those already uploaded to the
 *    same place; hash the rest (streaming SHA-256);
 * 3. ask the farm, once per wave (≤ 5000 files, ≤ 256 MB), which blobs it
 *    lacks; send only those — small files many to a request, large ones in
 *    resumable chunks — through one token bucket, while the next wave is
 *    being hashed;
 * 4. write the manifest entries in batches, then the local records.
 * Per-file failures are collected in the report; nothing is swallowed.
 */
import { createReadStream, readdirSync, type Stats, statSync } from 'node:fs';
import { ByteSlabs } from './byte-slabs.js';
import { hashFile } from './hash-file.js';
import type { TransferDb, TransferRecord } from './local-db/transfer-db.js';
import { hostPaths, type LocalPaths } from './local-paths.js';
import { limiter, runPool } from './run-pool.js';
import { type TokenBucket, throttle } from './token-bucket.js';
import type { BlobKey, Body, ManifestEntry, TransferClient } from './transfer-client.js';
import type { StorageName } from './transfer-paths.js';
import {
  isRetryable,
  type ProgressListener,
  reasonOf,
  type TransferFailure,
  type UploadReport,
} from './transfer-report.js';

export interface UploadItem {
  localPath: string;
  /** Absolute server path. */
  serverPath: string;
}

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

interface FileState extends UploadItem {
  size: number;
  mtimeMs: number;
  sha256?: string;
  /** A small file's bytes, read once for hashing and kept until they are sent. */
  bytes?: Buffer | undefined;
  /** Unchanged and already uploaded to the same place. */
  unchanged?: boolean;
  /** Bytes of its blob not yet on the wire, while it is scheduled to be sent. */
  unsent?: number;
}

const HASH_CONCURRENCY = 4;
/** Files up to this size are sent in batches … */
const DEFAULT_BATCH_FILE_BYTES = 1024 * 1024;
/** … of at most this many files and bytes per request. */
const BATCH_MAX_FILES = 256;
const BATCH_MAX_BYTES = 8 * 1024 * 1024;
/**
 * Hashing and sending overlap in waves of at most this much. The next wave is
 * hashed once the small files' bytes kept from earlier waves (read for hashing,
 * not yet sent) are down to one wave's worth, which bounds them to twice the
 * wave size …
 */
const WAVE_MAX_FILES = 5000;
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
 * A file `name` found in the folder `parent` names: joined with the local
 * path's rules (backslashes under a Windows drive or share), and with `/` on
 * the server side whatever the workstation.
 */
export function childItem(parent: UploadItem, name: string, paths: LocalPaths = hostPaths): UploadItem {
  return {
    localPath: paths.join(parent.localPath, name),
    serverPath: `${parent.serverPath.replace(/\/+$/, '')}/${name}`,
  };
}

/**
 * Stat every file, folders expanded. Synchronous on purpose: on trees of
 * thousands of small files the promise machinery of fs/promises costs three
 * times the stat calls themselves (10,000 files: ~80 ms blocking vs ~270 ms).
 */
function expand(items: readonly UploadItem[], failures: TransferFailure[], paths: LocalPaths): FileState[] {
  const out: FileState[] = [];
  const walk = (localPath: string, serverPath: string): void => {
    let s: Stats;
    try {
      s = statSync(localPath);
    } catch (e) {
      failures.push({ localPath, serverPath, reason: `cannot read: ${reasonOf(e)}` });
      return;
    }
    if (s.isDirectory()) {
      let names: string[];
      try {
        names = readdirSync(localPath).sort();
      } catch (e) {
        failures.push({ localPath, serverPath, reason: `cannot list: ${reasonOf(e)}` });
        return;
      }
      for (const name of names) {
        const child = childItem({ localPath, serverPath }, name, paths);
        walk(child.localPath, child.serverPath);
      }
    } else if (s.isFile()) {
      out.push({ localPath, serverPath, size: s.size, mtimeMs: s.mtimeMs });
    } else {
      failures.push({ localPath, serverPath, reason: 'not a regular file' });
    }
  };
  for (const i of items) walk(i.localPath, i.serverPath);
  // Two files for one server path: the farm could keep only one of them, so neither is guessed.
  const byServer = new Map<string, FileState>();
  for (const f of out) {
    const other = byServer.get(f.serverPath);
    if (other === undefined) byServer.set(f.serverPath, f);
    else if (other.localPath !== f.localPath) {
      failures.push({
        localPath: f.localPath,
        serverPath: f.serverPath,
        reason: `same server path as ${other.localPath}`,
      });
    }
  }
  return [...byServer.values()];
}

/**
 * Why a file's blob failed, saying so when the file was written to since it was scanned: the
 * farm's refusal of bytes that no longer match the hash would otherwise read like corruption.
 */
function failureReason(f: FileState, error: unknown): string {
  const reason = reasonOf(error);
  let now: Stats | undefined;
  try {
    now = statSync(f.localPath);
  } catch {
    return `the file went away while it was uploaded (${reason})`;
  }
  return now.size !== f.size || now.mtimeMs !== f.mtimeMs
    ? `the file changed while it was uploaded; upload it again (${reason})`
    : reason;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Split work so hashing the next part overlaps sending this one. */
function waves(files: readonly FileState[], maxBytes: number): FileState[][] {
  const out: FileState[][] = [];
  let wave: FileState[] = [];
  let bytes = 0;
  for (const f of files) {
    if (wave.length > 0 && (wave.length >= WAVE_MAX_FILES || bytes + f.size > maxBytes)) {
      out.push(wave);
      wave = [];
      bytes = 0;
    }
    wave.push(f);
    bytes += f.size;
  }
  if (wave.length > 0) out.push(wave);
  return out;
}

type Sender = { key: BlobKey; localPath: string; file: FileState };

/** Small blobs travel many to a request; large ones alone, in resumable chunks. */
function units(senders: readonly Sender[], batchFileBytes: number): Sender[][] {
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

const blobId = (k: BlobKey): string => `${k.sha256}:${k.size}`;

export async function uploadFiles(
  client: TransferClient,
  storage: StorageName,
  items: readonly UploadItem[],
  options: UploadEngineOptions = {},
): Promise<UploadReport> {
  const failures: TransferFailure[] = [];
  const chunkBytes = options.chunkBytes ?? 16 * 1024 * 1024;
  const attempts = options.attempts ?? 6;
  const batchFileBytes = options.batchFileBytes ?? DEFAULT_BATCH_FILE_BYTES;
  const emit = options.onProgress ?? (() => {});

  const files = expand(items, failures, options.paths ?? hostPaths);
  /** Paths that could not be read at all: files too, for the count. */
  const unreadable = failures.length;
  emit({ phase: 'scan', filesDone: files.length, filesTotal: files.length, bytesDone: 0, bytesTotal: 0 });

  // Local database: reuse hashes of unchanged files.
  const known =
    options.db !== undefined
      ? await options.db.getMany(files.map((f) => f.localPath))
      : new Map<string, TransferRecord>();
  for (const f of files) {
    const r = known.get(f.localPath);
    if (r !== undefined && r.size === f.size && r.mtimeMs === f.mtimeMs) {
      f.sha256 = r.sha256;
      f.unchanged = r.storage === storage && r.serverPath === f.serverPath;
    }
  }
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
  const hashTotal = pending.filter((f) => f.sha256 === undefined).reduce((a, f) => a + f.size, 0);
  let hashedFiles = 0;
  let hashedBytes = 0;
  const hashFailed = new Set<FileState>();
  /** Small files' bytes in hand: read for hashing, not yet sent. */
  let keptBytes = 0;
  /** Bytes of the blobs scheduled to be sent that are not yet on the wire. */
  let unsentBytes = 0;
  /** Checks the condition the wave loop waits for, after each change of the two counts above. */
  let recheck: (() => void) | undefined;
  const until = (ready: () => boolean): Promise<void> =>
    ready()
      ? Promise.resolve()
      : new Promise((resolve) => {
          recheck = () => {
            if (!ready()) return;
            recheck = undefined;
            resolve();
          };
        });
  /** Where small files' bytes are kept between hashing and sending. */
  const slabs = new ByteSlabs();
  const dropBytes = (f: FileState): void => {
    if (f.bytes === undefined) return;
    keptBytes -= f.bytes.length;
    slabs.give(f.bytes);
    f.bytes = undefined;
    recheck?.();
  };
  const hashWave = (wave: readonly FileState[]): Promise<void> =>
    runPool(
      wave.filter((f) => f.sha256 === undefined),
      HASH_CONCURRENCY,
      async (f) => {
        try {
          const d = await hashFile(f.localPath, f.size, f.size <= batchFileBytes ? slabs : undefined);
          if (d.size !== f.size) {
            if (d.bytes !== undefined) slabs.give(d.bytes);
            throw new Error('the file changed while it was read');
          }
          f.sha256 = d.sha256;
          f.bytes = d.bytes;
          keptBytes += d.bytes?.length ?? 0;
        } catch (e) {
          hashFailed.add(f);
          failures.push({
            localPath: f.localPath,
            serverPath: f.serverPath,
            reason: `hashing failed: ${reasonOf(e)}`,
          });
        }
        hashedFiles++;
        hashedBytes += f.size;
        emit({
          phase: 'hash',
          filesDone: hashedFiles,
          filesTotal: pending.length,
          bytesDone: hashedBytes,
          bytesTotal: hashTotal,
          file: f.localPath,
        });
      },
    );

  // Sending: one sender per distinct blob over the whole upload; its outcome decides every file naming it.
  const scheduled = new Set<string>();
  const blobErrors = new Map<string, unknown>();
  const sentOrMissing = new Set<FileState>();
  let bytesTotal = 0;
  let bytesDone = 0;
  let sendersTotal = 0;
  let sendersDone = 0;
  const sendProgress = (path: string): void =>
    emit({
      phase: 'send',
      filesDone: sendersDone,
      filesTotal: sendersTotal,
      bytesDone,
      bytesTotal,
      file: path,
    });
  const sent = (file: FileState, bytes: number): void => {
    bytesDone += bytes;
    report.sentBytes += bytes;
    // A retry sends bytes again: only the first time they count as no longer unsent.
    const left = file.unsent ?? 0;
    const fresh = Math.min(bytes, left);
    file.unsent = left - fresh;
    unsentBytes -= fresh;
    recheck?.();
    sendProgress(file.localPath);
  };
  async function* counted(file: FileState, start: number, end: number): AsyncGenerator<Uint8Array> {
    if (end <= start) return;
    const path = file.localPath;
    // A stream's buffer is allocated whole: size it to the file for small ones.
    const highWaterMark = Math.min(1024 * 1024, Math.max(16 * 1024, end - start));
    const source: AsyncIterable<Uint8Array> | Uint8Array[] =
      file.bytes !== undefined && start === 0 && end === file.bytes.length
        ? [file.bytes]
        : createReadStream(path, { start, end: end - 1, highWaterMark });
    for await (const chunk of throttle(source, options.bucket)) {
      sent(file, chunk.length);
      yield chunk;
    }
  }
  /** The body of bytes `start`–`end` of a file: read straight into reused buffers unless throttled or in hand. */
  const bodyOf = (file: FileState, start: number, end: number): Body =>
    options.bucket === undefined && file.bytes === undefined && end > start
      ? { path: file.localPath, start, end, onSend: (n) => sent(file, n) }
      : () => counted(file, start, end);
  /** Retry `attempt` while it fails with something a retry can fix; the last error, or undefined. */
  const withRetries = async (attempt: () => Promise<void>): Promise<unknown> => {
    for (let n = 1; ; n++) {
      try {
        await attempt();
        return undefined;
      } catch (e) {
        if (!isRetryable(e) || n >= attempts) return e;
        await sleep(Math.min(8000, 250 * 2 ** n));
      }
    }
  };
  const sendOne = (s: Sender): Promise<unknown> =>
    withRetries(async () => {
      const { key, file } = s;
      if (key.size <= chunkBytes) {
        await client.putBlob(key, bodyOf(file, 0, key.size));
        return;
      }
      const state = await client.beginUpload(key);
      if (state.complete) return;
      let offset = state.offset;
      while (offset < key.size) {
        const start = offset;
        const end = Math.min(key.size, start + chunkBytes);
        offset = await client.putChunk(state.uploadId as string, start, bodyOf(file, start, end));
      }
      await client.completeUpload(state.uploadId as string);
    });
  const finish = (s: Sender, error: unknown): void => {
    // What a failed or resumed blob did not send is no longer waited for either.
    unsentBytes -= s.file.unsent ?? 0;
    s.file.unsent = 0;
    dropBytes(s.file);
    sendersDone++;
    if (error !== undefined) blobErrors.set(blobId(s.key), error);
    sendProgress(s.localPath);
  };
  const lane = limiter(options.concurrency ?? 8);
  const sendUnit = async (unit: readonly Sender[]): Promise<void> => {
    if (unit.length === 1) {
      finish(unit[0] as Sender, await sendOne(unit[0] as Sender));
      return;
    }
    const error = await withRetries(() =>
      client.putBatch(unit.map((s) => ({ key: s.key, body: () => counted(s.file, 0, s.key.size) }))),
    );
    if (error === undefined) {
      for (const s of unit) finish(s, undefined);
      return;
    }
    // One bad file (changed since it was hashed, over quota…) must not fail its neighbours: send them one by one.
    for (const s of unit) finish(s, await sendOne(s));
  };

  // Hash the next wave while earlier ones are on the wire (the sends of all waves share the lanes); one
  // "missing?" per wave. The wait bounds the bytes kept for sending and how far hashing runs ahead.
  const waveSends: Promise<unknown>[] = [];
  const waveBytes = options.waveBytes ?? WAVE_MAX_BYTES;
  for (const wave of waves(pending, waveBytes)) {
    await until(() => keptBytes <= waveBytes && unsentBytes <= HASHED_AHEAD_BYTES);
    await hashWave(wave);
    const ready = wave.filter((f) => !hashFailed.has(f));
    const keys = ready.map((f) => ({ sha256: f.sha256 as string, size: f.size }));
    const missing = new Set(ready.length > 0 ? await client.missing(keys) : []);
    const senders: Sender[] = [];
    ready.forEach((f, i) => {
      if (!missing.has(i)) {
        report.alreadyOnFarm++;
        dropBytes(f);
        return;
      }
      sentOrMissing.add(f);
      const key = keys[i] as BlobKey;
      if (scheduled.has(blobId(key))) {
        dropBytes(f);
        return;
      }
      scheduled.add(blobId(key));
      f.unsent = key.size;
      unsentBytes += key.size;
      senders.push({ key, localPath: f.localPath, file: f });
      bytesTotal += key.size;
      sendersTotal++;
    });
    const sends = units(senders, batchFileBytes).map((unit) => lane(() => sendUnit(unit)));
    // Awaited below; until then a failure must not count as unhandled.
    const all = Promise.all(sends);
    all.catch(() => {});
    waveSends.push(all);
  }
  await Promise.all(waveSends);

  const done: FileState[] = [];
  for (const f of pending) {
    if (hashFailed.has(f)) continue;
    const error = blobErrors.get(blobId({ sha256: f.sha256 as string, size: f.size }));
    if (error !== undefined) {
      failures.push({ localPath: f.localPath, serverPath: f.serverPath, reason: failureReason(f, error) });
      continue;
    }
    if (sentOrMissing.has(f)) report.sentFiles++;
    done.push(f);
  }
  const entries: ManifestEntry[] = done.map((f) => ({
    path: f.serverPath,
    sha256: f.sha256 as string,
    size: f.size,
    mtime: Math.floor(f.mtimeMs),
  }));
  emit({ phase: 'manifest', filesDone: 0, filesTotal: entries.length, bytesDone, bytesTotal });
  try {
    await client.writeManifest(storage, entries);
  } catch (e) {
    for (const f of done)
      failures.push({ localPath: f.localPath, serverPath: f.serverPath, reason: `manifest: ${reasonOf(e)}` });
    return report;
  }

  if (options.db !== undefined) {
    const records: TransferRecord[] = done.map((f) => ({
      localPath: f.localPath,
      size: f.size,
      mtimeMs: f.mtimeMs,
      sha256: f.sha256 as string,
      storage,
      serverPath: f.serverPath,
    }));
    if (options.temporary === true) await options.db.deleteMany(files.map((f) => f.localPath));
    else await options.db.putMany(records);
  }
  emit({ phase: 'done', filesDone: files.length, filesTotal: files.length, bytesDone, bytesTotal });
  return report;
}
