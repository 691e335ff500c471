import { registerAnalyzer } from '../core/index.js';
import { AnalyzeHoudini } from './analyze-houdini.js';

export { AnalyzeHoudini } from './analyze-houdini.js';
export type { HoudiniDistributedSim } from './distributed-sim.js';
export type { HoudiniFileReference } from './file-parms.js';
export type { HoudiniAssetLibrary } from './hda-libraries.js';
export type { NodeContext as HoudiniNodeContext } from './node-context.js';
export type { ParmComponent as HoudiniParmComponent } from './parm-parser.js';
export { type HoudiniScene, type ReadHoudiniOptions, readHoudiniScene } from './read-scene.js';
export type { FrameRange as HoudiniFrameRange, HoudiniRop } from './rops.js';
export { houdiniSceneInfoRender } from './scene-info.js';
export type { HoudiniNode } from './scene-tree.js';
export type { HipContainer } from './section.js';
export type { HipEnvironment as HoudiniEnvironment } from './variables.js';

// The container is detected from the first bytes, so all three extensions share one analyzer.
registerAnalyzer(['.hip', '.hipnc', '.hiplc'], AnalyzeHoudini);
