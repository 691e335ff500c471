import { type Dirent, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AnalyzeError } from '../core/index.js';

/** Fluid caches nest config/data/mesh/noise/particles folders one level down; nothing deeper is Blender's. */
const MAX_DEPTH = 3;
/** A long, high-resolution fluid bake has tens of thousands of files; beyond this the folder is not a cache. */
const MAX_CACHE_FILES = 100_000;

/**
 * The files of a baked cache folder (point cache, fluid cache), so each is
 * uploaded as a file like every other dependency. An absent or unreadable
 * folder yields nothing: the node will simulate instead of reading a bake.
 */
export function listCacheFiles(dir: string): string[] {
  const files: string[] = [];
  const walk = (d: string, depth: number): void => {
    let entries: Dirent[];
    try {
      entries = readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const p = join(d, e.name);
      if (e.isDirectory()) {
        if (depth < MAX_DEPTH) walk(p, depth + 1);
      } else if (e.isFile()) {
        if (files.length >= MAX_CACHE_FILES) {
          throw new AnalyzeError(
            'LIMIT_EXCEEDED',
            `cache folder holds more than ${MAX_CACHE_FILES} files`,
            dir,
          );
        }
        files.push(p);
      }
    }
  };
  walk(dir, 0);
  return files;
}
