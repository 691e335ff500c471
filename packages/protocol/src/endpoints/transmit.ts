/** The transmit operator (`api.transmit`, §2.7): config upload over HTTP, transfer config, output listing. */
import { z } from 'zod';
import { emptyBody, id, nothing, text } from '../models/primitives.js';
import { OutputFileSchema, TransferConfigSchema } from '../models/transfer.js';
import { defineEndpoint } from './define.js';

/** The four job files a task can carry. */
export const JOB_FILE_NAMES = ['task.json', 'upload.json', 'asset.json', 'tips.json'] as const;
export type JobFileName = (typeof JOB_FILE_NAMES)[number];

/** Upper bound of one job file sent as text (a 100k-asset upload.json is ~30 MB). */
export const MAX_JOB_FILE_CHARS = 64 * 1024 * 1024;

export const TRANSMIT_ENDPOINTS = {
  'transmit.uploadJsonContent': defineEndpoint({
    name: 'transmit.uploadJsonContent',
    operator: 'transmit',
    method: 'uploadJsonContent',
    path: '/api/render/submit/taskJsonFile',
    legacyPaths: ['/api/render/task/taskJsonFile'],
    request: z.looseObject({
      taskId: id(),
      fileName: z.enum(JOB_FILE_NAMES),
      /** The file's JSON text. */
      content: z.string().min(2).max(MAX_JOB_FILE_CHARS),
    }),
    response: nothing(),
    summary: 'Store a job file of a task (instead of uploading it through the transfer engine).',
  }),
  'transmit.getTransferConfig': defineEndpoint({
    name: 'transmit.getTransferConfig',
    operator: 'transmit',
    method: 'getTransferConfig',
    path: '/api/render/transfer/getConfig',
    legacyPaths: [],
    request: emptyBody(),
    response: TransferConfigSchema,
    summary: 'Storage ids, transfer engines and lines.',
  }),
  'transmit.getOutputFiles': defineEndpoint({
    name: 'transmit.getOutputFiles',
    operator: 'transmit',
    method: 'getOutputFiles',
    path: '/api/render/file/operate/getOutputUserDirFile',
    legacyPaths: [],
    request: z.looseObject({
      /** Folder relative to the output storage root; forced to "/" of the task when `taskId` is given. */
      treePath: text(4096),
      taskId: id().optional(),
    }),
    response: z.array(OutputFileSchema),
    summary: 'List a folder of the output storage.',
  }),
} as const;
