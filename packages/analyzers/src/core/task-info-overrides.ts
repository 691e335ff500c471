import { TaskInfoFileSchema } from '@openfarm/protocol';
import { AnalyzeError } from './errors.js';

/**
 * The task_info fields a reader may set from what the scene says. The others
 * are the analyzer's (cg_id, input_cg_file, os_name), the caller's
 * (project_name, platform) or have a field of their own in SceneReadResult
 * (input_project_path, render_layer_type).
 */
export const READER_TASK_INFO_KEYS = [
  'frames_per_task',
  'pre_frames',
  'test_frames',
  'tiles_type',
  'tiles',
  'is_layer_rendering',
  'enable_layered',
  'is_distribute_render',
  'distribute_render_node',
  'is_picture',
  'multi_node',
  'geo_node_dependency',
] as const;

export type ReaderTaskInfoKey = (typeof READER_TASK_INFO_KEYS)[number];

/** task_info values a reader contributes; every value is text, as in task.json. */
export type TaskInfoOverrides = Partial<Record<ReaderTaskInfoKey, string>>;

const ALLOWED: ReadonlySet<string> = new Set(READER_TASK_INFO_KEYS);

/**
 * `taskInfo` with the reader's `overrides` applied, checked against the
 * protocol's task_info schema. Only problems in the keys the reader set are
 * reported (the rest was written before readers could set anything, and a
 * caller's odd platform is the server's to refuse): an AnalyzeError `CORRUPT`
 * naming the field, since the scene gave a value task.json cannot hold.
 */
export function applyTaskInfoOverrides(
  taskInfo: Readonly<Record<string, string>>,
  overrides: TaskInfoOverrides | undefined,
  sceneFile: string,
): Record<string, string> {
  // An undefined value means "not set", not a key to write.
  const set = Object.entries(overrides ?? {}).filter((e): e is [string, string] => e[1] !== undefined);
  if (set.length === 0) return { ...taskInfo };
  const keys = set.map(([k]) => k);
  const refused = keys.filter((k) => !ALLOWED.has(k));
  if (refused.length > 0) {
    throw new AnalyzeError('CORRUPT', `a reader may not set task_info ${refused.join(', ')}`, sceneFile);
  }
  const merged: Record<string, string> = { ...taskInfo, ...Object.fromEntries(set) };
  const parsed = TaskInfoFileSchema.safeParse(merged);
  const issues = parsed.success ? [] : parsed.error.issues.filter((i) => keys.includes(String(i.path[0])));
  if (issues.length > 0) {
    const detail = issues.map((i) => `task_info.${String(i.path[0])}: ${i.message}`).join('; ');
    throw new AnalyzeError('CORRUPT', `the scene gives an invalid task_info value (${detail})`, sceneFile);
  }
  return merged;
}
