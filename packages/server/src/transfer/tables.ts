/** Row types of the transfer tables (migration 0100_transfer), merged into the store's Database. */

/** (user, storage, server path) → blob: the content of one user's input, output or config storage. */
export interface TransferManifestTable {
  user_id: number;
  /** `input`, `output` or `config`. */
  storage: string;
  /** Normalized absolute server path, e.g. `/D/proj/tex/wood.exr`. */
  path: string;
  sha256: string;
  size: number;
  /** The file's modification time as the uploader saw it, ms epoch. */
  mtime: number;
  updated_at: number;
}

/**
 * Blobs a user has proven to hold (by sending bytes the farm hashed, or a node
 * rendering them for the user's task). The store keeps each blob once, but a
 * user may only reference a blob they proved themselves, or that the main
 * account whose assets they share did: knowing a hash must not be enough to
 * read someone else's file.
 */
export interface TransferUserBlobsTable {
  user_id: number;
  sha256: string;
  size: number;
  created_at: number;
}

/**
 * A resumable upload of one blob; its bytes so far are the staging file named
 * by `id`, or its rows of transfer_upload_parts (upload-staging.ts).
 */
export interface TransferUploadsTable {
  id: string;
  user_id: number;
  sha256: string;
  size: number;
  created_at: number;
  /** Set when the blob was published: the row stays a while so a retried completion is answered. */
  completed_at: number | null;
}

/** Bytes of a resumable upload staged in the database: `length` bytes at `offset` (0110_upload_staging). */
export interface TransferUploadPartsTable {
  upload_id: string;
  offset: number;
  length: number;
  bytes: Uint8Array;
}

/** Bytes a request reserved against a user's quota until it records them (0111_quota_holds). */
export interface TransferQuotaHoldsTable {
  id: string;
  user_id: number;
  bytes: number;
  expires_at: number;
}

/** Bytes a user may hold in the blob store; no row = unlimited (or the server's default). */
export interface TransferQuotasTable {
  user_id: number;
  max_bytes: number;
}

/** A resumable upload staged in the object store as parts (0113_upload_staged_parts). */
export interface TransferUploadStagedTable {
  upload_id: string;
  sha256: string;
  size: number;
  /** The store's name of the staged blob (an S3 multipart upload id). */
  handle: string;
  /** Size of every part but the last, fixed when the staging began. */
  part_bytes: number;
}

/** One part of a staged upload: where its bytes lie, the store's tag, the SHA-256 state after it. */
export interface TransferUploadStagedPartsTable {
  upload_id: string;
  part_number: number;
  offset: number;
  length: number;
  tag: string;
  hash_state: string;
}

declare module '../store/database.js' {
  interface Database {
    transfer_manifest: TransferManifestTable;
    transfer_user_blobs: TransferUserBlobsTable;
    transfer_uploads: TransferUploadsTable;
    transfer_upload_parts: TransferUploadPartsTable;
    transfer_upload_staged: TransferUploadStagedTable;
    transfer_upload_staged_parts: TransferUploadStagedPartsTable;
    transfer_quotas: TransferQuotasTable;
    transfer_quota_holds: TransferQuotaHoldsTable;
  }
}
