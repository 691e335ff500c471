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
  type BlobPartStaging,
  type BlobRange,
  BlobStagingLostError,
  type BlobStat,
  BlobStorageConfigError,
  type BlobStore,
  blobObjectName,
  canStageParts,
  isBlobCollection,
  parseBlobObjectName,
  type QuarantinedBlob,
  resolveRange,
  type StagedPart,
} from '@openfarm/protocol';
