import { statSync } from 'node:fs';
import { localToServerPath } from '@openfarm/protocol';
import type { ResolvedDependency } from './dependency-collector.js';
import type { JsonObject } from './json-value.js';
import { AnalyzeError } from './errors.js';
import { forwardSlashes } from './path-text.js';

/** task.json (reference §3.1). */
export interface TaskJsonContent {
  task_info: Record<string, string>;
  software_config: { cg_name: string; cg_version: string; plugins: Record<string, string> };
  scene_info_render?: JsonObject;
  scene_info?: JsonObject;
}

/**
 * asset.json (reference §3.2): `asset` lines `<path>  (mtime <t>) size <s>`
 * (the reference SDK keeps the text before `  (mtime`), `missing_file` the
 * resolved paths that were not found.
 */
export interface AssetJsonContent {
  asset: string[];
  missing_file: string[];
}

/** upload.json (reference §3.3). */
export interface UploadJsonContent {
  asset: { local: string; server: string }[];
  scene: { local: string; server: string; hash: string }[];
}

/** tips.json (reference §3.4): code → details. */
export type TipsJsonContent = Record<string, string[]>;

export function buildAssetJson(
  files: readonly string[],
  missing: readonly ResolvedDependency[],
): AssetJsonContent {
  const asset = files.map((f) => {
    let stamp = '';
    try {
      const st = statSync(f);
      stamp = `  (mtime ${Math.floor(st.mtimeMs / 1000)}) size ${st.size}`;
    } catch {
      // Deleted between resolution and writing: the path alone still tells the SDK what to upload.
    }
    return forwardSlashes(f) + stamp;
  });
  const missingFiles = [...new Set(missing.map((d) => forwardSlashes(d.resolved)))];
  return { asset, missing_file: missingFiles };
}

/** upload.json: every existing dependency, then the scene itself (the reference appends it last). */
export function buildUploadJson(
  files: readonly string[],
  sceneFile: string,
  sceneMd5: string,
): UploadJsonContent {
  const sceneLocal = forwardSlashes(sceneFile);
  const locals = [...new Set(files.map(forwardSlashes))].filter((l) => l !== sceneLocal);
  const asset = [...locals, sceneLocal].map((local) => ({ local, server: serverPathOf(local) }));
  return { asset, scene: [{ local: sceneLocal, server: serverPathOf(sceneLocal), hash: sceneMd5 }] };
}

/** One detail line per missing path: `<owners>: <path as stored> (resolved: <path tried>)`. */
export function missingFileDetails(missing: readonly ResolvedDependency[]): string[] {
  const byPath = new Map<string, { owners: string[]; raw: string; resolved: string }>();
  for (const d of missing) {
    const entry = byPath.get(d.resolved);
    if (entry === undefined)
      byPath.set(d.resolved, { owners: [d.owner], raw: d.pattern, resolved: d.resolved });
    else if (!entry.owners.includes(d.owner)) entry.owners.push(d.owner);
  }
  return [...byPath.values()].map(({ owners, raw, resolved }) => {
    const tried = forwardSlashes(resolved);
    return tried === raw
      ? `${owners.join(', ')}: ${raw}`
      : `${owners.join(', ')}: ${raw} (resolved: ${tried})`;
  });
}

/** Merge tips, keeping each detail once per code. */
export function addTips(into: TipsJsonContent, code: string, details: readonly string[]): void {
  const list = into[code] ?? [];
  for (const d of details) if (!list.includes(d)) list.push(d);
  into[code] = list;
}

/** The reference's local → server mapping (@openfarm/protocol); an unmappable local path is an AnalyzeError. */
function serverPathOf(local: string): string {
  try {
    return localToServerPath(local);
  } catch (cause) {
    throw new AnalyzeError('IO', `cannot map to a server path (${(cause as Error).message})`, local, {
      cause,
    });
  }
}
