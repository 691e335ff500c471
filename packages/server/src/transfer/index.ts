export {
  type ListPage,
  listStorageDir,
  type ManifestEntry,
  type StorageDirEntry,
  writeManifest,
} from './manifest.js';
export { MAX_BATCH, TRANSFER_PATHS } from './paths.js';
export { DEFAULT_MAX_TRANSFER_REQUEST_BYTES, type TransferOptions, transferPlugin } from './plugin.js';
export { setTransferQuota, usedTransferBytes } from './quota.js';
export { normalizeManifestPath } from './server-path.js';
export { STORAGES, type StorageName, storageOwnerId } from './storage.js';
