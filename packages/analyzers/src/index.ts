export * from './blend/index.js';
export * from './clarisse/index.js';
export * from './core/index.js';
export * from './houdini/index.js';
export * from './maya/index.js';
export * from './nested/index.js';
export * from './usd/index.js';
