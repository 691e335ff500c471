/**
 * The blob store's interface, its errors and key checks live in @openfarm/protocol
 * (types and pure functions, no I/O), so every backend package — the local directory
 * store here, @openfarm/blob-s3 — implements one interface without depending on the server.
 */
export {
  assertBlobKey,
  type BlobCollection,
  BlobHashMismatchError,
  type BlobKey,
  BlobNotFoundError,
  type BlobRange,
  type BlobStat,
  BlobStorageConfigError,
  type BlobStore,
  blobObjectName,
  isBlobCollection,
  parseBlobObjectName,
  type QuarantinedBlob,
  resolveRange,
} from '@openfarm/protocol';
