import { parmNumber, parmString, parmToggle, parmToken, type StringValue } from './parm-values.js';
import { type RopRole, type RopType, ropTypeOf } from './rop-types.js';
import type { HoudiniNode } from './scene-tree.js';
import type { HipEnvironment } from './variables.js';

/** One output driver with what the farm needs to render it. */
export interface HoudiniRop {
  node: string;
  type: string;
  role: RopRole;
  renderer: string;
  bypassed: boolean;
  /**
   * Houdini renders only the playbar frame ({@link HoudiniScene.currentFrame})
   * when `trange` is `off` (the default of a new ROP); `normal`/`on` render the range.
   */
  trange: string;
  /** The `f` range (start, end, increment) with channel expressions evaluated. */
  frames: FrameRange;
  /** The `f` components as cached in `.parm` (may be stale when channels drive them). */
  cachedFrames: (number | undefined)[];
  /** Output path with variables expanded and frame variables kept (`…/render/x.$F4.exr`). */
  output?: string;
  /** Output parm text as written. */
  outputRaw?: string;
  /** The output goes to an interactive viewer (`ip`/`md`, MPlay), not to disk. */
  outputToViewer: boolean;
  camera?: string;
  /** Resolution the ROP renders at, when known. */
  resolution?: { width: number; height: number; source: 'override' | 'camera' | 'render-settings' };
  /** The ROP's own override parms, enabled or not. */
  resolutionOverride?: { enabled: boolean; width: number; height: number };
  /** Hydra delegate of a USD render ROP (`BRAY_HdKarma`, `BRAY_HdKarmaXPU`, …). */
  renderDelegate?: string;
  /** Render settings LOP that supplied image/camera/resolution (USD render ROPs). */
  renderSettingsNode?: string;
  /** ROPs this one depends on (merge/fetch inputs, fetch source). */
  dependsOn: string[];
  /**
   * The take the ROP renders in when its `take` parm names one (not
   * `_current_`); its values above are then the take's. `takeFound` false:
   * the take is not in the file's `.takes`, so the Main take's values stand.
   */
  take?: string;
  takeFound?: boolean;
}

export interface FrameRange {
  start: number;
  end: number;
  step: number;
}

const VIEWER_DEVICES = new Set(['ip', 'md', 'imdisplay']);
const RENDER_SETTINGS_TYPES = new Set(['karmarenderproperties', 'karmarendersettings', 'rendersettings']);

export function findRops(nodes: Map<string, HoudiniNode>, env: HipEnvironment): HoudiniRop[] {
  const rops: HoudiniRop[] = [];
  for (const node of nodes.values()) {
    const type = ropTypeOf(node.context, node.baseType);
    if (type !== undefined) rops.push(describeRop(node, type, nodes, env));
  }
  // Path order keeps task.json stable whatever order the sections were saved in.
  return rops.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
}

function describeRop(
  node: HoudiniNode,
  type: RopType,
  nodes: Map<string, HoudiniNode>,
  env: HipEnvironment,
): HoudiniRop {
  const trange = parmToken(node, 'trange') ?? 'off';
  const rop: HoudiniRop = {
    node: node.path,
    type: node.type,
    role: type.role,
    renderer: type.renderer,
    bypassed: node.bypassed,
    trange,
    frames: frameRange(node, env),
    cachedFrames: cachedFrames(node),
    outputToViewer: false,
    dependsOn: [...node.inputs],
  };
  if (type.role === 'fetch') {
    const source = parmString(node, 'source', env)?.value;
    if (source) rop.dependsOn.push(absoluteNodePath(source, node));
  }
  let output = firstNonEmpty(node, type.output, env);
  if (type.renderSettings) {
    rop.renderDelegate = parmToken(node, 'renderer') || undefined;
    const settings = findRenderSettings(node, nodes, env);
    if (settings !== undefined) {
      rop.renderSettingsNode = settings.path;
      if (output === undefined) {
        output = parmString(settings, 'picture', env);
      }
      const camera = parmString(settings, 'camera', env)?.value;
      if (camera) rop.camera = camera;
      const w = parmNumber(settings, 'resolution', env, 0)?.value;
      const h = parmNumber(settings, 'resolution', env, 1)?.value;
      if (w !== undefined && h !== undefined)
        rop.resolution = { width: w, height: h, source: 'render-settings' };
    }
    const override = parmString(node, 'override_camera', env)?.value;
    if (override) rop.camera = override;
  }
  if (node.baseType === 'filecache') output = fileCacheOutput(node, env) ?? output;
  if (output !== undefined) {
    rop.outputRaw = output.raw;
    if (VIEWER_DEVICES.has(output.raw.trim())) rop.outputToViewer = true;
    else if (output.value !== undefined) rop.output = output.value.replace(/\\/g, '/');
  }
  if (type.camera !== undefined) {
    const camera = parmString(node, type.camera, env)?.value;
    if (camera) rop.camera = camera;
  }
  if (type.resOverride) applyResolution(rop, node, nodes, env);
  return rop;
}

/** f1–f2 by f3; a missing component takes the global range (as a new ROP's `$FSTART`/`$FEND` would). */
function frameRange(node: HoudiniNode, env: HipEnvironment): FrameRange {
  const start = parmNumber(node, 'f', env, 0)?.value ?? env.frameStart;
  const end = parmNumber(node, 'f', env, 1)?.value ?? env.frameEnd;
  const step = parmNumber(node, 'f', env, 2)?.value ?? 1;
  return { start, end, step: step > 0 ? step : 1 };
}

function cachedFrames(node: HoudiniNode): (number | undefined)[] {
  return (node.parms.get('f') ?? []).map((c) => {
    const n = Number(c.kind === 'literal' ? c.text : c.cached);
    return Number.isFinite(n) ? n : undefined;
  });
}

function firstNonEmpty(node: HoudiniNode, parms: string[], env: HipEnvironment): StringValue | undefined {
  for (const parm of parms) {
    const v = parmString(node, parm, env);
    if (v !== undefined && v.raw.trim() !== '') return v;
  }
  return undefined;
}

/**
 * File Cache 2.0 writes either the explicit `file` or a path constructed
 * from `basedir`/`basename`, the version folder and the frame
 * (`<basedir>/<basename>/v<version>/<basename>.$F4<filetype>`); its own
 * `sopoutput` is a Python expression, so it is rebuilt here.
 */
function fileCacheOutput(node: HoudiniNode, env: HipEnvironment): StringValue | undefined {
  if (parmToken(node, 'filemethod') !== 'constructed') return parmString(node, 'file', env);
  const basedir = parmString(node, 'basedir', env);
  const basename = parmString(node, 'basename', env);
  if (basedir?.value === undefined || basename?.value === undefined) return undefined;
  const versioned = parmToggle(node, 'enableversion') !== false;
  const version = parmNumber(node, 'version', env)?.value ?? 1;
  const timeDependent = parmToggle(node, 'timedependent') !== false;
  const filetype = parmToken(node, 'filetype') ?? '.bgeo.sc';
  const dir = `${basedir.value}/${basename.value}${versioned ? `/v${version}` : ''}`;
  const file = `${basename.value}${timeDependent ? '.$F4' : ''}${filetype}`;
  const raw = `${basedir.raw}/${basename.raw}${versioned ? `/v${version}` : ''}/${basename.raw}${timeDependent ? '.$F4' : ''}${filetype}`;
  return { raw, value: `${dir}/${file}`, source: 'literal' };
}

/**
 * USD render ROPs take image, camera and resolution from a render settings
 * LOP: the one whose `primpath` is the ROP's `rendersettings` prim, else the
 * only settings LOP of the ROP's network.
 */
function findRenderSettings(
  rop: HoudiniNode,
  nodes: Map<string, HoudiniNode>,
  env: HipEnvironment,
): HoudiniNode | undefined {
  const wanted = parmString(rop, 'rendersettings', env)?.value || '/Render/rendersettings';
  const candidates = [...nodes.values()].filter(
    (n) => n.context === 'LOP' && RENDER_SETTINGS_TYPES.has(n.baseType),
  );
  const byPrim = candidates.filter(
    (n) => (parmString(n, 'primpath', env)?.value ?? '/Render/rendersettings') === wanted,
  );
  const pool = byPrim.length > 0 ? byPrim : candidates;
  return pool.find((n) => n.parent === rop.parent) ?? (pool.length === 1 ? pool[0] : undefined);
}

/** Mantra-style ROPs: the override when enabled, otherwise the camera object's `res`. */
function applyResolution(
  rop: HoudiniRop,
  node: HoudiniNode,
  nodes: Map<string, HoudiniNode>,
  env: HipEnvironment,
): void {
  const enabled = parmToggle(node, 'override_camerares') === true;
  const w = parmNumber(node, 'res_override', env, 0)?.value;
  const h = parmNumber(node, 'res_override', env, 1)?.value;
  if (w !== undefined && h !== undefined) rop.resolutionOverride = { enabled, width: w, height: h };
  if (enabled && w !== undefined && h !== undefined) {
    rop.resolution = { width: w, height: h, source: 'override' };
    return;
  }
  const camera = rop.camera === undefined ? undefined : nodes.get(rop.camera);
  if (camera === undefined) return;
  const cw = parmNumber(camera, 'res', env, 0)?.value;
  const chh = parmNumber(camera, 'res', env, 1)?.value;
  if (cw !== undefined && chh !== undefined) rop.resolution = { width: cw, height: chh, source: 'camera' };
}

function absoluteNodePath(path: string, from: HoudiniNode): string {
  if (path.startsWith('/')) return path;
  const base = from.parent ?? '';
  const parts = `${base}/${path}`.split('/');
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return `/${out.join('/')}`;
}
