/**
 * openfarm's transfer endpoints, one table for both ends: the server registers
 * the route patterns, the SDK builds URLs with the helpers below. JSON calls
 * are signed like the reference's; byte streams (PUT, GET) carry a bearer
 * token from `token`, or signature headers over an empty body.
 */
export const TRANSFER_PATHS = {
  /** POST `{}` → `{token, expiresAt}`: a bearer token for the byte-stream routes below. */
  token: '/api/openfarm/transfer/token',
  /** POST `{blobs: [{sha256, size}]}` → `{missing: [index]}`: which of these the caller still has to send. */
  missing: '/api/openfarm/transfer/missing',
  /** PUT raw bytes of a whole small blob; verified before it is stored. */
  blob: '/api/openfarm/transfer/blobs/:sha256/:size',
  /**
   * PUT many small blobs in one body → `{stored}`, each framed as
   * `<sha256, 64 lowercase hex><size, 16 decimal digits><size bytes>` and verified on its own.
   */
  blobBatch: '/api/openfarm/transfer/blobs',
  /** POST `{sha256, size}` → `{uploadId?, offset, complete}`: start or resume a resumable upload. */
  uploads: '/api/openfarm/transfer/uploads',
  /** PUT raw bytes at `offset` (must equal the committed offset) → `{offset}`. */
  uploadChunk: '/api/openfarm/transfer/uploads/:uploadId/:offset',
  /** POST `{uploadId}` → `{sha256, size}` once verified and visible. */
  uploadComplete: '/api/openfarm/transfer/uploads/complete',
  /** POST `{storage, entries: [{path, sha256, size, mtime}]}` → `{written}`. */
  manifest: '/api/openfarm/transfer/manifest',
  /** POST `{storage, prefix, after?, limit?, userId?}` → `{entries, next}`. */
  list: '/api/openfarm/transfer/list',
  /** GET `/files/<storage>/<server path>`, with Range; the ETag is the SHA-256. */
  files: '/api/openfarm/transfer/files/:storage/*',
} as const;

/** Most blobs or manifest entries one JSON request may carry. */
export const TRANSFER_MAX_BATCH = 10_000;

/** The three storages of a user, as in the reference (input, output, config). */
export type TransferStorage = 'input' | 'output' | 'config';

export function transferBlobPath(sha256: string, size: number): string {
  return `/api/openfarm/transfer/blobs/${sha256}/${size}`;
}

export function transferUploadChunkPath(uploadId: string, offset: number): string {
  return `/api/openfarm/transfer/uploads/${encodeURIComponent(uploadId)}/${offset}`;
}

/** Each segment percent-encoded; the server decodes and checks the path again. */
export function transferFilePath(storage: TransferStorage, serverPath: string): string {
  const segments = serverPath
    .split('/')
    .filter((s) => s !== '')
    .map(encodeURIComponent);
  return `/api/openfarm/transfer/files/${storage}/${segments.join('/')}`;
}
