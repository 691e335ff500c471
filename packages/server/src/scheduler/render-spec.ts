/**
 * A task as the scheduler and its nodes see it: the requirements a node must
 * meet (matching.ts) and the job a node receives with each lease — task.json,
 * the render unit (layer), the scene's server path and every input file by
 * hash, so the node can stage them from its content cache.
 */
import { localToServerPath, type NodeLeaseJob, softwareById } from '@openfarm/protocol';
import type { TaskRequirements } from './matching.js';
import type { TaskRenderRow } from './sql/task-render-spec.js';

export interface RenderSpec {
  readonly taskId: number;
  readonly userId: number;
  readonly inputOwnerId: number;
  readonly requirements: TaskRequirements;
  readonly taskJson: Record<string, unknown>;
  /** Blender scene, Maya layer, Houdini ROP…; empty for a single-unit scene. */
  readonly layer: string;
  /** Server path of the scene file. */
  readonly scenePath: string;
  /** Server paths the node must stage (scene included). */
  readonly inputPaths: readonly string[];
  /** Folder of the task's results in the owner's output storage (`<taskId>_<sceneName>`). */
  readonly outputFolder: string;
}

/** What the node receives with a lease: the wire contract's type (@openfarm/protocol node-wire.ts). */
export type LeaseJob = NodeLeaseJob;

function object(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
    ? (v as Record<string, unknown>)
    : undefined;
}

function serverPathOf(p: unknown): string | undefined {
  if (typeof p !== 'string' || p === '') return undefined;
  try {
    return localToServerPath(p);
  } catch {
    return undefined;
  }
}

/**
 * The task itself cannot be rendered as it stands (no task.json, a file that
 * is not JSON, no scene named): retrying cannot help, so the scheduler fails
 * the task with this message instead of skipping it on every poll. Any other
 * error while reading a spec (the store, a storage read) is retried.
 */
export class RenderSpecError extends Error {
  override readonly name = 'RenderSpecError';
}

function parseJobFile(taskId: number, fileName: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new RenderSpecError(`task ${taskId}: ${fileName} is not JSON (${(err as Error).message})`);
  }
}

export function buildRenderSpec(row: TaskRenderRow): RenderSpec {
  if (row.taskJson === undefined) throw new RenderSpecError(`task ${row.id} has no task.json`);
  const taskJson = object(parseJobFile(row.id, 'task.json', row.taskJson)) ?? {};
  const info = object(taskJson.task_info) ?? {};
  const software = object(taskJson.software_config) ?? {};
  const cgName =
    typeof software.cg_name === 'string' ? software.cg_name : (softwareById(row.cgId ?? 0)?.cgName ?? '');
  const scenePath = serverPathOf(info.input_cg_file);
  if (scenePath === undefined)
    throw new RenderSpecError(
      `task ${row.id}: task.json names no scene file (task_info.input_cg_file is missing or not a path)`,
    );
  const paths = new Set<string>([scenePath]);
  const upload =
    row.uploadJson === undefined ? {} : (object(parseJobFile(row.id, 'upload.json', row.uploadJson)) ?? {});
  const entries = [upload.asset, upload.scene].flatMap((v) =>
    Array.isArray(v) ? v : v === undefined ? [] : [v],
  );
  for (const e of entries) {
    const server = object(e)?.server;
    if (typeof server === 'string' && server !== '')
      paths.add(server.startsWith('/') ? server : `/${server}`);
  }
  const gpu = row.gpuNum === null ? null : Number.parseInt(row.gpuNum, 10);
  return {
    taskId: row.id,
    userId: row.userId,
    inputOwnerId: row.inputOwnerId,
    requirements: {
      cgName,
      cgVersion: typeof software.cg_version === 'string' ? software.cg_version : '',
      platform: row.platform,
      hardwareConfigId: row.hardwareConfigId,
      gpuNum: gpu === null || Number.isNaN(gpu) ? null : gpu,
    },
    taskJson,
    layer: row.layerName,
    scenePath,
    inputPaths: [...paths],
    outputFolder: row.outputFolder,
  };
}
