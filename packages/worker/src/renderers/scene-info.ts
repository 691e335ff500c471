/**
 * Reading the per-DCC `scene_info_render` of task.json (rayvision §3.1), which
 * falls back to `scene_info` as RayvisionCheck does.
 */
import type { RenderJob } from './adapter.js';

export type SceneInfo = Readonly<Record<string, unknown>>;

export function sceneInfo(job: RenderJob): SceneInfo {
  return job.task.scene_info_render ?? job.task.scene_info ?? {};
}

export function asRecord(v: unknown): SceneInfo | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as SceneInfo) : undefined;
}

export function asRecords(v: unknown): SceneInfo[] {
  return Array.isArray(v) ? v.map(asRecord).filter((r): r is SceneInfo => r !== undefined) : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}
