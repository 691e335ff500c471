export {
  type CollectGarbageOptions,
  collectGarbage,
  DEFAULT_GC_GRACE_MS,
  type GarbageReport,
} from './collect-garbage.js';
export { referencedBlobs } from './referenced-blobs.js';
