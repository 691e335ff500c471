import { registerAnalyzer } from '../core/index.js';
import { AnalyzeMaya } from './analyze-maya.js';

export { AnalyzeMaya } from './analyze-maya.js';
export { parseMayaAscii } from './ma-parser.js';
export { getAttr } from './maya-document.js';
export type {
  MayaAttr,
  MayaAttrValue,
  MayaConnection,
  MayaDocument,
  MayaNode,
  MayaReference,
} from './maya-document.js';
export type {
  MayaCamera,
  MayaLayerSettings,
  MayaOverride,
  MayaScene,
  MayaSceneReference,
} from './maya-scene.js';
export { parseMayaBinary } from './mb-parser.js';
export { describeMayaScene, type MayaReadResult, parseMayaBytes, readMayaScene } from './read-maya-scene.js';

registerAnalyzer(['.ma', '.mb'], AnalyzeMaya);
