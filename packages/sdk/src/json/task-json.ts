/**
 * Edits of task.json (reference §3.7): `updateTaskInfo` changes existing
 * `task_info` fields, `appendToTask` adds free-form keys under
 * `additional_info`. Both write atomically.
 */
import { RayvisionError } from '../errors.js';
import { writeJsonAtomic } from './atomic-write.js';
import { isJsonObject, type JsonObject, readJsonObject } from './read-json.js';

export type TaskInfoValue = string | number;

async function readTaskJson(taskJsonPath: string): Promise<{ doc: JsonObject; taskInfo: JsonObject }> {
  const doc = await readJsonObject(taskJsonPath);
  const taskInfo = doc.task_info;
  if (!isJsonObject(taskInfo)) {
    throw new RayvisionError('TASK_KEY_ERROR', `${taskJsonPath} has no "task_info" object`);
  }
  return { doc, taskInfo };
}

/**
 * Change fields of `task_info`. Every key must already exist (a typo must not
 * silently add a field the farm ignores): unknown keys fail with 1000002 and
 * nothing is written. Numbers are stored as strings, task.json's convention.
 * Returns the updated `task_info`.
 */
export async function updateTaskInfo(
  update: Readonly<Record<string, TaskInfoValue>>,
  taskJsonPath: string,
): Promise<JsonObject> {
  const { doc, taskInfo } = await readTaskJson(taskJsonPath);
  const unknown = Object.keys(update).filter((k) => !Object.hasOwn(taskInfo, k));
  if (unknown.length > 0) {
    throw new RayvisionError(
      'TASK_KEY_ERROR',
      `task_info has no key ${unknown.map((k) => `"${k}"`).join(', ')} (known: ${Object.keys(taskInfo).join(', ')})`,
      { detail: { unknown } },
    );
  }
  for (const [key, value] of Object.entries(update)) {
    if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
      throw new RayvisionError('TASK_KEY_ERROR', `task_info.${key} must be a string or a finite number`);
    }
    taskInfo[key] = String(value);
  }
  await writeJsonAtomic(taskJsonPath, doc);
  return taskInfo;
}

export interface AppendToTaskOptions {
  /** Replace keys already in `additional_info` (default true); false refuses them with 1000002. */
  cover?: boolean;
}

/**
 * Merge `custom` into task.json's top-level `additional_info` (created when
 * absent). The reference never wrote new keys when `cover` was false; here
 * they are written and only the existing ones are refused.
 * Returns the resulting `additional_info`.
 */
export async function appendToTask(
  custom: Readonly<Record<string, unknown>>,
  taskJsonPath: string,
  options: AppendToTaskOptions = {},
): Promise<JsonObject> {
  const doc = await readJsonObject(taskJsonPath);
  const existing = doc.additional_info;
  if (existing !== undefined && !isJsonObject(existing)) {
    throw new RayvisionError('TASK_KEY_ERROR', `${taskJsonPath}: "additional_info" is not an object`);
  }
  const additional: JsonObject = existing ?? {};
  if (options.cover === false) {
    const clash = Object.keys(custom).filter((k) => Object.hasOwn(additional, k));
    if (clash.length > 0) {
      throw new RayvisionError(
        'TASK_KEY_ERROR',
        `additional_info already has ${clash.map((k) => `"${k}"`).join(', ')}; pass { cover: true } to replace`,
        { detail: { existing: clash } },
      );
    }
  }
  Object.assign(additional, custom);
  doc.additional_info = additional;
  await writeJsonAtomic(taskJsonPath, doc);
  return additional;
}
