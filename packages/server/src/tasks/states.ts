/** Groups of reference status codes the task actions reason about. */
import { FrameStatus, TaskStatus } from '@openfarm/protocol';

/** Tasks that are queued or rendering: stop and abandon act on them. */
export const ACTIVE_TASK_STATES: readonly number[] = [
  TaskStatus.WAITING,
  TaskStatus.RENDERING,
  TaskStatus.PREPROCESSING,
  TaskStatus.TEST_DONE,
];

/** Tasks a start resumes. */
export const STOPPED_TASK_STATES: readonly number[] = [
  TaskStatus.STOPPED,
  TaskStatus.STOPPED_BY_USER,
  TaskStatus.STOPPED_TIMEOUT,
];

/** Tasks that ended by rendering everything they could; re-rendering frames reopens them. */
export const FINISHED_TASK_STATES: readonly number[] = [
  TaskStatus.FINISHED,
  TaskStatus.FINISHED_WITH_FAILURES,
  TaskStatus.FAILED,
];

/** Frames not yet ended: waiting in any form, or running. */
export const PENDING_FRAME_STATES: readonly number[] = [
  FrameStatus.WAITING,
  FrameStatus.RUNNING,
  FrameStatus.WAITING_PREPROCESS,
  FrameStatus.WAITING_PHOTON_FRAME,
  FrameStatus.WAITING_PRIORITY,
  FrameStatus.WAITING_PHOTON_JOB,
  FrameStatus.WAITING_SOLVE_JOB,
];

/** What "failed frames" means for recommitTasks when no status list is given. */
export const FAILED_FRAME_STATES: readonly number[] = [FrameStatus.FAILED, FrameStatus.TIMED_OUT];
