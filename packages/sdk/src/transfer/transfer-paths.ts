/**
 * The farm's transfer endpoints (served by @openfarm/server's transfer plugin).
 * JSON calls are signed like every call; byte streams carry a bearer token
 * from `token`.
 */
export const TRANSFER_PATHS = {
  token: '/api/openfarm/transfer/token',
  missing: '/api/openfarm/transfer/missing',
  uploads: '/api/openfarm/transfer/uploads',
  uploadComplete: '/api/openfarm/transfer/uploads/complete',
  manifest: '/api/openfarm/transfer/manifest',
  list: '/api/openfarm/transfer/list',
  blob: (sha256: string, size: number) => `/api/openfarm/transfer/blobs/${sha256}/${size}`,
  /** Many small blobs in one PUT, each framed as `<sha256 hex><size, 16 digits><bytes>`. */
  blobBatch: '/api/openfarm/transfer/blobs',
  uploadChunk: (uploadId: string, offset: number) => `/api/openfarm/transfer/uploads/${uploadId}/${offset}`,
  /** Each segment percent-encoded; the server decodes and re-checks the path. */
  file: (storage: string, serverPath: string) =>
    `/api/openfarm/transfer/files/${storage}/${serverPath
      .split('/')
      .filter((s) => s !== '')
      .map(encodeURIComponent)
      .join('/')}`,
} as const;

/** Most blobs or manifest entries per JSON request (the server's limit). */
export const MAX_BATCH = 10_000;

export type StorageName = 'input' | 'output' | 'config';
