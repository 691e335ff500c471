export type {
  BlendExternalFile,
  BlendExternalKind,
  BlendImage,
  BlendImageSource,
  BlendInfo,
  BlendLibrary,
  BlendScene,
  BlendViewLayer,
} from './blend-info.js';
export type { BlendCompression } from './container.js';
export { effectiveEngine } from './engines.js';
export { type BlendLimits, DEFAULT_BLEND_LIMITS } from './limits.js';
export { blenderVersionText, type ReadBlendOptions, readBlend, readBlendFile } from './read-blend.js';
