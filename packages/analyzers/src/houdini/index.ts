import { registerAnalyzer } from '../core/index.js';
import { AnalyzeHoudini } from './analyze-houdini.js';

export { AnalyzeHoudini } from './analyze-houdini.js';
export type { HoudiniDistributedSim } from './distributed-sim.js';
export type { HoudiniFileReference } from './file-parms.js';
export type { NodeContext } from './node-context.js';
export type { ParmComponent } from './parm-parser.js';
export { type HoudiniScene, type ReadHoudiniOptions, readHoudiniScene } from './read-scene.js';
export type { FrameRange, HoudiniRop } from './rops.js';
export { framesText, houdiniSceneInfoRender } from './scene-info.js';
export type { HoudiniNode } from './scene-tree.js';
export type { HipContainer } from './section.js';
export type { HipEnvironment } from './variables.js';

// The container is detected from the first bytes, so all three extensions share one analyzer.
registerAnalyzer(['.hip', '.hipnc', '.hiplc'], AnalyzeHoudini);
