import { dirname, isAbsolute, resolve } from 'node:path';
import type { DependencyReader, NestedRef } from './dependency-reader.js';
import { readText } from './text-file.js';

/**
 * OpenColorIO configs (`.ocio`, YAML): `search_path` (a `:`-separated
 * string or a YAML list, relative to the config's folder or
 * `working_dir`) and every `src:` of a FileTransform (`.spi1d`, `.cube`,
 * `.csp`…), looked for in each search-path folder in order, as OCIO does.
 * Context variables (`$SHOT`) stay unresolved: such a LUT is reported missing
 * with its variable. Only the subset of YAML configs use is read (flow and
 * block mappings, `- item` lists, quotes); a config OCIO refuses may still list files.
 */
export function readOcioDependencies(text: string, file?: string): NestedRef[] {
  const folder = file === undefined ? '.' : dirname(file);
  const lines = text.split(/\r?\n/);
  let workingDir = folder;
  const searchPaths: string[] = [];
  const luts: { path: string; owner: string }[] = [];
  let colorSpace = '';
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]!);
    const wd = /^working_dir\s*:\s*(.+)$/.exec(line.trim());
    if (wd !== null) workingDir = resolve(folder, unquote(wd[1]!));
    const sp = /^search_path\s*:\s*(.*)$/.exec(line);
    if (sp !== null) {
      const inline = sp[1]!.trim();
      if (inline.startsWith('['))
        searchPaths.push(...inline.slice(1, inline.lastIndexOf(']')).split(',').map(unquote));
      else if (inline !== '') searchPaths.push(...unquote(inline).split(':'));
      else {
        for (let j = i + 1; j < lines.length; j++) {
          const item = /^\s+-\s*(.+)$/.exec(stripComment(lines[j]!));
          if (item === null) break;
          searchPaths.push(unquote(item[1]!));
          i = j;
        }
      }
      continue;
    }
    const name = /^\s*-?\s*name\s*:\s*(.+)$/.exec(line);
    if (name !== null) colorSpace = unquote(name[1]!);
    for (const m of line.matchAll(/\bsrc\s*:\s*("[^"]*"|'[^']*'|[^,}\s]+)/g)) {
      luts.push({
        path: unquote(m[1]!),
        owner: colorSpace === '' ? 'FileTransform' : `colorspace ${colorSpace}`,
      });
    }
  }
  const roots = (searchPaths.length > 0 ? searchPaths : ['.'])
    .filter((p) => p !== '')
    .map((p) => (isAbsolute(p) ? p : resolve(workingDir, p)));
  return luts.map((l) => ({ path: l.path, owner: l.owner, kind: 'lut', roots }));
}

function stripComment(line: string): string {
  const hash = line.search(/(^|\s)#/);
  return hash < 0 ? line : line.slice(0, hash);
}

function unquote(s: string): string {
  const t = s.trim();
  return /^(["']).*\1$/.test(t) ? t.slice(1, -1) : t;
}

export const ocioDependencyReader: DependencyReader = {
  format: 'OCIO config',
  read(file) {
    return readOcioDependencies(readText(file), file);
  },
};
