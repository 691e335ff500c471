import { parmNumber, parmString, parmToken } from './parm-values.js';
import type { HoudiniRop } from './rops.js';
import type { HoudiniNode } from './scene-tree.js';
import type { HipEnvironment } from './variables.js';

/**
 * An HQueue Simulation ROP (`hq_sim`) runs one simulation sliced over
 * several machines: `hq_driver` is the output driver that writes the
 * slices, `hq_sim_controls` the DOP node that coordinates them.
 */
export interface HoudiniDistributedSim {
  node: string;
  outputDriver?: string;
  simControlName?: string;
  /** Output of the driven ROP, variables expanded. */
  outputFile?: string;
  numSlices: number;
  sliceType?: string;
}

/** The reference caps a distributed simulation at 16 slices. */
export const MAX_SLICES = 16;

export function describeDistributedSims(
  rops: HoudiniRop[],
  nodes: Map<string, HoudiniNode>,
  env: HipEnvironment,
): HoudiniDistributedSim[] {
  const byNode = new Map(rops.map((r) => [r.node, r]));
  return rops
    .filter((r) => r.role === 'distributedsim')
    .map((rop) => {
      const node = nodes.get(rop.node)!;
      const outputDriver = parmString(node, 'hq_driver', env)?.value || undefined;
      const slices = parmNumber(node, 'num_slices', env)?.value ?? 1;
      return {
        node: rop.node,
        outputDriver,
        simControlName: parmString(node, 'hq_sim_controls', env)?.value || undefined,
        outputFile: outputDriver === undefined ? undefined : byNode.get(outputDriver)?.output,
        numSlices: Math.max(1, Math.min(MAX_SLICES, Math.trunc(slices))),
        sliceType: parmToken(node, 'slice_type'),
      };
    });
}
