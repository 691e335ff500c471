import { COMMON_EXTENSION_KINDS, kindOfExtension } from '../core/extension-kinds.js';
import { openFileSource } from '../usd/byte-source.js';
import { readUsdLayer } from '../usd/usd-layer.js';
import { clipTemplatePattern, isShaderRegistryName, type UsdAssetRef } from '../usd/usd-refs.js';
import type { DependencyReader, NestedRef } from './dependency-reader.js';

/**
 * USD layers (`.usd`, `.usda`, `.usdc`, `.usdz`) as dependency readers.
 * Relative asset paths are anchored to the layer that holds them; a
 * search-path style path (`textures/a.png`, neither `./` nor `../`) is also
 * looked for under the scene's roots, as USD's default resolver looks in its
 * search path. URIs (`omniverse://…`, `http://…`) and anonymous layers are
 * not files on this machine and are left out, as are shader registry names
 * in `info:` properties (`PxrTexture`); `pkg.usdz[member]` names the package.
 */
export const usdDependencyReader: DependencyReader = {
  format: 'USD',
  read(file) {
    const source = openFileSource(file);
    try {
      return readUsdLayer(source).flatMap(toNestedRef);
    } finally {
      source.close();
    }
  },
};

function toNestedRef(ref: UsdAssetRef): NestedRef[] {
  let path = ref.path.trim();
  if (path === '' || path.startsWith('anon:') || /^[A-Za-z][A-Za-z0-9+.-]+:/.test(path)) return [];
  if (isShaderRegistryName(ref.owner, path)) return [];
  path = path.replace(/\[[^\]]*\]$/, '');
  if (ref.kind === 'clip-template') path = clipTemplatePattern(path);
  const searchPath = !/^(?:\.{1,2}[\\/]|[\\/]|[A-Za-z]:)/.test(path);
  const kind =
    ref.kind === 'sublayer' ||
    ref.kind === 'reference' ||
    ref.kind === 'payload' ||
    ref.kind === 'clip' ||
    ref.kind === 'clip-template'
      ? 'usd'
      : kindOfExtension(path, COMMON_EXTENSION_KINDS);
  return [{ path, owner: ref.owner, kind, ...(searchPath ? { sceneRootsToo: true } : {}) }];
}
