import { dirname, isAbsolute, resolve } from 'node:path';
import { expandVariables } from '../core/path-text.js';
import type { DependencyReader, NestedRef } from './dependency-reader.js';
import { readText } from './text-file.js';

/**
 * XGen collection files (`.xgen`, written beside the Maya scene as
 * `<scene>__<collection>.xgen`): the `Palette` block's `xgDataPath` (one or
 * more `;`-separated collection folders, uploaded whole since XGen reads
 * every description's maps and caches from there) and `xgProjectPath`
 * (`${PROJECT}`), then, per `Description`, the files its expressions and
 * primitives name: `map('${DESC}/paintmaps/density')` map folders, guide and
 * archive caches (`.abc`, `.xarc`, `.caf`), and ptex files (`.ptx`). `${DESC}` is
 * `<xgDataPath>/<description>`, `${PROJECT}` the project path, `${FXMODULE}`
 * is left unresolved. Relative values resolve against the project path,
 * then the `.xgen`'s folder.
 */
export function readXgenDependencies(text: string, file?: string): NestedRef[] {
  const folder = file === undefined ? '.' : dirname(file);
  let project = folder;
  let dataPaths: string[] = [];
  let description = '';
  let block = '';
  const refs: NestedRef[] = [];
  const pending: { path: string; owner: string; kind: string; description: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    if (raw.startsWith('#')) continue;
    if (/^[A-Za-z]/.test(raw)) {
      block = raw.trim().split(/\s+/)[0] ?? '';
      continue;
    }
    const m = /^\s+(\S+)\s+(.*)$/.exec(raw);
    if (m === null) continue;
    const [, key, value] = m as unknown as [string, string, string];
    if (block === 'Palette' && key === 'xgProjectPath') project = value.trim();
    else if (block === 'Palette' && key === 'xgDataPath')
      dataPaths = value
        .trim()
        .split(';')
        .filter((s) => s !== '');
    else if (block === 'Description' && key === 'name') description = value.trim();
    for (const map of value.matchAll(/map\(\s*['"]([^'"]+)['"]/g)) {
      pending.push({
        path: map[1]!,
        owner: `${description || block}.${key} map()`,
        kind: 'xgen-map',
        description,
      });
    }
    for (const f of value.matchAll(/(?:^|[\s"'=])([^\s"'=;]+\.(?:abc|xarc|caf|ptx|xuv))(?=$|[\s"';])/gi)) {
      pending.push({ path: f[1]!, owner: `${description || block}.${key}`, kind: 'xgen-cache', description });
    }
  }
  const projectRoot =
    isAbsolute(project.replace(/\$\{?\w+\}?/g, '')) || project.startsWith('$')
      ? project
      : resolve(folder, project);
  const roots = [projectRoot, folder];
  const projectVar = projectRoot.endsWith('/') ? projectRoot : `${projectRoot}/`;
  const variables = (desc: string): Record<string, string> => ({
    PROJECT: projectVar,
    ...(dataPaths[0] === undefined
      ? {}
      : { DESC: `${expandVariables(dataPaths[0], { PROJECT: projectVar })}/${desc}` }),
  });
  for (const d of dataPaths)
    refs.push({ path: d, owner: 'Palette.xgDataPath', kind: 'xgen-data', roots, variables: variables('') });
  for (const p of pending)
    refs.push({ path: p.path, owner: p.owner, kind: p.kind, roots, variables: variables(p.description) });
  return refs;
}

export const xgenDependencyReader: DependencyReader = {
  format: 'XGen collection',
  read(file) {
    return readXgenDependencies(readText(file), file);
  },
};
