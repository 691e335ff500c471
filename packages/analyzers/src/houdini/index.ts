export type { HoudiniDistributedSim } from './distributed-sim.js';
export type { HoudiniFileReference } from './file-parms.js';
export type { NodeContext } from './node-context.js';
export type { ParmComponent } from './parm-parser.js';
export { type HoudiniScene, type ReadHoudiniOptions, readHoudiniScene } from './read-scene.js';
export type { FrameRange, HoudiniRop } from './rops.js';
export type { HoudiniNode } from './scene-tree.js';
export type { HipContainer } from './section.js';
