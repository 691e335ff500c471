/**
 * `submitByData` (reference §1): check an in-memory task.json, store the job
 * files through the HTTP `taskJsonFile` endpoint instead of the transfer
 * engine, and submit. The reference called RayvisionCheck with its old
 * argument order and no hardware config; this runs the full check.
 */
import type { RayvisionAPI } from './api.js';
import { RayvisionCheck } from './check/check.js';
import type { HardwareRequest } from './check/hardware.js';
import { asTaskJson, type TipsDocument } from './check/job-documents.js';
import type { JsonObject } from './json/read-json.js';

export interface SubmitByDataOptions {
  hardwareConfig: HardwareRequest;
  tips?: TipsDocument;
  upload?: JsonObject;
  asset?: JsonObject;
  producer?: string;
}

/** Returns the task id; `taskJson` itself is not modified. */
export async function submitByData(
  api: RayvisionAPI,
  taskJson: JsonObject,
  options: SubmitByDataOptions,
): Promise<number> {
  const task = asTaskJson(structuredClone(taskJson), 'taskJson');
  const tips = options.tips ?? {};
  const taskId = await new RayvisionCheck(api).checkDocuments(task, tips, options.hardwareConfig);
  await api.transmit.uploadJsonContent(taskId, JSON.stringify(task), 'task.json');
  await api.transmit.uploadJsonContent(taskId, JSON.stringify(tips), 'tips.json');
  if (options.upload !== undefined) {
    await api.transmit.uploadJsonContent(taskId, JSON.stringify(options.upload), 'upload.json');
  }
  if (options.asset !== undefined) {
    await api.transmit.uploadJsonContent(taskId, JSON.stringify(options.asset), 'asset.json');
  }
  await api.submit(taskId, options.producer);
  return taskId;
}
