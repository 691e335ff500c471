export * from './db-config.js';
export {
  type DownloadItem,
  downloadFiles,
  PART_SUFFIX,
  partPathOf,
  type VerifiedFiles,
} from './download-engine.js';
export {
  clockTime,
  DEFAULT_MAX_RETRY_WAIT,
  type FarmReachable,
  type FarmUnreachable,
  isFarmOutage,
  OutageBackoff,
} from './farm-outage.js';
export { EVENTS_PATH, EVENTS_TOKEN_PATH, type FarmEvent, readEventStream } from './event-stream.js';
export { type FileDigest, hashFile } from './hash-file.js';
export { openTransferDb } from './local-db/open-transfer-db.js';
export { hostPaths, type LocalPaths } from './local-paths.js';
export {
  DEFAULT_REDIS_RECORDS_KEY,
  RedisTransferDb,
  type RedisTransferDbOptions,
} from './local-db/redis-db.js';
export { SqliteTransferDb } from './local-db/sqlite-db.js';
export type { TransferDb, TransferRecord } from './local-db/transfer-db.js';
export {
  type AutoDownloadOptions,
  type DownloadApi,
  type DownloadEvents,
  type DownloadOptions,
  RayvisionDownload,
  type RayvisionDownloadOptions,
} from './rayvision-download.js';
export {
  configItem,
  type MaxSpeedOption,
  RayvisionUpload,
  type RayvisionUploadOptions,
  readUploadJson,
  type UploadApi,
  type UploadAssetOptions,
  type UploadEvents,
  uploadItemsOf,
  uploadJobName,
} from './rayvision-upload.js';
export {
  localFileOf,
  localFolderOf,
  type ResolvedTask,
  resolveTasks,
  type TaskFolder,
  type TaskQuery,
} from './task-folders.js';
export type { FailedFrame, FrameQuery } from './failed-frames.js';
export { KB, TokenBucket, throttle } from './token-bucket.js';
export {
  type BlobKey,
  type ManifestEntry,
  TransferClient,
  type TransferConnection,
  type UploadState,
} from './transfer-client.js';
export { TRANSFER_LOG_FILE } from './transfer-log.js';
export { MAX_BATCH, type StorageName, TRANSFER_PATHS } from './transfer-paths.js';
export {
  type DownloadReport,
  type ProgressListener,
  TransferFailedError,
  type TransferFailure,
  type TransferProgress,
  type UploadReport,
} from './transfer-report.js';
export { childItem, type UploadEngineOptions, type UploadItem, uploadFiles } from './upload-engine.js';
