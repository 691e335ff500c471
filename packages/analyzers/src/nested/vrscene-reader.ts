import { dirname } from 'node:path';
import { AnalyzeError } from '../core/errors.js';
import { COMMON_EXTENSION_KINDS, kindOfExtension } from '../core/extension-kinds.js';
import type { DependencyReader, NestedRef } from './dependency-reader.js';
import { checkDecodable, readMaybeGzip } from './text-file.js';

/** Parameters of V-Ray plugins that name files (BitmapBuffer/TexBitmap `file`, GeomMeshFile `file`, lights' `ies_file`). */
const FILE_PARAMS = /^(?:file|ies_file|filename|cache_path|vrmesh_file)$/;
const VRAY_KINDS = {
  ...COMMON_EXTENSION_KINDS,
  vrmesh: 'proxy',
  vrscene: 'vrscene',
  ies: 'ies',
  vrmap: 'cache',
  vrlmap: 'cache',
} as const;

/**
 * V-Ray scene files (`.vrscene`, gzip too): `#include "other.vrscene"` and
 * the file parameters of plugin blocks (`BitmapBuffer bmp { file="wood.<UDIM>.exr"; }`).
 * Only lines holding `#include` or `name=` with a file parameter are decoded.
 * Relative paths are tried against the `.vrscene`'s folder, then the scene's roots.
 */
export function readVrsceneDependencies(bytes: Uint8Array, file?: string): NestedRef[] {
  const refs: NestedRef[] = [];
  checkDecodable(bytes.length, file);
  const text = new TextDecoder('utf-8').decode(bytes);
  let plugin = '';
  let depth = 0;
  const folder = file === undefined ? '.' : dirname(file);
  const roots = [folder];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#include')) {
      const m = /^#include\s+"([^"]*)"/.exec(line);
      if (m !== null && m[1] !== '')
        refs.push({ path: m[1]!, owner: '#include', kind: 'vrscene', roots, sceneRootsToo: true });
      continue;
    }
    const head = /^([A-Za-z_][\w]*)\s+([^\s{]+)\s*\{/.exec(line);
    if (head !== null) {
      if (depth !== 0) throw new AnalyzeError('CORRUPT', `plugin ${head[2]} inside another`, file);
      plugin = `${head[1]} ${head[2]}`;
      depth = 1;
    }
    for (const m of line.matchAll(/([A-Za-z_]\w*)\s*=\s*"((?:[^"\\]|\\.)*)"/g)) {
      if (!FILE_PARAMS.test(m[1]!) || m[2] === '') continue;
      const path = m[2]!.replace(/\\\\/g, '\\');
      refs.push({
        path,
        owner: `${plugin || '(no plugin)'}.${m[1]}`,
        kind: kindOfExtension(path, VRAY_KINDS),
        roots,
        sceneRootsToo: true,
      });
    }
    if (line.includes('}')) depth = 0;
  }
  return refs;
}

export const vrsceneDependencyReader: DependencyReader = {
  format: 'V-Ray scene',
  read(file) {
    return readVrsceneDependencies(readMaybeGzip(file), file);
  },
};
