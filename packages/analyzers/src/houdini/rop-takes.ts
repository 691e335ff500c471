import { findFileReferences, type HoudiniFileReference } from './file-parms.js';
import { parmToken } from './parm-values.js';
import { findRops, type HoudiniRop } from './rops.js';
import type { HoudiniNode } from './scene-tree.js';
import { CURRENT_TAKE, type HoudiniTake, nodesInTake } from './takes.js';
import type { HipEnvironment } from './variables.js';

/**
 * Re-describes every ROP whose `take` parm names a take (Houdini switches to
 * that take while the ROP renders): frames, output, camera and resolution
 * are read from the nodes as that take overrides them, the camera's too.
 * The files the scene reads are those of the Main take plus those of every
 * take a ROP renders in, once each. `_current_` is the take current when
 * the file was saved; the file does not record which, so it counts as Main.
 */
export function applyRopTakes(
  nodes: Map<string, HoudiniNode>,
  takes: Map<string, HoudiniTake>,
  mainRops: HoudiniRop[],
  env: HipEnvironment,
): { rops: HoudiniRop[]; files: HoudiniFileReference[] } {
  const views = new Map<string, { rops: HoudiniRop[]; nodes: Map<string, HoudiniNode> } | undefined>();
  const rops = mainRops.map((rop) => {
    const node = nodes.get(rop.node);
    const take = node === undefined ? undefined : parmToken(node, 'take')?.trim();
    if (take === undefined || take === '' || take === CURRENT_TAKE || take === 'Main') return rop;
    if (!views.has(take)) {
      const view = nodesInTake(nodes, takes, take);
      views.set(take, view === undefined ? undefined : { nodes: view, rops: findRops(view, env) });
    }
    const view = views.get(take);
    const inTake = view?.rops.find((r) => r.node === rop.node);
    return inTake === undefined ? { ...rop, take, takeFound: false } : { ...inTake, take, takeFound: true };
  });
  const files = findFileReferences(nodes, rops, env);
  const seen = new Set(files.map(fileKey));
  for (const view of views.values()) {
    if (view === undefined) continue;
    for (const ref of findFileReferences(view.nodes, view.rops, env)) {
      const key = fileKey(ref);
      if (seen.has(key)) continue;
      seen.add(key);
      files.push(ref);
    }
  }
  return { rops, files };
}

function fileKey(ref: HoudiniFileReference): string {
  return `${ref.node}\0${ref.parm}\0${ref.status}\0${ref.path ?? ref.raw}`;
}
