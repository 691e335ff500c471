import { registerAnalyzer } from '../core/index.js';
import { AnalyzeClarisse } from './analyze-clarisse.js';

export { AnalyzeClarisse } from './analyze-clarisse.js';
export type {
  Block as ClarisseBlock,
  Entry as ClarisseEntry,
  Statement as ClarisseStatement,
  Value as ClarisseValue,
} from './brace-tree.js';
export type { ClarisseFileReference } from './file-references.js';
export type { ClarisseImage, ClarisseLayer, Timeline as ClarisseTimeline } from './images.js';
export type { Attribute as ClarisseAttribute, ClarisseContext, ClarisseObject } from './project-objects.js';
export { type ClarisseProject, readClarisseProject } from './read-project.js';
export { clarisseSceneInfoRender } from './scene-info.js';

registerAnalyzer(['.project'], AnalyzeClarisse);
