import { attrBool, attrNumber, attrText, type MayaDocument } from './maya-document.js';

/**
 * The render settings every layer starts from: defaultRenderGlobals and
 * defaultResolution as stored, Maya's defaults where absent (render range
 * 1–10 step 1, animation off, renderer mayaSoftware, 960×540 — the
 * resolution current Maya versions give a node with no stored size).
 */
export interface RenderGlobals {
  renderer: string;
  animation: boolean;
  startFrame: number;
  endFrame: number;
  byFrame: number;
  imageFilePrefix: string;
  imageFormatCode: number | undefined;
  imageFormatKey: string | undefined;
  width: number;
  height: number;
  /** Camera shape → renderable. */
  cameraRenderable: Map<string, boolean>;
}

export const DEFAULT_RENDERER = 'mayaSoftware';
export const DEFAULT_WIDTH = 960;
export const DEFAULT_HEIGHT = 540;

export function readRenderGlobals(doc: MayaDocument, cameraRenderable: Map<string, boolean>): RenderGlobals {
  const rg = doc.nodes.get('defaultRenderGlobals');
  const res = doc.nodes.get('defaultResolution');
  const renderer = attrText(rg, 'ren', 'currentRenderer');
  return {
    renderer: renderer === undefined || renderer === '' ? DEFAULT_RENDERER : renderer,
    animation: attrBool(rg, 'an', 'animation') ?? false,
    startFrame: attrNumber(rg, 'fs', 'startFrame') ?? 1,
    endFrame: attrNumber(rg, 'ef', 'endFrame') ?? 10,
    byFrame: attrNumber(rg, 'bfs', 'byFrameStep', 'byFrame') ?? 1,
    imageFilePrefix: attrText(rg, 'ifp', 'imageFilePrefix') ?? '',
    imageFormatCode: attrNumber(rg, 'outf', 'imageFormat'),
    imageFormatKey: attrText(rg, 'imfkey', 'imfPluginKey'),
    width: attrNumber(res, 'w', 'width') ?? DEFAULT_WIDTH,
    height: attrNumber(res, 'h', 'height') ?? DEFAULT_HEIGHT,
    cameraRenderable: new Map(cameraRenderable),
  };
}

export function cloneGlobals(g: RenderGlobals): RenderGlobals {
  return { ...g, cameraRenderable: new Map(g.cameraRenderable) };
}

/**
 * Set one render setting by node and attribute name (short or long), as an
 * override or a legacy layer adjustment does. Returns false for attributes
 * the analysis does not track.
 */
export function applySetting(g: RenderGlobals, node: string, attribute: string, value: string): boolean {
  const num = Number(value);
  const bool = value === 'yes' || value === 'on' || value === 'true' || (Number.isFinite(num) && num !== 0);
  if (node === 'defaultRenderGlobals') {
    switch (attribute) {
      case 'ren':
      case 'currentRenderer':
        g.renderer = value === '' ? DEFAULT_RENDERER : value;
        return true;
      case 'an':
      case 'animation':
        g.animation = bool;
        return true;
      case 'fs':
      case 'startFrame':
        if (Number.isFinite(num)) g.startFrame = num;
        return true;
      case 'ef':
      case 'endFrame':
        if (Number.isFinite(num)) g.endFrame = num;
        return true;
      case 'bfs':
      case 'byFrameStep':
      case 'byFrame':
        if (Number.isFinite(num)) g.byFrame = num;
        return true;
      case 'ifp':
      case 'imageFilePrefix':
        g.imageFilePrefix = value;
        return true;
      case 'outf':
      case 'imageFormat':
        if (Number.isFinite(num)) g.imageFormatCode = num;
        return true;
      case 'imfkey':
      case 'imfPluginKey':
        g.imageFormatKey = value;
        return true;
      default:
        return false;
    }
  }
  if (node === 'defaultResolution') {
    if ((attribute === 'w' || attribute === 'width') && Number.isFinite(num)) g.width = num;
    else if ((attribute === 'h' || attribute === 'height') && Number.isFinite(num)) g.height = num;
    else return false;
    return true;
  }
  if (g.cameraRenderable.has(node) && (attribute === 'rnd' || attribute === 'renderable')) {
    g.cameraRenderable.set(node, bool);
    return true;
  }
  return false;
}

/** Current value of a numeric setting, for relative overrides. */
export function numericSetting(g: RenderGlobals, node: string, attribute: string): number | undefined {
  if (node === 'defaultRenderGlobals') {
    if (attribute === 'startFrame' || attribute === 'fs') return g.startFrame;
    if (attribute === 'endFrame' || attribute === 'ef') return g.endFrame;
    if (attribute === 'byFrameStep' || attribute === 'byFrame' || attribute === 'bfs') return g.byFrame;
  }
  if (node === 'defaultResolution') {
    if (attribute === 'width' || attribute === 'w') return g.width;
    if (attribute === 'height' || attribute === 'h') return g.height;
  }
  return undefined;
}
