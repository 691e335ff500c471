/** The task operator (`api.task`, §2.7): create, submit and control tasks. */
import { z } from 'zod';
import { id, idList, intIn, nothing, text } from '../models/primitives.js';
import { defineEndpoint } from './define.js';

const taskIdsBody = () => z.looseObject({ taskIds: idList() });

/** `taskUserLevel`: the reference uses 50 (normal) and 60 (high); openfarm orders by any level in 0..100. */
const taskUserLevel = () => intIn(0, 100);

export const TASK_ENDPOINTS = {
  'task.createTask': defineEndpoint({
    name: 'task.createTask',
    operator: 'task',
    method: 'createTask',
    path: '/api/render/submit/createTask',
    legacyPaths: ['/api/render/task/createTask'],
    request: z.looseObject({
      count: intIn(1, 1000),
      // Required by current clients; the legacy URL set's createTask had no level, so it defaults to normal.
      taskUserLevel: taskUserLevel().default(50),
      outUserId: id().optional(),
      labels: z.array(text()).max(100).optional(),
      cloneOriginalId: id().optional(),
      artist: text().optional(),
    }),
    response: z.looseObject({
      taskIdList: z.array(z.int()),
      /** `<platform><taskPrefix><id>`, e.g. "2W19097" */
      aliasTaskIdList: z.array(z.string()),
      userId: z.int(),
    }),
    summary: 'Allocate task ids before upload.',
  }),
  'task.submitTask': defineEndpoint({
    name: 'task.submitTask',
    operator: 'task',
    method: 'submitTask',
    path: '/api/render/submit/task',
    legacyPaths: ['/api/render/task/submitTask'],
    request: z.looseObject({ taskId: id(), producer: text().optional() }),
    response: nothing(),
    summary: 'Submit an uploaded task for rendering.',
  }),
  'task.stopTask': defineEndpoint({
    name: 'task.stopTask',
    operator: 'task',
    method: 'stopTask',
    path: '/api/rendering/task/renderingTask/stopTask',
    // The docs name /api/render/handle/stopTask; the 2018 URL set /api/render/task/stopTask.
    legacyPaths: ['/api/render/handle/stopTask', '/api/render/task/stopTask'],
    request: taskIdsBody(),
    response: nothing(),
    summary: 'Stop tasks.',
  }),
  'task.startTask': defineEndpoint({
    name: 'task.startTask',
    operator: 'task',
    method: 'startTask',
    path: '/api/rendering/task/renderingTask/startTask',
    legacyPaths: ['/api/render/handle/startTask', '/api/render/task/startTask'],
    request: taskIdsBody(),
    response: nothing(),
    summary: 'Restart stopped tasks.',
  }),
  'task.abortTask': defineEndpoint({
    name: 'task.abortTask',
    operator: 'task',
    method: 'abortTask',
    path: '/api/render/handle/abandonTask',
    legacyPaths: ['/api/render/task/abortTask'],
    request: taskIdsBody(),
    response: nothing(),
    summary: 'Abandon tasks.',
  }),
  'task.deleteTask': defineEndpoint({
    name: 'task.deleteTask',
    operator: 'task',
    method: 'deleteTask',
    path: '/api/render/handle/deleteTask',
    legacyPaths: ['/api/render/task/deleteTask'],
    request: taskIdsBody(),
    response: nothing(),
    summary: 'Delete tasks (they move to the recycle bin).',
  }),
  'task.updatePriority': defineEndpoint({
    name: 'task.updatePriority',
    operator: 'task',
    method: 'updatePriority',
    path: '/api/rendering/task/renderingTask/updateTaskUserLevel',
    legacyPaths: [],
    request: z.looseObject({ taskId: id(), taskUserLevel: taskUserLevel() }),
    response: nothing(),
    summary: "Change a task's priority level.",
  }),
  'task.setTaskOvertimeTop': defineEndpoint({
    name: 'task.setTaskOvertimeTop',
    operator: 'task',
    method: 'setTaskOvertimeTop',
    path: '/api/render/handle/setTaskOverTimeStop',
    legacyPaths: ['/api/render/task/setOverTimeStop'],
    request: z.looseObject({ taskIds: idList(), overTime: intIn(0, 31_536_000) }),
    response: nothing(),
    summary: 'Stop frames of these tasks that run longer than `overTime` seconds.',
  }),
  'task.fullSpeed': defineEndpoint({
    name: 'task.fullSpeed',
    operator: 'task',
    method: 'fullSpeed',
    path: '/api/render/handle/fullSpeedRendering',
    legacyPaths: ['/api/render/task/fullSpeed'],
    request: taskIdsBody(),
    // The reference answers the string "success".
    response: z.string().nullable(),
    summary: 'Resume tasks paused after their priority (test) frames.',
  }),
  'task.editTaskHardwareConfig': defineEndpoint({
    name: 'task.editTaskHardwareConfig',
    operator: 'task',
    method: 'editTaskHardwareConfig',
    path: '/api/render/handle/editTaskHardwareConfig',
    legacyPaths: [],
    request: z.looseObject({
      taskIds: idList(),
      hardwareConfigId: z.union([id(), z.array(id()).min(1).max(100)]),
      model: z.union([text(64), z.array(text(64)).max(100)]).optional(),
      gpuNum: text(32).nullable().optional(),
      ram: text(32).optional(),
    }),
    response: nothing(),
    summary: 'Change the hardware configuration of tasks (documented only, not in the reference code).',
  }),
} as const;
