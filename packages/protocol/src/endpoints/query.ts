/** The query operator (`api.query`, §2.7): lists, details, frames, logs, catalogues. */
import { z } from 'zod';
import {
  ErrorDetailSchema,
  PackNodeSchema,
  PlatformSchema,
  SoftwareDetailSchema,
  SoftwareListSchema,
} from '../models/catalog.js';
import { FrameInfoSchema, FrameStatsSchema, ProcessImageSchema } from '../models/frame-info.js';
import {
  dateTimeText,
  emptyBody,
  id,
  idList,
  intIn,
  nothing,
  numberish,
  pageNum,
  pageSize,
  paged,
  text,
} from '../models/primitives.js';
import { TaskInfoSchema } from '../models/task-info.js';
import { RaysyncUserKeySchema, TransferServerInfoSchema } from '../models/transfer.js';
import { defineEndpoint } from './define.js';

const zone = () => numberish(z.union([z.literal(1), z.literal(2)]));
const frameStatusList = () => z.array(intIn(1, 11)).max(20);

/**
 * Body of restartFrame / stopFrame: `selectAll` 1 acts on every frame, 0 on the
 * frame ids listed in `ids`, which are then required.
 */
const frameSelection = () =>
  z
    .looseObject({
      taskId: id(),
      selectAll: numberish(z.union([z.literal(0), z.literal(1)])),
      ids: z.array(id()).max(100_000).optional(),
      status: frameStatusList().optional(),
    })
    .refine((b) => b.selectAll === 1 || (b.ids !== undefined && b.ids.length > 0), {
      message: 'ids is required when selectAll is 0',
      path: ['ids'],
    });

export const QUERY_ENDPOINTS = {
  'query.platforms': defineEndpoint({
    name: 'query.platforms',
    operator: 'query',
    method: 'platforms',
    path: '/api/render/common/queryPlatforms',
    legacyPaths: [],
    request: z.looseObject({ zone: zone() }),
    response: z.array(PlatformSchema),
    summary: 'Render platforms (regions) of a zone.',
  }),
  'query.errorDetail': defineEndpoint({
    name: 'query.errorDetail',
    operator: 'query',
    method: 'errorDetail',
    path: '/api/render/submit/queryAnalyseErrorDetail',
    legacyPaths: ['/api/render/common/queryErrorDetail'],
    request: z
      .looseObject({
        /** 0 Chinese, 1 English */
        language: numberish(z.union([z.literal(0), z.literal(1)])).optional(),
        code: text(32).optional(),
        codes: z.array(text(32)).max(1000).optional(),
      })
      .refine((b) => b.code !== undefined || (b.codes !== undefined && b.codes.length > 0), {
        message: 'code or codes is required',
        path: ['code'],
      }),
    response: z.array(ErrorDetailSchema),
    summary: 'Describe analysis tip codes (warning or blocking error, solution).',
  }),
  'query.getTaskList': defineEndpoint({
    name: 'query.getTaskList',
    operator: 'query',
    method: 'getTaskList',
    path: '/api/render/handle/getTaskList/v2',
    legacyPaths: ['/api/render/task/getTaskList'],
    request: z.looseObject({
      pageNum: pageNum(),
      pageSize: pageSize(),
      statusList: z.array(intIn(0, 100)).max(20).optional(),
      /** Scene name or task id, fuzzy. */
      searchKeyword: text().optional(),
      startTime: dateTimeText().optional(),
      endTime: dateTimeText().optional(),
      /** 1: deleted tasks only */
      recycleFlag: numberish(z.union([z.literal(0), z.literal(1)])).optional(),
    }),
    response: paged(TaskInfoSchema),
    summary: 'Page through tasks.',
  }),
  'query.taskFrames': defineEndpoint({
    name: 'query.taskFrames',
    operator: 'query',
    method: 'taskFrames',
    path: '/api/render/handle/queryTaskFrames',
    legacyPaths: ['/api/render/task/queryTaskFrames'],
    request: z.looseObject({
      taskId: id(),
      pageNum: pageNum(),
      pageSize: pageSize(),
      searchKeyword: text().optional(),
    }),
    response: paged(FrameInfoSchema),
    summary: 'Page through the frames of a task.',
  }),
  'query.allFrameStatus': defineEndpoint({
    name: 'query.allFrameStatus',
    operator: 'query',
    method: 'allFrameStatus',
    path: '/api/render/handle/queryAllFrameStats',
    legacyPaths: ['/api/render/task/queryAllFrameStats'],
    request: emptyBody(),
    response: FrameStatsSchema,
    summary: 'Frame counts by state across the account.',
  }),
  'query.restartFailedFrames': defineEndpoint({
    name: 'query.restartFailedFrames',
    operator: 'query',
    method: 'restartFailedFrames',
    path: '/api/render/handle/recommitTasks',
    legacyPaths: ['/api/render/task/restartFailedFrames'],
    request: z.looseObject({ taskIds: idList(), status: frameStatusList().optional() }),
    response: nothing(),
    summary: 'Re-render the failed frames (or frames in `status`) of tasks.',
  }),
  'query.restartFrame': defineEndpoint({
    name: 'query.restartFrame',
    operator: 'query',
    method: 'restartFrame',
    path: '/api/render/handle/recommitTaskFrames',
    legacyPaths: ['/api/render/task/restartFrame'],
    request: frameSelection(),
    response: nothing(),
    summary: 'Re-render all or selected frames of a task.',
  }),
  'query.stopFrame': defineEndpoint({
    name: 'query.stopFrame',
    operator: 'query',
    method: 'stopFrame',
    path: '/api/render/handle/stopTaskFrames',
    legacyPaths: [],
    request: frameSelection(),
    response: nothing(),
    summary: 'Stop all or selected frames of a task.',
  }),
  'query.taskInfo': defineEndpoint({
    name: 'query.taskInfo',
    operator: 'query',
    method: 'taskInfo',
    path: '/api/render/handle/queryTaskInfo/v2',
    legacyPaths: ['/api/render/task/queryTaskInfo'],
    request: z.looseObject({ taskIds: idList() }),
    response: paged(TaskInfoSchema),
    summary: 'Details of tasks, child (layer) tasks included.',
  }),
  'query.supportedSoftware': defineEndpoint({
    name: 'query.supportedSoftware',
    operator: 'query',
    method: 'supportedSoftware',
    path: '/api/render/plugin/querySoftwareList',
    legacyPaths: ['/api/render/common/querySupportedSoftware'],
    request: emptyBody(),
    response: SoftwareListSchema,
    summary: 'The software the farm renders.',
  }),
  'query.supportedPlugin': defineEndpoint({
    name: 'query.supportedPlugin',
    operator: 'query',
    method: 'supportedPlugin',
    path: '/api/render/plugin/querySoftwareDetail',
    legacyPaths: ['/api/render/common/querySupportedPlugin'],
    request: z.looseObject({
      cgId: intIn(2000, 2999),
      /** "windows" or "linux" */
      osName: text(32).optional(),
    }),
    response: SoftwareDetailSchema,
    summary: 'Versions and plugins of one software.',
  }),
  'query.getTransferServerMsg': defineEndpoint({
    name: 'query.getTransferServerMsg',
    operator: 'query',
    method: 'getTransferServerMsg',
    path: '/api/render/transfer/getServerInfo',
    legacyPaths: ['/api/render/task/getTransferServerMsg'],
    // The reference client sends zone 1 for the international domain here,
    // the inverse of platforms(); servers must accept both.
    request: z.looseObject({ zone: zone() }),
    response: TransferServerInfoSchema,
    summary: 'Where the transfer server listens.',
  }),
  'query.getRaysyncUserKey': defineEndpoint({
    name: 'query.getRaysyncUserKey',
    operator: 'query',
    method: 'getRaysyncUserKey',
    path: '/api/render/transfer/getRaySyncUserKey',
    legacyPaths: ['/api/render/user/getRaySyncUserKey'],
    request: emptyBody(),
    response: RaysyncUserKeySchema,
    summary: 'The transfer credentials of the account.',
  }),
  'query.getTaskProcessingImg': defineEndpoint({
    name: 'query.getTaskProcessingImg',
    operator: 'query',
    method: 'getTaskProcessingImg',
    path: '/api/render/handle/loadTaskProcessImg',
    legacyPaths: ['/api/render/task/loadTaskProcessImg'],
    request: z.looseObject({
      taskId: id(),
      /** 2 photon, 5 main image */
      frameType: intIn(1, 9).optional(),
    }),
    response: ProcessImageSchema,
    summary: 'Block-render progress of a task.',
  }),
  'query.getFrameThumbnail': defineEndpoint({
    name: 'query.getFrameThumbnail',
    operator: 'query',
    method: 'getFrameThumbnail',
    path: '/api/render/handle/loadingFrameThumbnail',
    legacyPaths: ['/api/render/task/loadingFrameThumbnail'],
    request: z.looseObject({
      /** The frame id. */
      id: id(),
      /** Only done frames (4) have thumbnails. */
      frameStatus: intIn(1, 11).optional(),
    }),
    response: z.array(z.string()),
    summary: 'Thumbnail URLs of a done frame.',
  }),
  'query.getRenderLog': defineEndpoint({
    name: 'query.getRenderLog',
    operator: 'query',
    method: 'getRenderLog',
    path: '/api/render/handle/showLog',
    legacyPaths: [],
    request: z.looseObject({
      /** The frame id. */
      id: id(),
      renderingType: text(32).optional(),
      pageNum: pageNum().optional(),
      pageSize: pageSize().optional(),
    }),
    response: paged(z.string()),
    summary: 'Render log lines of a frame, paged.',
  }),
  'query.getPackNodeInfo': defineEndpoint({
    name: 'query.getPackNodeInfo',
    operator: 'query',
    method: 'getPackNodeInfo',
    path: '/api/render/submit/getUserPackNodeInfo',
    legacyPaths: [],
    request: emptyBody(),
    response: z.array(PackNodeSchema),
    summary: 'Reserved ("pack") render nodes of the account (documented only, not in the reference code).',
  }),
} as const;
