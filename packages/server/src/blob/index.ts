export * from './blob-store.js';
export { hashLocalFile, LocalBlobStore, type LocalBlobStoreOptions } from './local-store.js';
