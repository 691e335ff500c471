/**
 * Directory maps from the paths a scene was saved with to the staged tree on
 * this node. The farm stages every input at its server path under the staging
 * root (the reference's mapping: `D:\proj\a.png` → `/D/proj/a.png`,
 * `\\srv\share\a.png` → `/srv/share/a.png`, POSIX paths such as
 * `/Volumes/…` or `/Users/…` kept), so each top-level folder of the staged tree
 * names one root of the artist's machine. The adapters hand these maps to each
 * DCC's own remapping mechanism (Maya `dirmap`, Houdini `HOUDINI_PATHMAP`, the
 * Katana and Clarisse remap scripts), which replaces the longest matching
 * directory prefix.
 */
import { readdirSync } from 'node:fs';

import { localToServerPath, serverPathToLocal } from '@openfarm/protocol';

/** One directory mapping; both ends are absolute, forward slashes, ending in `/`. */
export interface PathMapEntry {
  readonly from: string;
  readonly to: string;
}

function withSlash(p: string): string {
  return p.endsWith('/') ? p : `${p}/`;
}

/**
 * The maps for the staged tree at `stagingRoot`: for a top-level folder `D`
 * the Windows drive `D:/` (both letter cases, since Windows drives are not
 * case-sensitive but the DCC mechanisms are), for any folder `name` the POSIX
 * root `/name/` and the UNC server `//name/`. Longest `from` first, as a
 * prefix replacement must try it first. A POSIX root that the staging root
 * itself starts with is left out (staged under `/tmp/…`, a scene's `/tmp/`
 * is not mapped): Houdini maps paths after expanding `$HIP`, and `$HIP` is
 * already in the staged tree, so such a map would send it elsewhere.
 */
export function stagedPathMaps(stagingRoot: string): PathMapEntry[] {
  let names: string[];
  try {
    names = readdirSync(stagingRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
  } catch {
    return [];
  }
  const root = stagingRoot.replace(/\\/g, '/');
  const out: PathMapEntry[] = [];
  for (const name of names.sort()) {
    const to = withSlash(`${root}/${name}`);
    if (/^[A-Za-z]$/.test(name)) {
      out.push({ from: `${name.toUpperCase()}:/`, to }, { from: `${name.toLowerCase()}:/`, to });
    }
    if (!withSlash(root).startsWith(`/${name}/`)) out.push({ from: `/${name}/`, to });
    out.push({ from: `//${name}/`, to });
  }
  return out.sort((a, b) => b.from.length - a.from.length || a.from.localeCompare(b.from));
}

/**
 * Where a path of the artist's machine sits in the staged tree (`D:\proj` →
 * `<root>/D/proj`), or `undefined` for a path that is not absolute on any OS.
 * Used for values the adapter passes itself (Maya `-proj`, Houdini `$JOB`).
 */
export function stagedPathOf(path: string, stagingRoot: string): string | undefined {
  try {
    return serverPathToLocal(localToServerPath(path), stagingRoot);
  } catch {
    return undefined;
  }
}

/**
 * A path rewritten by `maps` the way the DCC mechanisms do it: backslashes to
 * slashes, then the first (longest) matching directory prefix replaced. Kept
 * here so tests can check what a scene's paths become under the maps an
 * adapter writes.
 */
export function applyPathMaps(path: string, maps: readonly PathMapEntry[]): string {
  const p = path.replace(/\\/g, '/');
  for (const m of maps) if (p.startsWith(m.from)) return m.to + p.slice(m.from.length);
  return p;
}

/**
 * The Python the Clarisse and Katana remap scripts share: `MAPS` (longest `from` first) and
 * `_mapped(path)`, which applies them as {@link applyPathMaps} does, but returns a path no map
 * covers unchanged (backslashes included), so the caller can tell it was left alone.
 */
export function pythonPathMapper(maps: readonly PathMapEntry[]): string {
  return String.raw`MAPS = ${JSON.stringify(maps.map((m) => [m.from, m.to]))}

def _mapped(path):
    p = path.replace("\\", "/")
    for src, dst in MAPS:
        if p.startswith(src):
            return dst + p[len(src):]
    return path
`;
}
