/**
 * `.OPfallbacks` names, for every operator type the scene used, the asset
 * library that defined it when the file was saved: a line with the absolute
 * path, then one with the path relative to its HOUDINI_PATH entry
 * (`Sop/file /opt/hfs20.5/houdini/otls/OPlibSop.hda`, `Sop/file
 * otls/OPlibSop.hda`). Libraries of the Houdini installation are built in;
 * the others (studio tools, SideFX Labs, qLib …) must exist on the render
 * node too.
 */
export interface HoudiniAssetLibrary {
  /** Absolute path as saved. */
  path: string;
  /** Operator types it defined for this scene (`labs::Sop/av_meshing::5.0`). */
  operators: string[];
}

/** Libraries shipped with Houdini live in `$HFS/houdini/otls` (OPlibSop.hda, MaterialX.hda …). */
const INSTALLATION_LIBRARY = /(?:^|\/)houdini\/otls\/[^/]+$/i;

export function parseAssetLibraries(text: string): HoudiniAssetLibrary[] {
  const byPath = new Map<string, HoudiniAssetLibrary>();
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const operator = m[1]!;
    const path = m[2]!.replace(/\\/g, '/');
    // Only the absolute line of each pair; the relative one repeats it.
    if (!/^(?:\/|[A-Za-z]:\/|\$)/.test(path) || INSTALLATION_LIBRARY.test(path) || /^\$\{?HFS\b/.test(path))
      continue;
    let library = byPath.get(path);
    if (library === undefined) {
      library = { path, operators: [] };
      byPath.set(path, library);
    }
    if (!library.operators.includes(operator)) library.operators.push(operator);
  }
  return [...byPath.values()];
}
