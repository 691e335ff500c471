import { registerAnalyzer } from '../core/index.js';
import { AnalyzeBlender } from './analyze-blender.js';

export { AnalyzeBlender } from './analyze-blender.js';
export type {
  BlendExternalFile,
  BlendExternalKind,
  BlendImage,
  BlendImageSource,
  BlendInfo,
  BlendLibrary,
  BlendMarkerCamera,
  BlendScene,
  BlendViewLayer,
} from './blend-info.js';
export { resolveBlenderPath } from './blender-paths.js';
export type { BlendCompression } from './container.js';
export { effectiveEngine } from './engines.js';
export { type BlendLimits, DEFAULT_BLEND_LIMITS } from './limits.js';
export { blenderVersionText, type ReadBlendOptions, readBlend, readBlendFile } from './read-blend.js';

// `.blend1`, `.blend2` … are Blender's backups of earlier saves: ordinary .blend files.
registerAnalyzer(['.blend', /\.blend\d+$/], AnalyzeBlender);
