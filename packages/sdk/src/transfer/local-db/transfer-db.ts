/**
 * The local transfer database: what this machine last sent, so an unchanged
 * file (same size and mtime) is neither hashed nor sent again.
 */

/** One local file as last uploaded. */
export interface TransferRecord {
  localPath: string;
  size: number;
  /** File modification time, milliseconds since the epoch (fractional, as fs.stat gives it). */
  mtimeMs: number;
  sha256: string;
  /** `input`, `output` or `config`. */
  storage: string;
  serverPath: string;
}

export interface TransferDb {
  /** The records of the given local paths (absent paths are missing from the map). */
  getMany(localPaths: readonly string[]): Promise<Map<string, TransferRecord>>;
  /** Insert or replace records, keyed by local path. */
  putMany(records: readonly TransferRecord[]): Promise<void>;
  deleteMany(localPaths: readonly string[]): Promise<void>;
  close(): Promise<void>;
}

/** True when a record still describes the file on disk (so its hash can be reused). */
export function recordMatchesFile(record: TransferRecord, size: number, mtimeMs: number): boolean {
  return record.size === size && record.mtimeMs === mtimeMs;
}

/** Decode and check a record stored as JSON (Redis) or a row (SQLite). */
export function toTransferRecord(v: unknown): TransferRecord | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  if (
    typeof r.localPath !== 'string' ||
    typeof r.size !== 'number' ||
    typeof r.mtimeMs !== 'number' ||
    typeof r.sha256 !== 'string' ||
    typeof r.storage !== 'string' ||
    typeof r.serverPath !== 'string'
  ) {
    return undefined;
  }
  return {
    localPath: r.localPath,
    size: r.size,
    mtimeMs: r.mtimeMs,
    sha256: r.sha256,
    storage: r.storage,
    serverPath: r.serverPath,
  };
}
