/**
 * The download engine: manifest entries → local files.
 *
 * A file already on disk with the entry's size and hash is skipped. Bytes go
 * to `<file>.openfarm-part` first; an interrupted download resumes from the
 * part's length with a Range request (If-Range on the hash, so a file that
 * changed on the farm is fetched whole). The finished part is hashed and
 * renamed into place only when it matches, so a wrong or half file never
 * takes the real name. A part whose name would pass the file systems' 255
 * limit is named after a hash of the file name instead (partPathOf).
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { hashFile } from './hash-file.js';
import { hostPaths, type LocalPaths } from './local-paths.js';
import { runPool } from './run-pool.js';
import { type TokenBucket, throttle } from './token-bucket.js';
import type { ManifestEntry, TransferClient } from './transfer-client.js';
import type { StorageName } from './transfer-paths.js';
import { type DownloadReport, isRetryable, type ProgressListener, reasonOf } from './transfer-report.js';

export interface DownloadItem {
  storage: StorageName;
  entry: ManifestEntry;
  localPath: string;
  /** Owner of the storage when it is not the caller's (a sub-account's output). */
  userId?: number;
}

/** Files this process verified: local path → hash, with the size and mtime it had then. */
export type VerifiedFiles = Map<string, { sha256: string; size: number; mtimeMs: number }>;

export interface DownloadEngineOptions {
  bucket?: TokenBucket | undefined;
  concurrency?: number;
  attempts?: number;
  onProgress?: ProgressListener;
  /** Shared between passes (autoDownload) so verified files are not hashed again. */
  verified?: VerifiedFiles;
  /** Called for each file downloaded and verified (not for files already identical). */
  onFile?: (item: DownloadItem) => void;
  /** Once aborted, files not yet started are left alone (the report says `stopped`); started ones finish. */
  signal?: AbortSignal | undefined;
  /**
   * A file whose last attempt failed with an error `accepts` takes (autoDownload:
   * the farm is unreachable) is not a failure: it goes to `deferred` for the
   * caller to fetch again later; its part file stays for the resume.
   */
  retryLater?: {
    accepts: (error: unknown) => boolean;
    deferred: Array<{ item: DownloadItem; error: unknown }>;
  };
  /** Local path rules (default this machine's). */
  paths?: LocalPaths;
}

export const PART_SUFFIX = '.openfarm-part';

/**
 * Longest file name, in UTF-8 bytes: NAME_MAX of ext4, APFS and others (255
 * bytes) and under NTFS's 255 UTF-16 units, since no character takes more
 * UTF-16 units than UTF-8 bytes. The farm accepts names of up to 255 characters.
 */
const NAME_MAX_BYTES = 255;

/**
 * The file a download writes before the hash check: `<file>.openfarm-part`
 * beside the file. A name too long for that (a farm file named with 242 or
 * more bytes) would fail with ENAMETOOLONG though the file itself fits, so its
 * part keeps as much of the name as fits plus 16 hex digits of the name's
 * SHA-256: the same name on every try (resume), a different one for each
 * long name sharing a prefix.
 */
export function partPathOf(localPath: string, paths: LocalPaths = hostPaths): string {
  const name = paths.basename(localPath);
  if (Buffer.byteLength(name) + PART_SUFFIX.length <= NAME_MAX_BYTES) return localPath + PART_SUFFIX;
  const tag = `~${createHash('sha256').update(name).digest('hex').slice(0, 16)}${PART_SUFFIX}`;
  let room = NAME_MAX_BYTES - tag.length;
  let kept = '';
  for (const ch of name) {
    room -= Buffer.byteLength(ch);
    if (room < 0) break;
    kept += ch;
  }
  return paths.join(paths.dirname(localPath), kept + tag);
}

async function sizeOf(path: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  try {
    const s = await stat(path);
    return s.isFile() ? { size: s.size, mtimeMs: s.mtimeMs } : undefined;
  } catch {
    return undefined;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function downloadFiles(
  client: TransferClient,
  items: readonly DownloadItem[],
  options: DownloadEngineOptions = {},
): Promise<DownloadReport> {
  const verified: VerifiedFiles = options.verified ?? new Map();
  const emit = options.onProgress ?? (() => {});
  const attempts = options.attempts ?? 5;
  const paths = options.paths ?? hostPaths;
  const report: DownloadReport = {
    files: items.length,
    identical: 0,
    downloadedFiles: 0,
    receivedBytes: 0,
    failures: [],
  };
  const bytesTotal = items.reduce((a, i) => a + i.entry.size, 0);
  let bytesDone = 0;
  let filesDone = 0;

  const isIdentical = async (item: DownloadItem): Promise<boolean> => {
    const s = await sizeOf(item.localPath);
    if (s === undefined || s.size !== item.entry.size) return false;
    const known = verified.get(item.localPath);
    if (known !== undefined && known.size === s.size && known.mtimeMs === s.mtimeMs)
      return known.sha256 === item.entry.sha256;
    const { sha256 } = await hashFile(item.localPath, s.size);
    verified.set(item.localPath, { sha256, size: s.size, mtimeMs: s.mtimeMs });
    return sha256 === item.entry.sha256;
  };

  const fetchOnce = async (item: DownloadItem): Promise<void> => {
    const { entry, localPath } = item;
    const part = partPathOf(localPath, paths);
    await mkdir(paths.dirname(localPath), { recursive: true });
    let have = (await sizeOf(part))?.size ?? 0;
    if (have > entry.size) {
      await rm(part, { force: true });
      have = 0;
    }
    if (have < entry.size || entry.size === 0) {
      const response = await client.openFile(
        item.storage,
        entry.path,
        { offset: have, sha256: entry.sha256 },
        item.userId,
      );
      // 200 means whole content (no range asked, or If-Range saw another version): start over.
      const append = response.status === 206;
      if (response.body === null) throw new Error('empty response');
      const body = Readable.fromWeb(response.body as WebReadableStream<Uint8Array>);
      async function* counted(src: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
        for await (const chunk of throttle(src, options.bucket)) {
          bytesDone += chunk.length;
          report.receivedBytes += chunk.length;
          emit({
            phase: 'download',
            filesDone,
            filesTotal: items.length,
            bytesDone,
            bytesTotal,
            file: localPath,
          });
          yield chunk;
        }
      }
      await pipeline(body, counted, createWriteStream(part, { flags: append ? 'a' : 'w' }));
    }
    const got = await hashFile(part, entry.size);
    if (got.sha256 !== entry.sha256 || got.size !== entry.size) {
      await rm(part, { force: true });
      throw new Error(`content does not match its hash (got ${got.sha256.slice(0, 12)}…/${got.size} bytes)`);
    }
    const mtime = new Date(entry.mtime);
    await utimes(part, mtime, mtime);
    await rename(part, localPath);
    const s = await stat(localPath);
    verified.set(localPath, { sha256: entry.sha256, size: s.size, mtimeMs: s.mtimeMs });
  };

  await runPool(items, options.concurrency ?? 8, async (item) => {
    if (options.signal?.aborted === true) {
      report.stopped = true;
      return;
    }
    let lastError: unknown;
    try {
      if (await isIdentical(item)) {
        report.identical++;
        bytesDone += item.entry.size;
        return;
      }
      for (let attempt = 1; attempt <= attempts; attempt++) {
        try {
          await fetchOnce(item);
          lastError = undefined;
          report.downloadedFiles++;
          options.onFile?.(item);
          break;
        } catch (e) {
          lastError = e;
          if (!isRetryable(e) || attempt === attempts) break;
          await sleep(Math.min(8000, 250 * 2 ** attempt));
        }
      }
    } catch (e) {
      lastError = e;
    } finally {
      filesDone++;
      if (lastError !== undefined && options.retryLater?.accepts(lastError) === true) {
        options.retryLater.deferred.push({ item, error: lastError });
      } else if (lastError !== undefined) {
        report.failures.push({
          localPath: item.localPath,
          serverPath: item.entry.path,
          reason: reasonOf(lastError),
        });
      }
      emit({
        phase: 'download',
        filesDone,
        filesTotal: items.length,
        bytesDone,
        bytesTotal,
        file: item.localPath,
      });
    }
  });
  return report;
}
