import { imageFormatName } from './image-formats.js';
import {
  attrBool,
  attrNumber,
  attrText,
  type MayaDocument,
  type MayaNode,
  nodeKey,
} from './maya-document.js';
import type { MayaCamera, MayaLayerSettings, MayaOverride } from './maya-scene.js';
import {
  applySetting,
  cloneGlobals,
  numericSetting,
  type RenderGlobals,
  readRenderGlobals,
} from './render-globals.js';

const OVERRIDE_KINDS: ReadonlyMap<string, 'absolute' | 'relative'> = new Map([
  ['absOverride', 'absolute'],
  ['absUniqueOverride', 'absolute'],
  ['relOverride', 'relative'],
  ['relUniqueOverride', 'relative'],
]);
/** Render Setup nesting is shallow; the bound only protects against cyclic `.pls` links. */
const MAX_PARENT_HOPS = 64;
const MASTER_LAYER = 'defaultRenderLayer';

export interface RenderLayerResult {
  readonly system: 'legacy' | 'renderSetup';
  readonly renderLayerNodes: string[];
  readonly layers: MayaLayerSettings[];
}

/**
 * Effective settings per render layer. The stored scene values are the
 * master layer's; a legacy layer changes them through its adjustments
 * (`.adjs[i].plg` ← plug, `.adjs[i].val`), a Render Setup layer through the
 * override nodes below it (`.pls` links override → collection → layer),
 * applied in file order. Render Setup scenes ignore legacy adjustments, as
 * Maya does once Render Setup owns the layers.
 */
export function readRenderLayers(doc: MayaDocument, cameras: readonly MayaCamera[]): RenderLayerResult {
  const base = readRenderGlobals(doc, new Map(cameras.map((c) => [c.shape, c.renderable])));
  const transformToShape = new Map(
    cameras.flatMap((c) => (c.transform === undefined ? [] : [[c.transform, c.shape]])),
  );
  const arnoldDriver = attrText(doc.nodes.get('defaultArnoldDriver'), 'ai_translator');

  const parentOf = new Map<string, string>();
  const selectorOf = new Map<string, string>();
  const legacyOfSetup = new Map<string, string>();
  const managed: string[] = [];
  const adjustments = new Map<string, Map<string, string>>();
  for (const c of doc.connections) {
    if (c.dstAttr === 'pls' || c.dstAttr === 'parentList') parentOf.set(c.dstNode, c.srcNode);
    else if (c.dstAttr === 'sel' || c.dstAttr === 'selector') selectorOf.set(c.dstNode, c.srcNode);
    else if ((c.dstAttr === 'lrl' || c.dstAttr === 'legacyRenderLayer') && c.srcAttr === 'msg') {
      legacyOfSetup.set(c.dstNode, c.srcNode);
    } else if (c.dstAttr === 'rlid' && c.srcNode === 'renderLayerManager') managed.push(c.dstNode);
    const adj = /^(?:adjs|adjustments)\[(\d+)\]\.(?:plg|plug)$/.exec(c.dstAttr);
    if (adj !== null) {
      const perLayer = adjustments.get(c.dstNode) ?? new Map<string, string>();
      perLayer.set(adj[1]!, `${c.srcNode}.${c.srcAttr}`);
      adjustments.set(c.dstNode, perLayer);
    }
  }

  const layerNodes = doc.nodeOrder.filter((n) => n.type === 'renderLayer');
  const setupLayers = doc.nodeOrder.filter((n) => n.type === 'renderSetupLayer');
  const system = setupLayers.length > 0 ? 'renderSetup' : 'legacy';
  const setupOfLegacy = new Map<string, string>();
  for (const s of setupLayers) {
    setupOfLegacy.set(legacyOfSetup.get(s.name) ?? `rs_${s.name}`, s.name);
  }

  // Layers Maya renders: those attached to the scene's own layer manager (an imported
  // scene's manager and its layers are dead weight); all of them when no manager is known.
  const attached = managed.length > 0 ? new Set(managed) : new Set(layerNodes.map((n) => n.name));
  const renderLayers = layerNodes.filter((n) => attached.has(n.name));
  if (!renderLayers.some((n) => n.name === MASTER_LAYER)) {
    renderLayers.unshift({
      type: 'renderLayer',
      name: MASTER_LAYER,
      parent: undefined,
      attrs: [],
      attrDefaults: undefined,
    });
  }
  renderLayers.sort((a, b) => Number(b.name === MASTER_LAYER) - Number(a.name === MASTER_LAYER));

  const overridesBySetupLayer = collectOverrides(doc, parentOf, selectorOf, transformToShape);

  const layers = renderLayers.map((layer): MayaLayerSettings => {
    const g = cloneGlobals(base);
    const setupName = setupOfLegacy.get(layer.name);
    const overrides = setupName === undefined ? [] : (overridesBySetupLayer.get(setupName) ?? []);
    if (system === 'legacy') applyAdjustments(g, layer, adjustments.get(layer.name));
    for (const o of overrides) applyOverride(g, o);
    const renderCameras = cameras.filter((c) => g.cameraRenderable.get(c.shape) === true).map((c) => c.shape);
    return {
      name: layer.name,
      ...(setupName === undefined ? {} : { renderSetupLayer: setupName }),
      renderable: attrBool(layer, 'rndr', 'renderable') ?? true,
      renderer: g.renderer,
      animation: g.animation,
      startFrame: g.startFrame,
      endFrame: g.endFrame,
      byFrame: g.byFrame,
      imageFilePrefix: g.imageFilePrefix,
      ...(g.imageFormatCode === undefined ? {} : { imageFormatCode: g.imageFormatCode }),
      ...(g.imageFormatKey === undefined ? {} : { imageFormatKey: g.imageFormatKey }),
      imageFormat: imageFormatName(g.imageFormatCode, g.imageFormatKey, g.renderer, arnoldDriver),
      width: g.width,
      height: g.height,
      renderCameras,
      overrides,
    };
  });
  return { system, renderLayerNodes: layerNodes.map((n) => n.name), layers };
}

function applyAdjustments(g: RenderGlobals, layer: MayaNode, plugs: Map<string, string> | undefined): void {
  if (plugs === undefined) return;
  for (const [index, plug] of plugs) {
    const value = attrText(layer, `adjs[${index}].val`, `adjustments[${index}].value`);
    if (value === undefined) continue;
    const dot = plug.indexOf('.');
    applySetting(g, plug.slice(0, dot), plug.slice(dot + 1), value);
  }
}

function applyOverride(g: RenderGlobals, o: MayaOverride): void {
  for (const target of o.targets) {
    if (o.kind === 'absolute') {
      applySetting(g, target, o.attribute, o.value);
      continue;
    }
    const current = numericSetting(g, target, o.attribute);
    const m = /^\*(.+)\+(.+)$/.exec(o.value);
    if (current === undefined || m === null) continue;
    applySetting(g, target, o.attribute, String(current * Number(m[1]) + Number(m[2])));
  }
}

/** Override nodes grouped by the Render Setup layer above them, in file order. */
function collectOverrides(
  doc: MayaDocument,
  parentOf: ReadonlyMap<string, string>,
  selectorOf: ReadonlyMap<string, string>,
  transformToShape: ReadonlyMap<string, string>,
): Map<string, MayaOverride[]> {
  const byLayer = new Map<string, MayaOverride[]>();
  for (const node of doc.nodeOrder) {
    const kind = OVERRIDE_KINDS.get(node.type);
    const attribute = attrText(node, 'atr', 'attribute');
    if (kind === undefined || attribute === undefined || !isEnabled(node)) continue;
    // Collections between the override and its layer; the parser keeps a collection
    // node only when it carries a setting (e.g. disabled), so absent ones count as enabled.
    const chain: string[] = [];
    let layer: MayaNode | undefined;
    let cursor = parentOf.get(node.name);
    for (let hop = 0; cursor !== undefined && hop < MAX_PARENT_HOPS; hop++) {
      const parent = doc.nodes.get(cursor);
      if (parent?.type === 'renderSetupLayer') {
        layer = parent;
        break;
      }
      chain.push(cursor);
      cursor = parentOf.get(cursor);
    }
    if (layer === undefined || !chain.every((name) => isEnabled(doc.nodes.get(name)))) continue;
    const targets = overrideTargets(doc, node, chain, selectorOf, transformToShape);
    const value = overrideValue(node, kind);
    const list = byLayer.get(layer.name) ?? [];
    list.push({ node: node.name, kind, attribute, targets, value });
    byLayer.set(layer.name, list);
  }
  return byLayer;
}

function isEnabled(node: MayaNode | undefined): boolean {
  return attrBool(node, 'sen', 'selfEnabled') !== false && attrBool(node, 'en', 'enabled') !== false;
}

/** `.tgName` when the override names its node; otherwise what its collection's selector selects. */
function overrideTargets(
  doc: MayaDocument,
  override: MayaNode,
  chain: readonly string[],
  selectorOf: ReadonlyMap<string, string>,
  transformToShape: ReadonlyMap<string, string>,
): string[] {
  const named = attrText(override, 'tgName', 'targetNodeName');
  const raw: string[] = [];
  if (named !== undefined && named !== '') raw.push(named);
  else {
    // The nearest collection whose selector selects anything: its static selection
    // and the nodes its wildcard pattern matches, as Render Setup unites them.
    for (const collection of chain) {
      const selector = doc.nodes.get(selectorOf.get(collection) ?? '');
      const selected = attrText(selector, 'ssl', 'staticSelection');
      const pattern = attrText(selector, 'pat', 'pattern');
      const before = raw.length;
      if (selected !== undefined && selected !== '') raw.push(...selected.split('\n'));
      if (pattern !== undefined && pattern.trim() !== '') raw.push(...nodesMatching(doc, pattern));
      if (raw.length > before) break;
    }
  }
  return raw
    .filter((t) => t !== '')
    .map((t) => {
      const key = nodeKey(t.trim());
      return transformToShape.get(key) ?? key;
    });
}

/**
 * Nodes a Render Setup selector pattern names: wildcard expressions (`*`,
 * `?`) separated by spaces, `;` or `,`, matched against node names (with or
 * without namespace); one starting with `-` removes its matches. The
 * selector's type filter is not applied: an override only changes the
 * attributes the analysis reads on the nodes that have them.
 */
function nodesMatching(doc: MayaDocument, pattern: string): string[] {
  const include: RegExp[] = [];
  const exclude: RegExp[] = [];
  for (const term of pattern.split(/[\s;,]+/).filter((t) => t !== '')) {
    const negative = term.startsWith('-');
    const body = (negative ? term.slice(1) : term).replace(/[.+^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`^${body.replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    (negative ? exclude : include).push(re);
  }
  const out: string[] = [];
  for (const name of doc.nodes.keys()) {
    const short = name.slice(name.lastIndexOf(':') + 1);
    const hit = (re: RegExp) => re.test(name) || re.test(short);
    if (include.some(hit) && !exclude.some(hit)) out.push(name);
  }
  return out;
}

function overrideValue(node: MayaNode, kind: 'absolute' | 'relative'): string {
  if (kind === 'relative') {
    const mul = attrNumber(node, 'mul', 'multiply') ?? Number(node.attrDefaults?.get('mul') ?? 1);
    const ofs = attrNumber(node, 'ofs', 'offset') ?? Number(node.attrDefaults?.get('ofs') ?? 0);
    return `*${mul}+${ofs}`;
  }
  return (
    attrText(node, 'atv', 'attrValue') ??
    node.attrDefaults?.get('atv') ??
    node.attrDefaults?.get('attrValue') ??
    '0'
  );
}
