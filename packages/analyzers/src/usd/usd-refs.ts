/** What a USD layer names, before resolution. */
export type UsdRefKind =
  | 'sublayer'
  | 'reference'
  | 'payload'
  | 'asset'
  | 'clip'
  | 'clip-template'
  /** A string-typed attribute whose name says it holds a file. */
  | 'string';

export interface UsdAssetRef {
  /** The asset path as the layer stores it. */
  readonly path: string;
  /** Where in the layer: `</Prim.inputs:file>`, `</Prim> references`. */
  readonly owner: string;
  readonly kind: UsdRefKind;
}

/**
 * String attributes that hold file names in practice although USD types
 * them `string` rather than `asset`: RenderMan/Arnold/MaterialX shader
 * inputs (`inputs:file`, `inputs:filename`), `file`, `filename`, `filePath`.
 * The namespace before the last `:` does not matter.
 */
export function isPathLikeProperty(name: string): boolean {
  const last = name.slice(name.lastIndexOf(':') + 1).toLowerCase();
  return last === 'file' || last === 'filename' || last === 'filepath' || last === 'texturefile';
}

/**
 * A clip template (`./clip.###.usd`, `./clip.###.###.usd` for subframes) as
 * a file-name pattern the collector expands: each run of `#` is any integer
 * (USD pads to at least the run's length, and frame 1000 of `###` has four).
 */
export function clipTemplatePattern(template: string): string {
  return template.replace(/#+/g, '%d');
}

/**
 * A shader's `info:filePath`/`info:sourceAsset` holding a registry name
 * (`PxrTexture`, `PxrDisney`: RenderMan finds those in its own plugin
 * path) rather than a file: no folder and no extension.
 */
export function isShaderRegistryName(owner: string, path: string): boolean {
  return !/[\\/.]/.test(path) && /\.info:[^>]*>$/.test(owner);
}
