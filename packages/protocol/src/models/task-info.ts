/** TaskInfo: one task as the task list and task info calls answer it (§2.7). */
import { z } from 'zod';
import { optFlag, optInt, optNum, optStr } from './primitives.js';

const taskKeyValue = z.looseObject({
  tiles: optStr(),
  allCamera: z.array(z.string()).nullable().optional(),
  renderableCamera: z.array(z.string()).nullable().optional(),
});

/**
 * The fields openfarm always fills are required; the rest are optional because
 * the reference cloud leaves them out or null depending on the task kind.
 */
const TaskInfoFields = z.looseObject({
  id: z.int(),
  sceneName: z.string(),
  taskStatus: z.int(),
  taskAlias: optStr(),
  statusText: optStr(),
  preTaskStatus: optInt(),
  preStatusText: optStr(),
  totalFrames: optInt(),
  abortFrames: optInt(),
  executingFrames: optInt(),
  doneFrames: optInt(),
  failedFrames: optInt(),
  framesRange: optStr(),
  projectName: optStr(),
  renderConsume: optNum(),
  taskArrears: optNum(),
  /** ms epochs */
  submitDate: optNum(),
  startTime: optNum(),
  completedDate: optNum(),
  renderDuration: optNum(),
  userName: optStr(),
  producer: optStr(),
  taskLevel: optInt(),
  taskUserLevel: optInt(),
  taskLimit: optInt(),
  taskOverTime: optNum(),
  overTimeStop: optNum(),
  userId: optInt(),
  /** `<taskId>_<sceneName>`: the task's folder in the output storage. */
  outputFileName: optStr(),
  munuTaskId: optStr(),
  layerParentId: optInt(),
  cgId: optInt(),
  taskKeyValueVo: taskKeyValue.nullable().optional(),
  userAccountConsume: optNum(),
  couponConsume: optNum(),
  qyCouponConsume: optNum(),
  /** 1 when the task has child (layer, photon) tasks in `respRenderingTaskList`. */
  isOpen: optInt(),
  taskType: optStr(),
  renderCamera: optStr(),
  cloneParentId: optInt(),
  cloneOriginalId: optInt(),
  shareMainCapital: optInt(),
  taskRam: optNum(),
  layerName: optStr(),
  taskTypeText: optStr(),
  locationOutput: optStr(),
  isDelete: optInt(),
  channel: optInt(),
  remark: optStr(),
  isOverTime: optFlag(),
  waitingCount: optInt(),
  bid: z.union([z.string(), z.number()]).nullable().optional(),
});

export type TaskInfo = z.output<typeof TaskInfoFields> & {
  /** Child tasks (render layers, photon passes) of a parent task. */
  respRenderingTaskList?: TaskInfo[] | null | undefined;
};

export const TaskInfoSchema: z.ZodType<TaskInfo> = TaskInfoFields.extend({
  get respRenderingTaskList() {
    return z.array(TaskInfoSchema).nullable().optional();
  },
}).meta({ id: 'TaskInfo' });
