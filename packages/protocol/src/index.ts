export * from './json-text.js';
export * from './python-format.js';
export * from './signing.js';
