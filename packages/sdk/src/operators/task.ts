/** `api.task` (reference §2.7): allocate, submit and control tasks. */
import { RayvisionError } from '../errors.js';
import type { Caller, Input, Output } from './caller.js';

export type CreateTaskOptions = Partial<Input<'task.createTask'>>;

export class TaskOperator {
  /** The id `taskId()` hands out until that task is submitted; a promise so concurrent callers share it. */
  private pendingTaskId: Promise<number> | undefined;

  constructor(private readonly caller: Caller) {}

  /**
   * One task id, allocated on first use and reused until that task is
   * submitted (the reference's `task.task_id` property).
   */
  taskId(): Promise<number> {
    this.pendingTaskId ??= this.createTask().then(
      ({ taskIdList: [id] }) => {
        if (id === undefined) throw new RayvisionError('SDK_ERROR', 'createTask answered no task id');
        return id;
      },
      (error: unknown) => {
        this.pendingTaskId = undefined; // let the next call try again
        throw error;
      },
    );
    return this.pendingTaskId;
  }

  /**
   * Allocate task ids before upload. Defaults as the reference: one id at
   * level 50 (60 is the reference's "high").
   */
  createTask(options: CreateTaskOptions = {}): Promise<Output<'task.createTask'>> {
    return this.caller.call('task.createTask', { count: 1, taskUserLevel: 50, ...options });
  }

  /** Submit an uploaded task for rendering. */
  async submitTask(taskId: number, producer?: string): Promise<Output<'task.submitTask'>> {
    const data = await this.caller.call('task.submitTask', {
      taskId,
      ...(producer !== undefined ? { producer } : {}),
    });
    if (this.pendingTaskId !== undefined && (await this.pendingTaskId.catch(() => undefined)) === taskId) {
      this.pendingTaskId = undefined;
    }
    return data;
  }

  stopTask(taskIds: number[]): Promise<Output<'task.stopTask'>> {
    return this.caller.call('task.stopTask', { taskIds });
  }

  startTask(taskIds: number[]): Promise<Output<'task.startTask'>> {
    return this.caller.call('task.startTask', { taskIds });
  }

  /** Abandon tasks (status 35). */
  abortTask(taskIds: number[]): Promise<Output<'task.abortTask'>> {
    return this.caller.call('task.abortTask', { taskIds });
  }

  /** Delete tasks: they move to the recycle bin (`getTaskList({ recycleFlag: 1 })`). */
  deleteTask(taskIds: number[]): Promise<Output<'task.deleteTask'>> {
    return this.caller.call('task.deleteTask', { taskIds });
  }

  updatePriority(taskId: number, taskUserLevel: number): Promise<Output<'task.updatePriority'>> {
    return this.caller.call('task.updatePriority', { taskId, taskUserLevel });
  }

  /** Stop frames of these tasks that run longer than `overTime` seconds. */
  setTaskOvertimeTop(taskIds: number[], overTime: number): Promise<Output<'task.setTaskOvertimeTop'>> {
    return this.caller.call('task.setTaskOvertimeTop', { taskIds, overTime });
  }

  /** Resume tasks paused after their priority (test) frames. */
  fullSpeed(taskIds: number[]): Promise<Output<'task.fullSpeed'>> {
    return this.caller.call('task.fullSpeed', { taskIds });
  }

  editTaskHardwareConfig(
    body: Input<'task.editTaskHardwareConfig'>,
  ): Promise<Output<'task.editTaskHardwareConfig'>> {
    return this.caller.call('task.editTaskHardwareConfig', body);
  }
}
