/**
 * Deciding what to send. Before hashing: the local transfer database's hashes
 * of unchanged files are reused, and those already uploaded to the same place
 * are skipped. Then, wave by wave: the farm says which blobs it lacks, and
 * each missing blob is scheduled once over the whole upload, however many
 * files name it.
 */
import type { TransferDb, TransferRecord } from './local-db/transfer-db.js';
import type { BlobKey } from './transfer-client.js';
import type { StorageName } from './transfer-paths.js';
import type { UploadReport } from './transfer-report.js';
import type { UploadBacklog } from './upload-backlog.js';
import type { UploadProgress } from './upload-progress.js';
import type { FileState } from './upload-scan.js';

/** A blob to send, with the file its bytes are read from. */
export type Sender = { key: BlobKey; localPath: string; file: FileState };

/**
 * A wave holds at most this many files (and at most the engine's wave bytes):
 * the farm is asked which blobs it lacks once per wave.
 */
const WAVE_MAX_FILES = 5000;

export const blobId = (k: BlobKey): string => `${k.sha256}:${k.size}`;

/** The blob of a hashed file. */
export const keyOf = (f: FileState): BlobKey => ({ sha256: f.sha256 as string, size: f.size });

/** Take the hash of files the database knows unchanged (same size and mtime); mark those uploaded to the same place. */
export async function recallKnownHashes(
  files: readonly FileState[],
  db: TransferDb | undefined,
  storage: StorageName,
): Promise<void> {
  const known =
    db !== undefined ? await db.getMany(files.map((f) => f.localPath)) : new Map<string, TransferRecord>();
  for (const f of files) {
    const r = known.get(f.localPath);
    if (r !== undefined && r.size === f.size && r.mtimeMs === f.mtimeMs) {
      f.sha256 = r.sha256;
      f.unchanged = r.storage === storage && r.serverPath === f.serverPath;
    }
  }
}

/** Split work so hashing the next part overlaps sending this one. */
export function waves(files: readonly FileState[], maxBytes: number): FileState[][] {
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

/** Which blobs are scheduled over the whole upload, and which files' blobs the farm lacked. */
export class SendPlan {
  private readonly scheduled = new Set<string>();
  private readonly missingFiles = new Set<FileState>();

  constructor(
    private readonly report: UploadReport,
    private readonly backlog: UploadBacklog,
    private readonly progress: UploadProgress,
  ) {}

  /**
   * Of a hashed wave (`keys[i]` the blob of `ready[i]`) and the indexes the farm
   * said it lacks, the blobs to send now. A file whose blob is on the farm, or
   * already scheduled for another file, gives its bytes back at once.
   */
  take(ready: readonly FileState[], keys: readonly BlobKey[], missing: ReadonlySet<number>): Sender[] {
    const senders: Sender[] = [];
    ready.forEach((f, i) => {
      if (!missing.has(i)) {
        this.report.alreadyOnFarm++;
        this.backlog.drop(f);
        return;
      }
      this.missingFiles.add(f);
      const key = keys[i] as BlobKey;
      if (this.scheduled.has(blobId(key))) {
        this.backlog.drop(f);
        return;
      }
      this.scheduled.add(blobId(key));
      this.backlog.schedule(f, key.size);
      senders.push({ key, localPath: f.localPath, file: f });
      this.progress.toSend(key.size);
    });
    return senders;
  }

  /** The farm lacked this file's blob: sent (by it or another file) rather than found there. */
  wasMissing(f: FileState): boolean {
    return this.missingFiles.has(f);
  }
}
