import type { TaskInfoOverrides } from '../core/index.js';
import type { HoudiniScene } from './read-scene.js';

/**
 * task_info for a scene with HQueue distributed simulations (reference
 * §3.1: `is_distribute_render` is for Houdini distributed sims,
 * `distribute_render_node` the node count). Every slice of a distributed
 * sim runs at the same time on its own node, talking to the others through
 * the sim tracker, so the task needs as many nodes as the largest sim has
 * slices. A bypassed sim is not rendered (render "0") and does not count.
 */
export function houdiniTaskInfo(scene: HoudiniScene): TaskInfoOverrides {
  const bypassed = new Set(scene.rops.filter((r) => r.bypassed).map((r) => r.node));
  const slices = scene.distributedSims.filter((s) => !bypassed.has(s.node)).map((s) => s.numSlices);
  if (slices.length === 0) return {};
  return { is_distribute_render: '1', distribute_render_node: String(Math.max(...slices)) };
}
