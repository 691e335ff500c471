/** Status and kind numbers exactly as the reference uses them (§2.8). */

export const TaskStatus = {
  WAITING: 0,
  RENDERING: 5,
  PREPROCESSING: 8,
  STOPPED: 10,
  STOPPED_BY_USER: 15,
  STOPPED_ARREARS: 20,
  STOPPED_TIMEOUT: 23,
  FINISHED: 25,
  FINISHED_WITH_FAILURES: 30,
  ABANDONED: 35,
  /** Priority (test) frames done; waiting for `fullSpeed`. */
  TEST_DONE: 40,
  FAILED: 45,
  ANALYSING: 50,
  UPDATING: 100,
} as const;
export type TaskStatus = (typeof TaskStatus)[keyof typeof TaskStatus];

export const FrameStatus = {
  WAITING: 1,
  RUNNING: 2,
  STOPPED: 3,
  DONE: 4,
  FAILED: 5,
  WAITING_PREPROCESS: 6,
  WAITING_PHOTON_FRAME: 7,
  WAITING_PRIORITY: 8,
  WAITING_PHOTON_JOB: 9,
  WAITING_SOLVE_JOB: 10,
  TIMED_OUT: 11,
} as const;
export type FrameStatus = (typeof FrameStatus)[keyof typeof FrameStatus];

export const FrameType = {
  /** One frame even for multi-camera scenes. */
  PREPROCESS: 1,
  PHOTON: 2,
  MERGED_PHOTON: 3,
  PRIORITY: 4,
  MAIN: 5,
  /** Maya/Max. */
  PRIORITY_COMPOSITE: 6,
  MAIN_COMPOSITE: 7,
  HOUDINI_SOLVE: 8,
  MAX_CHANNEL: 9,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];

/** `task_info.channel` and the `channel` header. */
export const Channel = {
  WEB_LOCAL_ANALYSIS: 1,
  WEB_CLOUD_ANALYSIS: 2,
  DCC_PLUGIN: 3,
  API_SDK: 4,
  ANIMATION_PLUGIN: 8,
} as const;
export type Channel = (typeof Channel)[keyof typeof Channel];

export const Zone = {
  CHINA: 1,
  INTERNATIONAL: 2,
} as const;
export type Zone = (typeof Zone)[keyof typeof Zone];

/** States after which a task changes no more: the SDK's download loops stop on them. */
export const TASK_END_STATES: ReadonlySet<number> = new Set<number>([
  TaskStatus.STOPPED,
  TaskStatus.STOPPED_ARREARS,
  TaskStatus.STOPPED_TIMEOUT,
  TaskStatus.FINISHED,
  TaskStatus.FINISHED_WITH_FAILURES,
  TaskStatus.ABANDONED,
  TaskStatus.FAILED,
]);

/** The end set when the task was submitted with `stop_after_test`: a paused test counts as ended. */
export const TASK_END_STATES_TEST_STOP: ReadonlySet<number> = new Set<number>([
  ...TASK_END_STATES,
  TaskStatus.TEST_DONE,
]);

/** Whether a task in `status` has ended, as the reference's `RayvisionManageTask` decides. */
export function isTaskEnded(status: number, isTestStop = false): boolean {
  return (isTestStop ? TASK_END_STATES_TEST_STOP : TASK_END_STATES).has(status);
}
