/**
 * Hashing one wave of files whose hash the local transfer database did not
 * know. A small file (one that will travel in a batch) is read whole into the
 * backlog's slabs, so it is read from disk once for hashing and sending.
 */
import { hashFile } from './hash-file.js';
import { runPool } from './run-pool.js';
import { reasonOf, type TransferFailure } from './transfer-report.js';
import type { UploadBacklog } from './upload-backlog.js';
import type { UploadProgress } from './upload-progress.js';
import type { FileState } from './upload-scan.js';

/** Files hashed at once. */
const HASH_CONCURRENCY = 4;

export interface WaveHashing {
  /** Files up to this size keep their bytes for sending. */
  batchFileBytes: number;
  backlog: UploadBacklog;
  progress: UploadProgress;
  failures: TransferFailure[];
  /** Files that could not be hashed (each also in `failures`): not asked about, not sent. */
  hashFailed: Set<FileState>;
}

export function hashWave(wave: readonly FileState[], h: WaveHashing): Promise<void> {
  return runPool(
    wave.filter((f) => f.sha256 === undefined),
    HASH_CONCURRENCY,
    async (f) => {
      try {
        const keepIn = f.size <= h.batchFileBytes ? h.backlog.slabs : undefined;
        const d = await hashFile(f.localPath, f.size, keepIn);
        if (d.size !== f.size) {
          if (d.bytes !== undefined) h.backlog.slabs.give(d.bytes);
          throw new Error('the file changed while it was read');
        }
        f.sha256 = d.sha256;
        h.backlog.keep(f, d.bytes);
      } catch (e) {
        h.hashFailed.add(f);
        h.failures.push({
          localPath: f.localPath,
          serverPath: f.serverPath,
          reason: `hashing failed: ${reasonOf(e)}`,
        });
      }
      h.progress.hashed(f.localPath, f.size);
    },
  );
}
