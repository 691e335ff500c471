import type { BlendFile } from './blend-file.js';
import type { BlendExternalFile, BlendImage, BlendLibrary } from './blend-info.js';
import { cacheAndNodePaths } from './cache-and-node-paths.js';
import { datablockPaths } from './datablock-paths.js';
import { sequencerPaths } from './sequencer-strips.js';

/** Every external path in the file; `blendStem` (file name without extension) names Blender's disk-cache folder. */
export function readExternalFiles(
  file: BlendFile,
  images: readonly BlendImage[],
  libraries: readonly BlendLibrary[],
  blendStem: string | undefined,
): BlendExternalFile[] {
  const out: BlendExternalFile[] = [];
  for (const im of images) {
    if (im.source === 'GENERATED' || im.source === 'VIEWER' || im.path === '') continue;
    const expansion = im.source === 'SEQUENCE' ? 'sequence' : im.source === 'TILED' ? 'udim' : 'none';
    const ref: BlendExternalFile = {
      kind: 'image',
      owner: im.name,
      path: im.path,
      packed: im.packed,
      expansion,
    };
    if (im.tiles) ref.tiles = im.tiles;
    out.push(ref);
  }
  for (const li of libraries) {
    if (li.path !== '')
      out.push({ kind: 'library', owner: li.name, path: li.path, packed: li.packed, expansion: 'none' });
  }
  for (const c of [...datablockPaths(file), ...cacheAndNodePaths(file, blendStem), ...sequencerPaths(file)]) {
    if (!c.path) continue;
    out.push({
      kind: c.kind,
      owner: c.owner,
      path: c.path,
      packed: c.packed ?? false,
      expansion: c.expansion ?? 'none',
    });
  }
  return out;
}
