/**
 * The job's JSON documents as RayvisionCheck reads and rewrites them: from the
 * analyzer's files, or in memory (submitByData).
 */
import { readFile, stat } from 'node:fs/promises';
import { JobFileError, parseJobFile, validateJobFile } from '@openfarm/protocol';
import { RayvisionError } from '../errors.js';
import { writeJsonAtomic } from '../json/atomic-write.js';
import { isJsonObject, type JsonObject, readJsonObject } from '../json/read-json.js';

export interface TaskJsonDocument extends JsonObject {
  task_info: Record<string, unknown>;
  software_config: { cg_name?: string; cg_version: string; plugins?: Record<string, string> } & JsonObject;
  scene_info_render?: JsonObject;
  scene_info?: JsonObject;
}

/** tips.json: code → details (the reference even has a bare string as details). */
export type TipsDocument = Record<string, unknown>;

/** Anything carrying the four job file paths — what the Analyze* classes expose. */
export interface JobFilePaths {
  taskJson: string;
  tipsJson?: string;
  assetJson?: string;
  uploadJson?: string;
}

/** Check the shape RayvisionCheck relies on and name what is missing. */
export function asTaskJson(doc: JsonObject, source: string): TaskJsonDocument {
  if (!isJsonObject(doc.task_info)) {
    throw new RayvisionError('TASK_KEY_ERROR', `${source} has no "task_info" object`);
  }
  const sc = doc.software_config;
  if (!isJsonObject(sc) || typeof sc.cg_version !== 'string') {
    throw new RayvisionError(
      'TASK_KEY_ERROR',
      `${source} has no "software_config" with a "cg_version" string`,
    );
  }
  if (sc.plugins !== undefined && !isJsonObject(sc.plugins)) {
    throw new RayvisionError('TASK_KEY_ERROR', `${source}: software_config.plugins must be an object`);
  }
  return doc as TaskJsonDocument;
}

export async function readTaskJson(path: string): Promise<TaskJsonDocument> {
  return asTaskJson(await readJsonObject(path), path);
}

/** tips.json is optional for a job (Blender writes `{}`; a hand-made job may have none). */
export async function readTips(path: string | undefined): Promise<TipsDocument> {
  if (path === undefined) return {};
  const exists = await stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
  return exists ? readJsonObject(path) : {};
}

/** The tips details as a list of strings, whatever shape the analyzer wrote. */
export function tipDetails(value: unknown): string[] {
  if (Array.isArray(value)) return value.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
  if (value === undefined || value === null || value === '') return [];
  return [typeof value === 'string' ? value : JSON.stringify(value)];
}

/**
 * Put task.json in the shape the farm reads (reference §5 step 7): a
 * `scene_info_render` (copied from `scene_info` when only that exists) and
 * every scalar of `task_info` as a string — what MODIFIABLE_PARAM re-stringified
 * in the reference, applied to all keys since the farm reads them all as text.
 */
export function normaliseTaskJson(doc: TaskJsonDocument): void {
  if (doc.scene_info_render === undefined && doc.scene_info !== undefined) {
    doc.scene_info_render = doc.scene_info;
  }
  for (const [key, value] of Object.entries(doc.task_info)) {
    if (typeof value === 'number' || typeof value === 'boolean') doc.task_info[key] = String(value);
  }
}

function asCheckError(error: unknown): unknown {
  if (!(error instanceof JobFileError)) return error;
  return new RayvisionError('PARAMETER_INVALID', error.message, {
    detail: { issues: error.issues },
    cause: error,
  });
}

/** Check task.json against the protocol's schema; every bad field is named in one error (600). */
export function assertValidTaskJson(doc: TaskJsonDocument): void {
  try {
    validateJobFile('task', doc);
  } catch (error) {
    throw asCheckError(error);
  }
}

/**
 * Check upload.json against the protocol's schema, so a broken asset list is
 * reported before a task id is taken rather than by the upload after it.
 */
export async function assertValidUploadJson(path: string): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new RayvisionError('UPLOAD_JSON_MISSING', `upload.json not found: ${path}`, { cause });
    }
    throw cause;
  }
  try {
    parseJobFile('upload', text, path);
  } catch (error) {
    throw asCheckError(error);
  }
}

export function writeTaskJson(path: string, doc: TaskJsonDocument): Promise<void> {
  return writeJsonAtomic(path, doc);
}
