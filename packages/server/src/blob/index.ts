export * from './blob-store.js';
export { hashLocalFile, LocalBlobStore } from './local-store.js';
