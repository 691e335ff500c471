import { isAbsolute, join } from 'node:path';
import { isAbsoluteAnyOs, normalizeSeparators } from '../core/index.js';

/**
 * Blender's relative paths start with `//`, meaning "the folder of the .blend
 * that holds the path" (for a linked library, the library's folder). Files
 * saved on Windows keep `\` after it (`//..\textures\a.png`). Returns an
 * absolute path to try locally, or the stored text for another OS's absolute
 * path (a drive path on Linux), which the dependency collector reports as
 * missing with the original text.
 */
export function resolveBlenderPath(stored: string, blendDir: string): string {
  if (stored.startsWith('//')) return join(blendDir, normalizeSeparators(stored.slice(2)));
  if (isAbsoluteAnyOs(stored) || isAbsolute(stored)) return stored;
  // A plain relative path is relative to Blender's working directory; the .blend's folder is the best guess.
  return join(blendDir, normalizeSeparators(stored));
}
