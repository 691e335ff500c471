/**
 * Validation of the four job files with errors a user can act on: each issue
 * names the file, the field path and what was expected, e.g.
 * `task.json: task_info.frames_per_task: expected a positive whole number as text, e.g. "1"`.
 */
import { type AssetJson, AssetJsonSchema } from './asset-json.js';
import { formatFieldPath, issueMessage } from './issues.js';
import { type TaskJson, TaskJsonSchema } from './task-json.js';
import { type TipsJson, TipsJsonSchema } from './tips-json.js';
import { type UploadJson, UploadJsonSchema } from './upload-json.js';

export const JOB_FILE_SCHEMAS = {
  task: TaskJsonSchema,
  upload: UploadJsonSchema,
  asset: AssetJsonSchema,
  tips: TipsJsonSchema,
} as const;

export type JobFileKind = keyof typeof JOB_FILE_SCHEMAS;

export interface JobFileTypes {
  task: TaskJson;
  upload: UploadJson;
  asset: AssetJson;
  tips: TipsJson;
}

export interface JobFileIssue {
  /** Field path, e.g. `task_info.frames_per_task` or `asset[3].server`; "" for the whole file. */
  readonly path: string;
  readonly message: string;
}

export class JobFileError extends Error {
  constructor(
    readonly fileName: string,
    readonly issues: readonly JobFileIssue[],
  ) {
    super(issues.map((i) => `${fileName}: ${i.path === '' ? '' : `${i.path}: `}${i.message}`).join('\n'));
    this.name = 'JobFileError';
  }
}

/** Check a parsed job file; returns it with defaults applied, or throws {@link JobFileError}. */
export function validateJobFile<K extends JobFileKind>(
  kind: K,
  value: unknown,
  fileName = `${kind}.json`,
): JobFileTypes[K] {
  const r = JOB_FILE_SCHEMAS[kind].safeParse(value, { reportInput: true });
  if (r.success) return r.data as JobFileTypes[K];
  throw new JobFileError(
    fileName,
    r.error.issues.map((i) => ({ path: formatFieldPath(i.path), message: issueMessage(i) })),
  );
}

/** Parse job file text (a UTF-8 BOM is tolerated, as Windows editors write one) and validate it. */
export function parseJobFile<K extends JobFileKind>(
  kind: K,
  text: string,
  fileName = `${kind}.json`,
): JobFileTypes[K] {
  let value: unknown;
  try {
    value = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    throw new JobFileError(fileName, [{ path: '', message: `not valid JSON (${(e as Error).message})` }]);
  }
  return validateJobFile(kind, value, fileName);
}
