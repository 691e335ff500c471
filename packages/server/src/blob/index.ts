export * from './blob-store.js';
export { hashLocalFile, LocalBlobStore, type LocalBlobStoreOptions } from './local-store.js';
export {
  type OpenBlobStorageOptions,
  type OpenedBlobStorage,
  openBlobStorage,
  resolveStorage,
} from './open-storage.js';
export type { CompactReport } from './pack-compact.js';
