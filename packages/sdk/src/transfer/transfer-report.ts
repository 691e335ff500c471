/** What a transfer did, what failed, and the error thrown when anything did. */
import { ApiError, ERRORS } from '@openfarm/protocol';
import type { FailedFrame } from './failed-frames.js';

export interface TransferFailure {
  /** The local file (uploads) or destination (downloads). */
  localPath: string;
  serverPath: string;
  reason: string;
}

export interface TransferProgress {
  phase: 'scan' | 'hash' | 'send' | 'manifest' | 'download' | 'done';
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /** The file the event is about, when there is one. */
  file?: string;
}

export type ProgressListener = (progress: TransferProgress) => void;

export interface UploadReport {
  storage: string;
  /** Files considered (directories expanded). */
  files: number;
  /** Unchanged since the last upload per the local transfer database: not hashed, not sent. */
  unchanged: number;
  /** Files whose bytes the farm already held: one request, no bytes. */
  alreadyOnFarm: number;
  sentFiles: number;
  /** File bytes put on the wire (a resumed upload counts only what it sent). */
  sentBytes: number;
  failures: TransferFailure[];
}

export interface DownloadReport {
  files: number;
  /** Already on disk with the right content. */
  identical: number;
  downloadedFiles: number;
  receivedBytes: number;
  failures: TransferFailure[];
  /**
   * autoDownload and autoDownloadAfterTaskCompleted: the frames of the ended
   * tasks that failed (no output to fetch), each with the farm's reason.
   * Absent when none failed. They do not make the download throw: every file
   * there was came down.
   */
  failedFrames?: FailedFrame[];
  /**
   * Set when the caller's `signal` stopped the download early: some files (or,
   * for autoDownload, frames still to render) were not fetched. Run it again to
   * get them; what is on disk is skipped.
   */
  stopped?: true;
}

/** Thrown at the end of a transfer in which some files failed; `failures` lists every one. */
export class TransferFailedError extends ApiError {
  constructor(
    readonly direction: 'upload' | 'download',
    readonly failures: readonly TransferFailure[],
  ) {
    const lines = failures.slice(0, 20).map((f) => `  ${f.localPath} ⇄ ${f.serverPath}: ${f.reason}`);
    const more = failures.length > 20 ? `\n  … and ${failures.length - 20} more` : '';
    super(direction === 'upload' ? ERRORS.NON_UPLOADABLE_FILES.code : ERRORS.SDK_ERROR.code, {
      message: `${failures.length} file(s) failed to ${direction}:\n${lines.join('\n')}${more}`,
      detail: failures,
    });
    this.name = direction === 'upload' ? 'UploadFailed' : 'DownloadFailed';
  }
}

/** Codes a retry cannot fix: the request itself is refused. */
const FINAL_CODES: ReadonlySet<number> = new Set([
  ERRORS.QUOTA_EXCEEDED.code,
  ERRORS.HASH_MISMATCH.code,
  ERRORS.BAD_SERVER_PATH.code,
  ERRORS.SIGNATURE_INVALID.code,
  ERRORS.ACCOUNT_DISABLED.code,
  ERRORS.FORBIDDEN.code,
  ERRORS.FILE_NOT_FOUND.code,
]);

/** Socket-level failures: the farm may be back on the next attempt. */
const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);

function isNetworkError(e: unknown): boolean {
  if (!(e instanceof Error)) return false;
  // fetch reports every socket failure as TypeError("fetch failed") with the cause attached.
  if (e.name === 'TypeError' && e.message === 'fetch failed') return true;
  if (e.name === 'AbortError' || e.name === 'TimeoutError') return true;
  const code = (e as NodeJS.ErrnoException).code;
  if (typeof code === 'string' && (NETWORK_CODES.has(code) || code.startsWith('UND_ERR'))) return true;
  return e.cause !== undefined && isNetworkError(e.cause);
}

/** Whether another attempt may succeed (network cut, server restart, 5xx); local errors are final. */
export function isRetryable(e: unknown): boolean {
  if (e instanceof ApiError) return !FINAL_CODES.has(e.code);
  return isNetworkError(e);
}

export function reasonOf(e: unknown): string {
  if (e instanceof ApiError) return e.errorMessage;
  if (e instanceof Error) return e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message;
  return String(e);
}
