import { registerAnalyzer } from '../core/index.js';
import { AnalyzeClarisse } from './analyze-clarisse.js';

export { AnalyzeClarisse } from './analyze-clarisse.js';
export type { Block, Entry, Statement, Value } from './brace-tree.js';
export type { ClarisseFileReference } from './file-references.js';
export type { ClarisseImage, ClarisseLayer, Timeline } from './images.js';
export type { Attribute, ClarisseContext, ClarisseObject } from './project-objects.js';
export { type ClarisseProject, readClarisseProject } from './read-project.js';
export { clarisseSceneInfoRender } from './scene-info.js';

registerAnalyzer(['.project'], AnalyzeClarisse);
