import type { BlendFile } from './blend-file.js';
import type { FoundPath } from './found-path.js';

/** PointCache.flag bits (DNA_pointcache_types.h). */
const PTCACHE_BAKED = 1 << 0;
const PTCACHE_DISK_CACHE = 1 << 6;
const PTCACHE_EXTERNAL = 1 << 9;
/** `mode` of IES texture and OSL script nodes that read a file instead of an internal text. */
const NODE_MODE_EXTERNAL = 1;

/**
 * Paths inside non-ID structs, found by struct type wherever they are
 * stored: simulation caches (point caches, fluid domains) and shader nodes
 * reading a file (IES light profiles, OSL scripts).
 */
export function* cacheAndNodePaths(file: BlendFile, blendStem: string | undefined): Generator<FoundPath> {
  for (const pc of file.instancesOf('PointCache')) {
    const flag = pc.number('flag') ?? 0;
    const name = pc.string('name') ?? '';
    if (flag & PTCACHE_EXTERNAL) {
      yield { kind: 'point_cache', owner: name, path: pc.string('path'), expansion: 'directory' };
    } else if (flag & PTCACHE_DISK_CACHE && flag & PTCACHE_BAKED && blendStem !== undefined) {
      // Baked disk caches sit in Blender's fixed folder beside the .blend.
      yield { kind: 'point_cache', owner: name, path: `//blendcache_${blendStem}/`, expansion: 'directory' };
    }
  }
  for (const fd of file.instancesOf('FluidDomainSettings')) {
    yield {
      kind: 'fluid_cache',
      owner: 'fluid domain',
      path: fd.string('cache_directory'),
      expansion: 'directory',
    };
  }
  for (const ies of file.instancesOf('NodeShaderTexIES')) {
    if (ies.number('mode') === NODE_MODE_EXTERNAL)
      yield { kind: 'ies', owner: 'IES texture', path: ies.string('filepath') };
  }
  for (const osl of file.instancesOf('NodeShaderScript')) {
    if (osl.number('mode') === NODE_MODE_EXTERNAL) {
      yield { kind: 'osl_script', owner: 'script node', path: osl.string('filepath') };
    }
  }
}
