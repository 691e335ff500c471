/** The task operator: create, submit, stop, start, abandon, delete, priority, overtime, full speed, hardware. */
import { ApiError, TaskStatus } from '@openfarm/protocol';
import type { Updateable } from 'kysely';
import type { TasksTable } from '../store/core-tables.js';
import {
  abandonTasks,
  type ActionResult,
  deleteTasks,
  fullSpeed,
  startTasks,
  stopTasks,
  taskTree,
} from '../tasks/actions.js';
import { recordAudit } from '../tasks/audit.js';
import { createTasks } from '../tasks/create.js';
import { publishChanges } from '../tasks/publish.js';
import { submitTask } from '../tasks/submit.js';
import { requireTasks } from '../tasks/visibility.js';
import type { HandlerContext, HandlerTable } from './handler.js';

function header(ctx: HandlerContext, name: string): string | undefined {
  const v = ctx.request.headers[name.toLowerCase()];
  return Array.isArray(v) ? v[0] : v;
}

/** Run a task action, then audit it and publish what changed. */
async function act(
  ctx: HandlerContext,
  buttonName: string,
  taskIds: readonly number[],
  action: () => Promise<ActionResult>,
): Promise<null> {
  const result = await action();
  await recordAudit(ctx.farm.store.db, ctx.user, ctx.request, { kind: 'task', buttonName, taskIds });
  publishChanges(ctx.farm.events, result);
  return null;
}

/**
 * Set task columns on the caller's tasks and all their child tasks (a layered
 * task's settings belong to every layer). Unknown or foreign ids answer 404.
 */
async function updateTaskTrees(
  ctx: HandlerContext,
  taskIds: readonly number[],
  values: Updateable<TasksTable>,
): Promise<ActionResult> {
  const db = ctx.farm.store.db;
  const tree = await taskTree(db, await requireTasks(db, ctx.user, taskIds));
  await db
    .updateTable('tasks')
    .set(values)
    .where(
      'id',
      'in',
      tree.map((t) => t.id),
    )
    .execute();
  return { tasks: [], frames: [] };
}

export const TASK_HANDLERS: HandlerTable = {
  'task.createTask': async (ctx, body) => {
    const created = await createTasks(
      ctx.farm.store.db,
      ctx.user,
      {
        count: body.count,
        taskUserLevel: body.taskUserLevel,
        platform: header(ctx, 'platform'),
        channel: header(ctx, 'channel'),
        outUserId: body.outUserId,
        labels: body.labels,
        cloneOriginalId: body.cloneOriginalId,
        artist: body.artist,
      },
      ctx.request.url,
    );
    await recordAudit(ctx.farm.store.db, ctx.user, ctx.request, {
      kind: 'task',
      buttonName: 'createTask',
      taskIds: created.taskIdList,
    });
    for (const id of created.taskIdList) {
      ctx.farm.events.publish({
        userId: created.userId,
        type: 'task',
        taskId: id,
        status: TaskStatus.WAITING,
        detail: { created: true },
      });
    }
    return created;
  },

  'task.submitTask': async (ctx, body) => {
    const { store, jobFileSources, events } = ctx.farm;
    const submitted = await submitTask(
      store.db,
      jobFileSources,
      ctx.user,
      body.taskId,
      body.producer,
      ctx.request.url,
    );
    await recordAudit(store.db, ctx.user, ctx.request, {
      kind: 'task',
      buttonName: 'submitTask',
      taskIds: [body.taskId],
    });
    for (const id of submitted.taskIds) {
      events.publish({ userId: submitted.userId, type: 'task', taskId: id, status: TaskStatus.WAITING });
    }
    return null;
  },

  'task.stopTask': (ctx, body) =>
    act(ctx, 'stopTask', body.taskIds, () => stopTasks(ctx.farm.store.db, ctx.user, body.taskIds)),
  'task.startTask': (ctx, body) =>
    act(ctx, 'startTask', body.taskIds, () => startTasks(ctx.farm.store.db, ctx.user, body.taskIds)),
  'task.abortTask': (ctx, body) =>
    act(ctx, 'abortTask', body.taskIds, () => abandonTasks(ctx.farm.store.db, ctx.user, body.taskIds)),
  'task.deleteTask': (ctx, body) =>
    act(ctx, 'deleteTask', body.taskIds, () => deleteTasks(ctx.farm.store.db, ctx.user, body.taskIds)),

  'task.fullSpeed': async (ctx, body) => {
    await act(ctx, 'fullSpeed', body.taskIds, () => fullSpeed(ctx.farm.store.db, ctx.user, body.taskIds));
    return 'success';
  },

  'task.updatePriority': (ctx, body) =>
    act(ctx, 'updatePriority', [body.taskId], () =>
      updateTaskTrees(ctx, [body.taskId], { task_user_level: body.taskUserLevel }),
    ),

  'task.setTaskOvertimeTop': (ctx, body) =>
    act(ctx, 'setTaskOverTimeStop', body.taskIds, () =>
      updateTaskTrees(ctx, body.taskIds, { over_time_stop: body.overTime }),
    ),

  'task.editTaskHardwareConfig': (ctx, body) =>
    act(ctx, 'editTaskHardwareConfig', body.taskIds, async () => {
      const db = ctx.farm.store.db;
      // The documented body may carry a list (multi-select); the first entry is the one a task runs on.
      const configId = Array.isArray(body.hardwareConfigId)
        ? body.hardwareConfigId[0]!
        : body.hardwareConfigId;
      const config = await db
        .selectFrom('hardware_configs')
        .selectAll()
        .where('id', '=', configId)
        .where('status', '=', 1)
        .executeTakeFirst();
      if (config === undefined) {
        throw ApiError.of('PARAMETER_INVALID', {
          path: ctx.request.url,
          detail: { field: 'hardwareConfigId', reason: `no enabled hardware configuration ${configId}` },
        });
      }
      return updateTaskTrees(ctx, body.taskIds, {
        hardware_config_id: config.id,
        ram: Number.parseInt(config.ram, 10),
        gpu_num: config.gpu_num,
      });
    }),
};
