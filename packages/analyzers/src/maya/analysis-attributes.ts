import { ByteNameSet, indexOfByte } from './byte-names.js';
import { ANY_NODE_FILE_ATTRIBUTES, FILE_ATTRIBUTES } from './file-attributes.js';

/**
 * What the Maya ASCII parser keeps. A production scene holds hundreds of
 * thousands of nodes and attribute values the analysis never reads; keeping
 * only these keeps memory and garbage collection proportional to the
 * render settings, not to the scene. Every attribute name another module of
 * this folder reads (short and long form) must be listed here.
 */
const SETTING_ATTRIBUTES = [
  // defaultRenderGlobals, defaultResolution, defaultArnoldDriver
  ['ren', 'currentRenderer', 'an', 'animation', 'fs', 'startFrame', 'ef', 'endFrame'],
  [
    'bfs',
    'byFrameStep',
    'byFrame',
    'ifp',
    'imageFilePrefix',
    'outf',
    'imageFormat',
    'imfkey',
    'imfPluginKey',
  ],
  ['w', 'width', 'h', 'height', 'ai_translator'],
  // cameras and render layers (legacy adjustments included)
  ['rnd', 'renderable', 'rndr', 'adjs', 'adjustments'],
  // Render Setup overrides, collections and selectors
  ['atr', 'attribute', 'atv', 'attrValue', 'tgName', 'targetNodeName', 'mul', 'multiply', 'ofs', 'offset'],
  ['sen', 'selfEnabled', 'en', 'enabled', 'ssl', 'staticSelection', 'pat', 'pattern'],
  // sequence hints, cacheFile, colour management, scene configuration script
  ['uvt', 'uvTilingMode', 'ufe', 'useFrameExtension', 'cp', 'cachePath', 'cn', 'cacheName'],
  ['cfe', 'configFileEnabled', 'cfp', 'configFilePath', 'b', 'before'],
].flat();

const KEPT_ATTRIBUTES: ReadonlySet<string> = new Set([
  ...SETTING_ATTRIBUTES,
  ...[...FILE_ATTRIBUTES.values()].flat().flatMap((rule) => rule.attrs),
  ...ANY_NODE_FILE_ATTRIBUTES.flatMap((rule) => rule.attrs),
]);

/** Whether a setAttr on this attribute (`ftn`, `fn[0]`, `adjs[2].val`, `filename3`) is worth keeping. */
export function isAnalysisAttribute(attr: string): boolean {
  const bracket = attr.indexOf('[');
  const base = bracket < 0 ? attr : attr.slice(0, bracket);
  if (KEPT_ATTRIBUTES.has(base)) return true;
  const last = base.charCodeAt(base.length - 1);
  return last >= 0x30 && last <= 0x39 && KEPT_ATTRIBUTES.has(base.replace(/\d+$/, ''));
}

const KEPT_ATTRIBUTE_BYTES = new ByteNameSet(KEPT_ATTRIBUTES);
const BRACKET = 0x5b;

/** {@link isAnalysisAttribute} on the bytes of a setAttr's attribute, without its leading dot. */
export function isAnalysisAttributeBytes(buf: Uint8Array, start: number, end: number): boolean {
  let baseEnd = indexOfByte(buf, BRACKET, start, end);
  if (KEPT_ATTRIBUTE_BYTES.has(buf, start, baseEnd)) return true;
  const digitsEnd = baseEnd;
  while (baseEnd > start && buf[baseEnd - 1]! >= 0x30 && buf[baseEnd - 1]! <= 0x39) baseEnd--;
  return baseEnd < digitsEnd && KEPT_ATTRIBUTE_BYTES.has(buf, start, baseEnd);
}

/** Node types kept even when no kept attribute is set on them (their mere existence matters). */
export const ANALYSIS_NODE_TYPES: ReadonlySet<string> = new Set([
  'camera',
  'stereoRigCamera',
  'renderLayer',
  'renderSetupLayer',
  'absOverride',
  'absUniqueOverride',
  'relOverride',
  'relUniqueOverride',
]);

export const ANALYSIS_NODE_TYPE_BYTES = new ByteNameSet(ANALYSIS_NODE_TYPES);

const CONNECTION_ATTRIBUTES = new ByteNameSet([
  'pls',
  'parentList',
  'sel',
  'selector',
  'lrl',
  'legacyRenderLayer',
  'rlid',
]);
const ADJUSTMENT_PREFIXES = [Buffer.from('adjs['), Buffer.from('adjustments[')];

/**
 * Whether a connection whose destination attribute is `[start, end)` may
 * matter; the decoded attribute is then checked with {@link isAnalysisConnection}.
 */
export function isAnalysisConnectionBytes(buf: Uint8Array, start: number, end: number): boolean {
  if (CONNECTION_ATTRIBUTES.has(buf, start, end)) return true;
  next: for (const prefix of ADJUSTMENT_PREFIXES) {
    if (end - start <= prefix.length) continue;
    for (let k = 0; k < prefix.length; k++) if (buf[start + k] !== prefix[k]) continue next;
    return true;
  }
  return false;
}

/** Connections the render-layer logic follows, by destination attribute. */
export function isAnalysisConnection(dstAttr: string): boolean {
  switch (dstAttr) {
    case 'pls':
    case 'parentList':
    case 'sel':
    case 'selector':
    case 'lrl':
    case 'legacyRenderLayer':
    case 'rlid':
      return true;
    default:
      return /^(?:adjs|adjustments)\[\d+\]\.(?:plg|plug)$/.test(dstAttr);
  }
}
