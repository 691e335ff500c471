/**
 * Blender `.blend` support without Blender.
 * - `readBlend(bytes)` / `readBlendFile(path)` → `BlendInfo`: every scene, view
 *   layers, cameras, images, libraries and every external path, read through
 *   the file's own SDNA (plain, gzip, zstd; legacy and 5.x headers; 32/64-bit;
 *   both byte orders).
 * - `AnalyzeBlender`: the reference analyzer's job files for a .blend
 *   (registered for `.blend`, `.blend1`, `.blend2`…).
 * - `effectiveEngine(stored, version)`: the engine name a Blender version renders a stored engine with.
 * - `resolveBlenderPath(stored, blendDir)`: Blender `//` paths to local ones.
 */
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
