import type { JsonObject } from '../core/index.js';
import type { HoudiniScene } from './read-scene.js';
import type { FrameRange, HoudiniRop } from './rops.js';

/**
 * task.json `scene_info_render` for Houdini (reference §3.1): image ROPs in
 * `rop_node` (option "-1"), geometry/cache writers in `geo_node` (option
 * "0"), HQueue distributed simulations in `distributedsim_node` (option
 * "1"). A bypassed ROP is listed with render "0". Merge/fetch nodes only
 * drive other ROPs and are not listed themselves. Frames are the ROP's `f`
 * range with its channel expressions evaluated.
 */
export function houdiniSceneInfoRender(scene: HoudiniScene): JsonObject {
  const ropNode: JsonObject[] = [];
  const geoNode: JsonObject[] = [];
  for (const rop of scene.rops) {
    if (rop.role === 'render') ropNode.push(entry(rop, '-1'));
    else if (rop.role === 'cache') geoNode.push(entry(rop, '0'));
  }
  const byNode = new Map(scene.rops.map((r) => [r.node, r]));
  const distributedsimNode: JsonObject[] = scene.distributedSims.map((sim) => {
    const rop = byNode.get(sim.node)!;
    return {
      node: sim.node,
      output_driver: sim.outputDriver ?? '',
      simControlName: sim.simControlName ?? '',
      output_file: sim.outputFile ?? '',
      num_slices: String(sim.numSlices),
      sliceType: sim.sliceType ?? '',
      option: '1',
      frames: framesText(rop.frames),
      render: rop.bypassed ? '0' : '1',
    };
  });
  return { rop_node: ropNode, geo_node: geoNode, distributedsim_node: distributedsimNode };
}

function entry(rop: HoudiniRop, option: string): JsonObject {
  return {
    node: rop.node,
    frames: framesText(rop.frames),
    option,
    render: rop.bypassed ? '0' : '1',
    width: rop.resolution === undefined ? '' : String(rop.resolution.width),
    height: rop.resolution === undefined ? '' : String(rop.resolution.height),
  };
}

/** The reference's `start-end[step]`. */
function framesText(range: FrameRange): string {
  return `${range.start}-${range.end}[${range.step}]`;
}
