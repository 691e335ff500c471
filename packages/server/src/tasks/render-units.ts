/**
 * The render units of a task.json: what becomes one (child) task. Each DCC's
 * analyzer describes them differently in `scene_info_render` (§3.1):
 * Maya render layers, Houdini ROPs and cache nodes, Clarisse image layers,
 * Katana render nodes, Blender scenes, or one `common` block for the rest.
 */
import { assertPrintableName, CG_ID } from '@openfarm/protocol';

export interface RenderUnit {
  /** Layer / node / scene name; empty for a single-unit scene. */
  name: string;
  /** The unit's frame list text, e.g. "1-10[1]". */
  frames: string;
  /** Comma-separated cameras, when the analyzer names them. */
  camera: string;
}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return '';
}

/** Analyzers write flags as "1"/"0" strings; treat a missing flag as on. */
function enabled(v: unknown): boolean {
  return v === undefined || v === null || str(v) === '1' || v === true;
}

function cameras(v: unknown): string {
  if (Array.isArray(v))
    return v
      .map(str)
      .filter((c) => c !== '')
      .join(',');
  return str(v);
}

function commonFrames(common: Json): string {
  const frames = str(common.frames);
  if (frames !== '') return frames;
  const start = str(common.start);
  const end = str(common.end);
  if (start === '' || end === '') return '';
  const step = str(common.by_frame) || '1';
  return `${start}-${end}[${Math.max(1, Math.round(Number(step)) || 1)}]`;
}

function mayaUnits(render: Json): RenderUnit[] {
  const units: RenderUnit[] = [];
  for (const [layer, v] of Object.entries(render)) {
    if (!isObject(v) || !enabled(v.renderable)) continue;
    const common = isObject(v.common) ? v.common : {};
    units.push({ name: layer, frames: commonFrames(common), camera: cameras(common.render_camera) });
  }
  return units;
}

function houdiniUnits(render: Json): RenderUnit[] {
  const units: RenderUnit[] = [];
  for (const key of ['geo_node', 'distributedsim_node', 'rop_node']) {
    const nodes = render[key];
    if (!Array.isArray(nodes)) continue;
    for (const n of nodes) {
      if (!isObject(n) || !enabled(n.render)) continue;
      units.push({ name: str(n.node), frames: str(n.frames), camera: '' });
    }
  }
  return units;
}

function clarisseUnits(render: Json): RenderUnit[] {
  const units: RenderUnit[] = [];
  const images = render.image_node;
  if (!Array.isArray(images)) return units;
  for (const image of images) {
    if (!isObject(image)) continue;
    const layers = Array.isArray(image.layers) ? image.layers : [];
    for (const layer of layers) {
      if (!isObject(layer) || str(layer.renderable) !== '1') continue;
      units.push({ name: str(layer.name), frames: str(layer.frames) || str(image.frames), camera: '' });
    }
    // The farm renders image nodes only when marked renderable; layers are the usual units.
    if (layers.length === 0 && str(image.renderable) === '1') {
      units.push({ name: str(image.name), frames: str(image.frames), camera: '' });
    }
  }
  return units;
}

function katanaUnits(render: Json): RenderUnit[] {
  const nodes = isObject(render.rendernodes) ? render.rendernodes : {};
  return Object.entries(nodes)
    .filter(([, v]) => isObject(v) && enabled(v.renderable))
    .map(([name, v]) => ({ name, frames: str((v as Json).frames), camera: '' }));
}

function blenderUnits(render: Json): RenderUnit[] {
  const common = isObject(render.common) ? render.common : {};
  const frames = commonFrames(common);
  const camera = cameras(common.camera_name);
  const scenes = Array.isArray(common.scene_name) ? common.scene_name.map(str).filter((s) => s !== '') : [];
  if (scenes.length <= 1) return [{ name: scenes[0] ?? '', frames, camera }];
  return scenes.map((name) => ({ name, frames, camera }));
}

function commonUnits(render: Json): RenderUnit[] {
  const common = isObject(render.common) ? render.common : {};
  return [
    {
      name: '',
      frames: commonFrames(common),
      camera: cameras(common.renderable_camera ?? common.all_camera),
    },
  ];
}

/**
 * Render units of a task.json's `scene_info_render` (falling back to
 * `scene_info`, as the reference's check does). Units without frames are
 * returned with empty `frames` so the caller can name them in its error.
 */
export function renderUnits(cgId: number, sceneInfo: Json): RenderUnit[] {
  const units = unitsOf(cgId, sceneInfo);
  // Unit names become task names, output folders and log lines: refuse control and bidi characters.
  for (const u of units) {
    assertPrintableName(u.name, `task.json.scene_info_render (render unit ${JSON.stringify(u.name)})`);
    assertPrintableName(u.camera, `task.json.scene_info_render (camera of ${JSON.stringify(u.name)})`);
  }
  return units;
}

function unitsOf(cgId: number, sceneInfo: Json): RenderUnit[] {
  switch (cgId) {
    case CG_ID.MAYA:
      return mayaUnits(sceneInfo);
    case CG_ID.HOUDINI:
      return houdiniUnits(sceneInfo);
    case CG_ID.CLARISSE:
      return clarisseUnits(sceneInfo);
    case CG_ID.KATANA:
      return katanaUnits(sceneInfo);
    case CG_ID.BLENDER:
      return blenderUnits(sceneInfo);
    default:
      return commonUnits(sceneInfo);
  }
}
