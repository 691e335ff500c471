import { readHipArchive } from './container.js';
import { type HoudiniDistributedSim, describeDistributedSims } from './distributed-sim.js';
import type { HoudiniFileReference } from './file-parms.js';
import { parseStart, parseVariables } from './globals.js';
import { type HoudiniAssetLibrary, parseAssetLibraries } from './hda-libraries.js';
import { findRops, type HoudiniRop } from './rops.js';
import type { HipContainer } from './section.js';
import { sectionText } from './section.js';
import { buildNodeTree, type HoudiniNode } from './scene-tree.js';
import { type HoudiniTake, parseTakes } from './takes.js';
import { applyRopTakes } from './rop-takes.js';
import { buildVariables, type HipEnvironment } from './variables.js';

/** Everything a farm needs from a Houdini scene file, read without Houdini. */
export interface HoudiniScene {
  container: HipContainer;
  /** `_HIP_SAVEVERSION`, e.g. `18.5.732`. */
  version?: string;
  /** Variables as saved in `.variables`. */
  savedVariables: Map<string, string>;
  /**
   * Scene variables as a render of the file at its current location sees
   * them (`HIP`, `HIPNAME`, `HIPFILE`, `JOB`, user variables); the process
   * environment is consulted during the read but not kept.
   */
  variables: Map<string, string>;
  fps: number;
  frameStart: number;
  frameEnd: number;
  /** Playbar frame when the file was saved (`.start` tcur); what a ROP with trange off renders. */
  currentFrame: number;
  nodes: Map<string, HoudiniNode>;
  rops: HoudiniRop[];
  distributedSims: HoudiniDistributedSim[];
  /** Camera objects (`/obj/cam1`) and USD camera prims named by render settings. */
  cameras: string[];
  files: HoudiniFileReference[];
  /** Digital asset libraries the scene used that do not ship with Houdini (from `.OPfallbacks`). */
  assetLibraries: HoudiniAssetLibrary[];
  /** Takes from `.takes` by name (Main included), with the parms each overrides. */
  takes: Map<string, HoudiniTake>;
}

export interface ReadHoudiniOptions {
  /** Path of the scene as opened now: `$HIP`, `$HIPNAME`, `$HIPFILE` derive from it. */
  hipFile: string;
  /** Environment for `$JOB` and other variables; defaults to the process environment. */
  env?: Readonly<Record<string, string | undefined>>;
}

export function readHoudiniScene(bytes: Uint8Array, options: ReadHoudiniOptions): HoudiniScene {
  const archive = readHipArchive(bytes, options.hipFile);
  const globals = new Map(archive.sections.filter((s) => s.name.startsWith('.')).map((s) => [s.name, s]));
  const variablesSection = globals.get('.variables');
  const startSection = globals.get('.start');
  const fallbacks = globals.get('.OPfallbacks');
  const savedVariables = variablesSection
    ? parseVariables(sectionText(variablesSection))
    : new Map<string, string>();
  const start = parseStart(startSection ? sectionText(startSection) : '');
  const env = options.env ?? process.env;
  const environment: HipEnvironment = {
    vars: buildVariables(savedVariables, options.hipFile, env),
    env,
    fps: start.fps,
    frameStart: start.frameStart,
    frameEnd: start.frameEnd,
  };
  const nodes = buildNodeTree(archive.sections);
  const takesSection = globals.get('.takes');
  const takes = takesSection ? parseTakes(takesSection.body) : new Map<string, HoudiniTake>();
  // A ROP that names a take renders with that take's overrides; files any such take reads join the Main ones.
  const { rops, files } = applyRopTakes(nodes, takes, findRops(nodes, environment), environment);
  const cameras = [...nodes.values()]
    .filter((n) => n.context === 'OBJ' && n.baseType === 'cam')
    .map((n) => n.path);
  for (const rop of rops)
    if (rop.camera !== undefined && !cameras.includes(rop.camera)) cameras.push(rop.camera);
  return {
    container: archive.container,
    version: savedVariables.get('_HIP_SAVEVERSION'),
    savedVariables,
    variables: environment.vars,
    fps: start.fps,
    frameStart: start.frameStart,
    frameEnd: start.frameEnd,
    currentFrame: Math.round(start.currentTime * start.fps + 1),
    nodes,
    rops,
    distributedSims: describeDistributedSims(rops, nodes, environment),
    cameras,
    files,
    assetLibraries: fallbacks ? parseAssetLibraries(sectionText(fallbacks)) : [],
    takes,
  };
}
