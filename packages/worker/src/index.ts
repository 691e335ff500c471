export { Agent, type AgentOptions, DEFAULT_CACHE_BYTES } from './agent/agent.js';
export { nodeCapabilities } from './agent/capabilities.js';
export { toRanges } from './agent/frame-ranges.js';
export { clampLogLine, LogBuffer, MAX_LOG_LINE } from './agent/log-buffer.js';
export {
  LeaseLostError,
  NODE_PATHS,
  NodeApi,
  NodeApiError,
  type NodeCapabilities,
  type WireLease,
} from './agent/node-api.js';
export { killLeftoverRenderers } from './agent/renderer-pids.js';
export { WarmPool, type WarmPoolOptions } from './agent/warm-pool.js';
export { type CacheFill, type CacheStats, ContentCache, hashFile } from './cache/content-cache.js';
export { WorkerError } from './errors.js';
export {
  captureOutput,
  groupAlive,
  runSupervised,
  type SupervisedCommand,
  type SupervisedExit,
  signalGroup,
} from './process/supervise.js';
export type {
  FrameRange,
  InstalledRenderer,
  RenderEvent,
  RendererAdapter,
  RenderJob,
  TaskJson,
} from './renderers/adapter.js';
export { framesOf } from './renderers/adapter.js';
export { blenderAdapter, blenderOutputPrefix } from './renderers/blender.js';
export { cinema4dAdapter } from './renderers/cinema4d.js';
export { clarisseAdapter } from './renderers/clarisse.js';
export { houdiniAdapter } from './renderers/houdini.js';
export { katanaAdapter } from './renderers/katana.js';
export { mayaAdapter } from './renderers/maya.js';
export { adapterFor, detectRenderers, RENDERER_ADAPTERS } from './renderers/registry.js';
export { type RenderResult, type RenderRunOptions, runRender } from './renderers/run-render.js';
export {
  type WarmRenderResult,
  WarmSession,
  WarmStalledError,
  type WarmStartOptions,
} from './renderers/warm-session.js';
export { type BlobFetcher, type StagedInput, stagedPath, stageInputs } from './staging/stage-inputs.js';
export { canThumbnail, makeThumbnail, THUMBNAIL_MAX_SIZE } from './thumbnails/thumbnail.js';
