export {
  createS3Client,
  S3BlobStore,
  type S3BlobStoreOptions,
  type S3OpenReport,
} from './s3-store.js';
export { describeS3Storage, isS3StorageUrl, parseS3StorageUrl, type S3StorageConfig } from './storage-url.js';
export { MAX_PARTS, MIN_PART_BYTES, partSizeFor } from './verified-upload.js';
