export { type NodeProfile, nodeCanRender, type TaskRequirements, versionSatisfies } from './matching.js';
export { WORKER_PATHS } from './paths.js';
export { schedulerPlugin, type SchedulerOptions } from './plugin.js';
export { DEFAULT_POLICY, type SchedulerPolicy } from './policy.js';
export type { LeaseJob } from './render-spec.js';
export { registerSchedulerRoutes, type SchedulerRouteDeps } from './routes.js';
export {
  type Lease,
  type LeaseRef,
  nodeOf,
  type PollAnswer,
  type PollRequest,
  Scheduler,
  type SchedulerNode,
} from './scheduler.js';
export {
  createWorker,
  listWorkers,
  type NewWorker,
  recordRegistration,
  rotateWorkerToken,
  setWorkerDisabled,
  type WorkerRegistration,
  type WorkerRow,
} from './sql/workers.js';
export type { WorkersTable, WorkerTaskFailuresTable } from './tables.js';
export { leafStatus, parentStatus } from './task-status.js';
