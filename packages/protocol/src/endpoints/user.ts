/** The user operator (`api.user`, §2.7). */
import { z } from 'zod';
import {
  HardwareConfigSchema,
  LoginRecordSchema,
  TaskRecordSchema,
  TransferBidsSchema,
  UserProfileSchema,
  UserSettingsSchema,
} from '../models/account.js';
import {
  dateTimeText,
  emptyBody,
  idList,
  intIn,
  nothing,
  pageNum,
  pageSize,
  paged,
} from '../models/primitives.js';
import { defineEndpoint } from './define.js';

const auditQuery = {
  pageNum: pageNum(),
  pageSize: pageSize(),
  // The reference client sends "" when no bound is given (its defaults).
  startDate: dateTimeText()
    .or(z.literal('').transform(() => undefined))
    .optional(),
  endDate: dateTimeText()
    .or(z.literal('').transform(() => undefined))
    .optional(),
};

export const USER_ENDPOINTS = {
  'user.queryUserProfile': defineEndpoint({
    name: 'user.queryUserProfile',
    operator: 'user',
    method: 'queryUserProfile',
    path: '/api/render/setUp/queryUserProfile',
    legacyPaths: ['/api/render/user/queryUserProfile'],
    request: emptyBody(),
    response: UserProfileSchema,
    summary: 'The calling account: ids, names, balances, flags.',
  }),
  'user.queryUserSetting': defineEndpoint({
    name: 'user.queryUserSetting',
    operator: 'user',
    method: 'queryUserSetting',
    path: '/api/render/setUp/queryUserSetting',
    legacyPaths: ['/api/render/user/queryUserSetting'],
    request: emptyBody(),
    response: UserSettingsSchema,
    summary: 'Account settings: task overtime, auto commit, upload switches.',
  }),
  'user.updateUserSettings': defineEndpoint({
    name: 'user.updateUserSettings',
    operator: 'user',
    method: 'updateUserSettings',
    path: '/api/render/setUp/updateUserSetting',
    legacyPaths: ['/api/render/user/updateUserSetting'],
    // Current clients send seconds; the legacy URL set sent `taskOverTime` in hours.
    request: z.union([
      z.looseObject({ taskOverTimeSec: intIn(0, 31_536_000) }),
      z.looseObject({ taskOverTime: z.number().min(0).max(8760) }),
    ]),
    response: nothing(),
    summary:
      "Set the account's overtime stop: frames of tasks without their own stop that run longer are timed out.",
  }),
  'user.getTransferBid': defineEndpoint({
    name: 'user.getTransferBid',
    operator: 'user',
    method: 'getTransferBid',
    path: '/api/render/transfer/getBid',
    legacyPaths: ['/api/render/task/getTransferBid'],
    request: emptyBody(),
    response: TransferBidsSchema,
    summary: 'The storage ids (input, output, config) of the account.',
  }),
  'user.getHardwareConfig': defineEndpoint({
    name: 'user.getHardwareConfig',
    operator: 'user',
    method: 'getHardwareConfig',
    path: '/api/render/hardwareConfig/list',
    legacyPaths: [],
    request: z.looseObject({
      // The reference sends the string "false", never a boolean.
      cloneTask: z.enum(['true', 'false']).optional(),
      taskIds: idList().optional(),
    }),
    response: z.array(HardwareConfigSchema),
    summary: 'Hardware configurations (CPU/GPU model, RAM, GPU count) and what each cannot render.',
  }),
  'user.taskRecord': defineEndpoint({
    name: 'user.taskRecord',
    operator: 'user',
    method: 'taskRecord',
    path: '/api/render/handle/operate/sdk/taskRecord',
    legacyPaths: [],
    request: z.looseObject({ ...auditQuery, platform: z.union([z.string().max(16), z.int()]).optional() }),
    response: paged(TaskRecordSchema),
    summary: 'Audit log of task operations (documented only, not in the reference code).',
  }),
  'user.loginRecord': defineEndpoint({
    name: 'user.loginRecord',
    operator: 'user',
    method: 'loginRecord',
    path: '/api/render/handle/operate/sdk/loginRecord',
    legacyPaths: [],
    request: z.looseObject(auditQuery),
    response: paged(LoginRecordSchema),
    summary: 'Audit log of logins (documented only, not in the reference code).',
  }),
} as const;
