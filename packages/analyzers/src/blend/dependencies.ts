import { dirname } from 'node:path';
import {
  AnalyzeError,
  type DependencyCollector,
  type DependencyKind,
  type SequenceHint,
} from '../core/index.js';
import type { BlendExternalFile, BlendExternalKind, BlendInfo } from './blend-info.js';
import { resolveBlenderPath } from './blender-paths.js';
import { listCacheFiles } from './cache-folders.js';
import type { BlendLimits } from './limits.js';
import { readBlendFile } from './read-blend.js';

const KIND: Readonly<Record<Exclude<BlendExternalKind, 'text'>, DependencyKind>> = {
  image: 'texture',
  library: 'library',
  cache_file: 'cache',
  volume: 'volume',
  sound: 'sound',
  font: 'font',
  movie_clip: 'movie',
  point_cache: 'cache',
  fluid_cache: 'cache',
  ies: 'ies',
  osl_script: 'osl',
  sequencer_image: 'texture',
  sequencer_movie: 'movie',
};

const OWNER_LABEL: Readonly<Record<BlendExternalKind, string>> = {
  image: 'Image',
  library: 'Library',
  cache_file: 'CacheFile',
  volume: 'Volume',
  sound: 'Sound',
  font: 'Font',
  movie_clip: 'MovieClip',
  text: 'Text',
  point_cache: 'PointCache',
  fluid_cache: 'FluidDomain',
  ies: 'IES',
  osl_script: 'Script',
  sequencer_image: 'Strip',
  sequencer_movie: 'Strip',
};

/** Linked libraries link libraries; real pipelines stay a few levels deep. */
const MAX_LIBRARY_DEPTH = 16;

function sequenceHint(ref: BlendExternalFile): SequenceHint | undefined {
  if (ref.expansion === 'udim') return 'udim';
  // Blender stores one member of a frame sequence (`frame_0001.png`) and finds the others by number.
  if (ref.expansion === 'sequence') return 'frames';
  return undefined;
}

interface Walk {
  collector: DependencyCollector;
  limits: Partial<BlendLimits> | undefined;
  visitedLibraries: Set<string>;
}

async function collect(info: BlendInfo, blendDir: string, ownerPrefix: string, depth: number, walk: Walk) {
  for (const ref of info.externalFiles) {
    // Packed files travel inside the .blend; text blocks keep their content in the .blend as well.
    if (ref.packed || ref.kind === 'text') continue;
    const path = resolveBlenderPath(ref.path, blendDir);
    const owner = `${ownerPrefix}${OWNER_LABEL[ref.kind]} "${ref.owner}"`;
    if (ref.expansion === 'directory') {
      // Cache folders exist only once baked; an absent one means "simulate on the node", not a missing file.
      for (const file of listCacheFiles(path))
        walk.collector.add({ path: file, owner, kind: KIND[ref.kind] });
      continue;
    }
    // Each tile the image lists is one file: a missing tile renders black, so it is reported on its own.
    if (ref.tiles && ref.tiles.length > 0 && /<UDIM>/i.test(path)) {
      for (const tile of ref.tiles) {
        walk.collector.add({ path: path.replace(/<UDIM>/gi, String(tile)), owner, kind: KIND[ref.kind] });
      }
      continue;
    }
    const hint = sequenceHint(ref);
    const resolved = walk.collector.add({
      path,
      owner,
      kind: KIND[ref.kind],
      ...(hint ? { sequence: hint } : {}),
    });
    if (ref.kind !== 'library' || resolved?.status !== 'found' || depth >= MAX_LIBRARY_DEPTH) continue;
    const libraryFile = resolved.files[0]!;
    if (walk.visitedLibraries.has(libraryFile)) continue;
    walk.visitedLibraries.add(libraryFile);
    let library: BlendInfo;
    try {
      library = await readBlendFile(libraryFile, walk.limits ? { limits: walk.limits } : {});
    } catch (e) {
      // An unreadable library is still uploaded as it is; only its own references stay unknown.
      if (e instanceof AnalyzeError) continue;
      throw e;
    }
    await collect(library, dirname(libraryFile), `${owner} > `, depth + 1, walk);
  }
}

/**
 * Feeds every external file of the .blend to the collector, `//` resolved
 * against the .blend's folder, and follows linked libraries that exist so
 * the textures they use (relative to their own folder) are found too.
 */
export async function collectBlendDependencies(
  info: BlendInfo,
  cgFile: string,
  collector: DependencyCollector,
  limits?: Partial<BlendLimits>,
): Promise<void> {
  await collect(info, dirname(cgFile), '', 0, { collector, limits, visitedLibraries: new Set([cgFile]) });
}
