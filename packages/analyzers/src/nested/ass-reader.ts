import { dirname, isAbsolute, resolve } from 'node:path';
import type { DependencyKind } from '../core/dependency-collector.js';
import { AnalyzeError } from '../core/errors.js';
import { COMMON_EXTENSION_KINDS, kindOfExtension } from '../core/extension-kinds.js';
import type { DependencyReader, NestedRef } from './dependency-reader.js';
import { readMaybeGzip } from './text-file.js';

/**
 * Parameters of Arnold nodes that name files: `filename` (image, procedural,
 * alembic, usd, volume, photometric light), `dso` (stand-ins before Arnold 6),
 * `config` (color_manager_ocio), `shadername` (osl shaders compiled to `.oso`),
 * `texture`/`map` (older shaders). Every quoted string on such a line counts.
 */
const FILE_PARAMS = new Set([
  'filename',
  'dso',
  'config',
  'shadername',
  'texture',
  'map',
  'ies',
  'ocio_config',
]);
const SEARCH_PATH_PARAMS = new Set(['texture_searchpath', 'procedural_searchpath', 'plugin_searchpath']);

const ARNOLD_KINDS = {
  ...COMMON_EXTENSION_KINDS,
  ass: 'proxy',
  'ass.gz': 'proxy',
  ocio: 'color-config',
  oso: 'shader',
  osl: 'shader',
  ies: 'ies',
} as const;

/**
 * Arnold scene sources (`.ass`, `.ass.gz`): node blocks `type { name x  param value … }`.
 * Output drivers (`driver_exr`, `driver_tiff`…) name outputs and are skipped.
 * Only lines whose first word is a file parameter or a search path are
 * decoded, so polygon arrays are skipped at memory speed. Relative paths are
 * tried against the folder of the `.ass`, the `options` node's
 * `texture_searchpath`/`procedural_searchpath` folders, then the scene's
 * roots (kick runs from the scene's folder).
 */
export function readAssDependencies(bytes: Uint8Array, file?: string): NestedRef[] {
  const found: { path: string; owner: string; kind: DependencyKind }[] = [];
  const searchPaths: string[] = [];
  let nodeType = '';
  let nodeName = '';
  let depth = 0;
  let previousWord = '';
  const n = bytes.length;
  let i = 0;
  const decoder = new TextDecoder('utf-8');
  while (i < n) {
    let lineEnd = bytes.indexOf(10, i);
    if (lineEnd < 0) lineEnd = n;
    let j = i;
    while (j < lineEnd && (bytes[j] === 32 || bytes[j] === 9 || bytes[j] === 13)) j++;
    const c = bytes[j];
    // Array data and comments start with a digit, sign, dot or '#': nothing to read.
    if (j < lineEnd && c !== undefined && !(c >= 48 && c <= 57) && c !== 45 && c !== 46 && c !== 35) {
      let k = j;
      while (k < lineEnd && bytes[k] !== 32 && bytes[k] !== 9 && bytes[k] !== 13) k++;
      const word = decoder.decode(bytes.subarray(j, k));
      if (word === '{') {
        if (++depth > 1) throw new AnalyzeError('CORRUPT', 'nested node blocks', file);
        nodeType = previousWord;
        nodeName = '';
      } else if (word === '}') {
        if (--depth < 0) throw new AnalyzeError('CORRUPT', "'}' without a node", file);
      } else if (depth === 1 && word === 'name') {
        nodeName = decoder.decode(bytes.subarray(k, lineEnd)).trim().replace(/^"|"$/g, '');
      } else if (depth === 1 && (FILE_PARAMS.has(word) || SEARCH_PATH_PARAMS.has(word))) {
        const rest = decoder.decode(bytes.subarray(k, lineEnd));
        for (const m of rest.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
          const value = m[1]!.replace(/\\(.)/g, '$1');
          if (SEARCH_PATH_PARAMS.has(word))
            searchPaths.push(...value.split(/[;:](?![\\/])/).filter((s) => s !== ''));
          // Output drivers' `filename` is where the render is written, not an input.
          else if (
            value !== '' &&
            !nodeType.startsWith('driver_') &&
            !(word === 'config' && nodeType !== 'color_manager_ocio')
          ) {
            found.push({
              path: value,
              owner: `${nodeType} ${nodeName || '(unnamed)'}.${word}`,
              kind: kindOfExtension(value, ARNOLD_KINDS),
            });
          }
        }
      } else if (depth === 0) previousWord = word;
    }
    i = lineEnd + 1;
  }
  if (depth !== 0) throw new AnalyzeError('TRUNCATED', 'a node block is not closed', file);
  const folder = file === undefined ? '.' : dirname(file);
  const roots = [folder, ...searchPaths.map((p) => (isAbsolute(p) ? p : resolve(folder, p)))];
  return found.map((f) => ({ ...f, roots, sceneRootsToo: true }));
}

export const assDependencyReader: DependencyReader = {
  format: 'Arnold scene',
  read(file) {
    return readAssDependencies(readMaybeGzip(file), file);
  },
};
