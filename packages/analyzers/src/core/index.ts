/**
 * Shared core of the scene analyzers. The API other format folders build on:
 *
 * - `SceneAnalyzer<S>` — abstract base of every Analyze* class. Subclass it with
 *   `protected readonly software = { cgName: 'Maya', cgId: '2000', missingFileTipCode: TIP_CODES.mayaMissingFile }`
 *   and `protected readScene(ctx: ReadContext): SceneReadResult<S> | Promise<…>`.
 *   The constructor (`new X(options: AnalyzeOptions)`) checks the scene exists and creates
 *   `<workspace>/<unix seconds><pid>[_n]/`; `await x.analyse()` calls readScene and writes
 *   task.json / asset.json / tips.json / upload.json, then exposes `taskInfo`, `assetInfo`,
 *   `tipsInfo`, `uploadInfo`, `scene`, `dependencies`, `partial` beside the paths
 *   `taskJson`, `assetJson`, `tipsJson`, `uploadJson`, `jobDir`.
 *   The base adds the missing-file tip (software.missingFileTipCode) for every missing
 *   dependency and tip 15013 when `softwareVersion` disagrees with `savedVersion`
 *   (`versionsMatch`: equal or dotted prefix). cg_version = softwareVersion ?? savedVersion.
 * - `SceneReadResult<S>` — what readScene returns: `scene`, `savedVersion`, `plugins`,
 *   `sceneInfoRender` and/or `sceneInfo`, `dependencies` (a DependencyCollector), `tips`,
 *   `inputProjectPath`, `renderLayerType`, `taskInfo` (overrides of the task_info fields in
 *   `READER_TASK_INFO_KEYS`, checked against the protocol's schema), `partial`.
 * - `DependencyCollector` — `new DependencyCollector({ roots, variables?, isBuiltin?, sceneFile?, limits?, findMovedFiles? })`;
 *   `add({ path, owner, kind, sequence?, roots? })` (`roots` replaces the collector's for one reference) resolves at once and returns a `ResolvedDependency`
 *   (`status` 'found' | 'missing' | 'builtin', `pattern`, `resolved`, `files`) or undefined for an
 *   empty path; `all()`, `missing()`, `files()`. Relative paths are tried against each root in
 *   order; `$NAME`/`${NAME}` are expanded for the given variables only; separators normalized;
 *   file-name tokens `####`, `%04d`, `$F`, `$F4`, `${F4}`, `$FF`, `$SF`, `<UDIM>`, `<UVTILE>`, `<UVTILE0>`, `*`, `?`,
 *   `<U>`/`<V>`, `<f>`, `<frame>` expand to the files that exist (one bounded directory scan);
 *   `sequence: 'udim' | 'frames'` rewrites a literal member (`x_1001.png` → `x_<UDIM>.png`).
 *   Drive/UNC paths are only looked up on Windows. A folder that exists counts as found.
 *   `findMovedFiles: true` also looks for a missing absolute path's tails under the roots.
 * - `AnalyzeError(code, message, file?)` — the package's only error; codes in `AnalyzeErrorCode`.
 * - `registerAnalyzer(['.ext', /re/], Class)` / `analyzerFor(file)` / `analyzeScene(file, options)`.
 *   Each format folder's index.ts registers its class.
 * - `kindOfExtension(path, table)` — a dependency's kind from its file extension:
 *   `COMMON_EXTENSION_KINDS` (Alembic, USD, VDB, OBJ/FBX) plus per-DCC additions
 *   (`HOUDINI_EXTENSION_KINDS`, `CLARISSE_EXTENSION_KINDS`); anything else is a texture.
 * - `TIP_CODES` — missing file: Maya and Blender 10012, Houdini 50001, Clarisse 25009; 15013 version.
 * - Path helpers: `normalizeSeparators`, `forwardSlashes`, `expandVariables`, `isAbsoluteAnyOs`,
 *   `fileNamePattern`, `applySequenceHint`. Server paths come from @openfarm/protocol's `localToServerPath`;
 *   task_info defaults from its `TASK_INFO_DEFAULTS`.
 */
export {
  type CollectorLimits,
  DEFAULT_COLLECTOR_LIMITS,
  DependencyCollector,
} from './dependency-collector.js';
export type {
  DependencyCollectorOptions,
  DependencyKind,
  DependencyRef,
  DependencyStatus,
  ResolvedDependency,
} from './dependency-collector.js';
export { AnalyzeError, type AnalyzeErrorCode } from './errors.js';
export {
  CLARISSE_EXTENSION_KINDS,
  COMMON_EXTENSION_KINDS,
  type ExtensionKinds,
  HOUDINI_EXTENSION_KINDS,
  kindOfExtension,
} from './extension-kinds.js';
export type { AssetJsonContent, TaskJsonContent, TipsJsonContent, UploadJsonContent } from './job-files.js';
export type { JsonObject, JsonValue } from './json-value.js';
export type { AnalyzeOptions } from './options.js';
export {
  expandVariables,
  forwardSlashes,
  isAbsoluteAnyOs,
  isDrivePath,
  isUncPath,
  normalizeSeparators,
} from './path-text.js';
export {
  type AnalyzerClass,
  analyzeScene,
  analyzerFor,
  type ExtensionMatcher,
  registerAnalyzer,
} from './registry.js';
export {
  type ReadContext,
  SceneAnalyzer,
  type SceneReadResult,
  type SoftwareInfo,
} from './scene-analyzer.js';
export {
  applySequenceHint,
  fileNamePattern,
  hasSequenceToken,
  type SequenceHint,
} from './sequence-pattern.js';
export { readSceneBytes } from './read-scene-bytes.js';
export {
  READER_TASK_INFO_KEYS,
  type ReaderTaskInfoKey,
  type TaskInfoOverrides,
} from './task-info-overrides.js';
export { TIP_CODES } from './tip-codes.js';
export { versionsMatch } from './version-check.js';
