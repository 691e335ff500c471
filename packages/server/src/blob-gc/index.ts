export {
  type CollectGarbageOptions,
  collectGarbage,
  DEFAULT_GC_GRACE_MS,
  type GarbageReport,
} from './collect-garbage.js';
export { type GcScheduleOptions, startGcSchedule } from './gc-schedule.js';
export {
  effectiveOutputRetentions,
  type OutputRetentionSetting,
  ownOutputRetention,
  setOutputRetention,
} from './account-retention.js';
export { type ExpireOutputsOptions, expireOutputs, type RetentionReport } from './output-retention.js';
export { referencedBlobs } from './referenced-blobs.js';
