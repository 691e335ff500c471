import type { DependencyKind } from './dependency-collector.js';

/** Lower-case extension without the leading dot (`abc`, `bgeo.sc`) → what a file of that kind is for. */
export type ExtensionKinds = Readonly<Record<string, DependencyKind>>;

/**
 * Interchange formats every DCC reads for the same purpose, so a path's
 * extension alone says what it is, whichever scene refers to it.
 */
export const COMMON_EXTENSION_KINDS: ExtensionKinds = Object.freeze({
  abc: 'alembic',
  usd: 'usd',
  usda: 'usd',
  usdc: 'usd',
  usdz: 'usd',
  vdb: 'volume',
  obj: 'geometry',
  fbx: 'geometry',
});

/**
 * Houdini's own formats on top of the common ones: geometry and simulation
 * caches, digital-asset libraries (commercial, Apprentice and Indie
 * flavours), and the render proxies its ROPs read.
 */
export const HOUDINI_EXTENSION_KINDS: ExtensionKinds = Object.freeze({
  ...COMMON_EXTENSION_KINDS,
  ies: 'ies',
  bgeo: 'cache',
  'bgeo.sc': 'cache',
  'bgeo.gz': 'cache',
  geo: 'cache',
  sim: 'cache',
  simdata: 'cache',
  hda: 'library',
  hdanc: 'library',
  hdalc: 'library',
  otl: 'library',
  otlnc: 'library',
  ass: 'proxy',
  rs: 'proxy',
});

/** Clarisse also imports LightWave objects as geometry. */
export const CLARISSE_EXTENSION_KINDS: ExtensionKinds = Object.freeze({
  ...COMMON_EXTENSION_KINDS,
  lwo: 'geometry',
});

/**
 * The kind of the file a path names, by its extension in `table`; any
 * other file (images above all, whose extensions are too many to list) is a
 * `fallback`. Multi-part extensions win over their last part (`x.bgeo.sc`
 * is `bgeo.sc`), and only the file name counts, not dotted folders.
 */
export function kindOfExtension(
  path: string,
  table: ExtensionKinds,
  fallback: DependencyKind = 'texture',
): DependencyKind {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1).toLowerCase();
  for (let dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
    const extension = name.slice(dot + 1);
    // hasOwn: a name like `x.constructor` must not find Object.prototype's members.
    if (Object.hasOwn(table, extension)) return table[extension]!;
  }
  return fallback;
}
