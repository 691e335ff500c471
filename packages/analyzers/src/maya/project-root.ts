import { statSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Folders walked upwards looking for workspace.mel before giving up. */
const MAX_LEVELS = 32;

/**
 * The Maya project a scene belongs to: the nearest folder at or above the
 * scene's folder holding `workspace.mel` (how Maya's `setProject` marks a
 * project). Undefined when there is none.
 */
export function findProjectRoot(sceneFile: string): string | undefined {
  let dir = dirname(sceneFile);
  for (let level = 0; level < MAX_LEVELS; level++) {
    try {
      if (statSync(join(dir, 'workspace.mel')).isFile()) return dir;
    } catch {
      // Not here; keep walking up.
    }
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
  return undefined;
}
