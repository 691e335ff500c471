/**
 * Which node may render which task: the node must have the task's software at
 * a matching version, serve the task's platform, and stand for its hardware
 * configuration. Pure functions; the scheduler applies them to cached rows.
 *
 * Not matched: `os_name`. The reference derives it from the submitting machine,
 * and openfarm renders scenes saved on Windows on Linux nodes by remapping paths.
 */
import { canonicalVersion } from '@openfarm/protocol';

export interface RendererVersion {
  readonly cgName: string;
  readonly version: string;
}

export interface NodeProfile {
  readonly platform: number | null;
  readonly gpus: number;
  readonly renderers: readonly RendererVersion[];
  /** Hardware configuration ids the node stands for; empty = every CPU configuration. */
  readonly hardwareConfigIds: readonly number[];
}

export interface TaskRequirements {
  readonly cgName: string;
  /** `software_config.cg_version`; empty = any version. */
  readonly cgVersion: string;
  readonly platform: number;
  readonly hardwareConfigId: number | null;
  /** GPUs the hardware configuration asks for; null for a CPU configuration. */
  readonly gpuNum: number | null;
}

/**
 * A node's version satisfies a requested one when equal, or when it is a more
 * precise release of it: Blender 3.4.1 renders a task asking for "3.4";
 * Houdini 19.5.303 one asking for "19.5". "3.4" never satisfies "3.4.1".
 * Both sides are first put in one spelling (canonicalVersion), so a Clarisse
 * node (`clarisse_ifx_4.0_sp3` → 4.0.3) renders a project the analyzer read as
 * Clarisse `4`, and a Katana `4.0v5` node a task asking for `4.0v5` or `4.0`.
 */
export function versionSatisfies(nodeVersion: string, wanted: string): boolean {
  const n = canonicalVersion(nodeVersion);
  const w = canonicalVersion(wanted);
  return w === '' || n === w || n.startsWith(`${w}.`);
}

export function nodeCanRender(node: NodeProfile, task: TaskRequirements): boolean {
  const name = task.cgName.trim().toLowerCase();
  const hasSoftware = node.renderers.some(
    (r) => r.cgName.trim().toLowerCase() === name && versionSatisfies(r.version, task.cgVersion),
  );
  if (!hasSoftware) return false;
  if (node.platform !== null && node.platform !== task.platform) return false;
  if (task.gpuNum !== null && node.gpus < Math.max(1, task.gpuNum)) return false;
  if (task.hardwareConfigId !== null && node.hardwareConfigIds.length > 0) {
    return node.hardwareConfigIds.includes(task.hardwareConfigId);
  }
  return true;
}
