import type { BlendFile } from './blend-file.js';
import type {
  BlendExternalFile,
  BlendExternalKind,
  BlendImage,
  BlendImageSource,
  BlendLibrary,
} from './blend-info.js';
import { idName } from './id-name.js';
import type { StructView } from './struct-view.js';

/** Image.source values (IMA_SRC_* in DNA_image_types.h). */
const IMAGE_SOURCES: readonly BlendImageSource[] = [
  'UNKNOWN',
  'FILE',
  'SEQUENCE',
  'MOVIE',
  'GENERATED',
  'VIEWER',
  'TILED',
];
/** MovieClip.source value for an image sequence (MCLIP_SRC_SEQUENCE). */
const MCLIP_SRC_SEQUENCE = 1;
/** Text.flags bit of a text that only lives in the .blend (TXT_ISMEM). */
const TXT_ISMEM = 1 << 2;
/** PointCache.flag bits (DNA_pointcache_types.h). */
const PTCACHE_BAKED = 1 << 0;
const PTCACHE_DISK_CACHE = 1 << 6;
const PTCACHE_EXTERNAL = 1 << 9;
/** `mode` of IES texture and OSL script nodes that read a file instead of an internal text. */
const NODE_MODE_EXTERNAL = 1;
/** Sequence.type of image and movie strips (SEQ_TYPE_IMAGE, SEQ_TYPE_MOVIE); sound strips use bSound IDs. */
const SEQ_TYPE_IMAGE = 0;
const SEQ_TYPE_MOVIE = 3;
/** The built-in font placeholder path, never a file. */
const BUILTIN_FONT = '<builtin>';

function isPacked(file: BlendFile, sv: StructView): boolean {
  if ((sv.pointer('packedfile') ?? 0n) !== 0n) return true;
  return sv.has('packedfiles') && file.list(sv, 'packedfiles').length > 0;
}

export function readImages(file: BlendFile): BlendImage[] {
  return [...file.instancesOf('Image')].map((im) => ({
    name: idName(file, im),
    path: im.string('filepath', 'name') ?? '',
    source: IMAGE_SOURCES[im.number('source') ?? 0] ?? 'UNKNOWN',
    packed: isPacked(file, im),
  }));
}

export function readLibraries(file: BlendFile): BlendLibrary[] {
  return [...file.instancesOf('Library')].map((li) => ({
    name: idName(file, li),
    // `name` keeps the user's (often `//`-relative) form in every version; 2.7x `filepath` is a runtime absolute copy.
    path: li.string('name', 'filepath') ?? '',
    packed: isPacked(file, li),
  }));
}

interface Collected {
  kind: BlendExternalKind;
  owner: string;
  path: string | undefined;
  packed?: boolean;
  expansion?: BlendExternalFile['expansion'];
}

function* idPaths(file: BlendFile): Generator<Collected> {
  for (const cf of file.instancesOf('CacheFile')) {
    yield {
      kind: 'cache_file',
      owner: idName(file, cf),
      path: cf.string('filepath'),
      expansion: cf.number('is_sequence') ? 'sequence' : 'none',
    };
  }
  for (const vo of file.instancesOf('Volume')) {
    yield {
      kind: 'volume',
      owner: idName(file, vo),
      path: vo.string('filepath'),
      packed: isPacked(file, vo),
      expansion: vo.number('is_sequence') ? 'sequence' : 'none',
    };
  }
  for (const so of file.instancesOf('bSound')) {
    yield {
      kind: 'sound',
      owner: idName(file, so),
      path: so.string('filepath', 'name'),
      packed: isPacked(file, so),
    };
  }
  for (const vf of file.instancesOf('VFont')) {
    const path = vf.string('filepath', 'name');
    if (path === BUILTIN_FONT) continue;
    yield { kind: 'font', owner: idName(file, vf), path, packed: isPacked(file, vf) };
  }
  for (const mc of file.instancesOf('MovieClip')) {
    yield {
      kind: 'movie_clip',
      owner: idName(file, mc),
      path: mc.string('filepath', 'name'),
      expansion: mc.number('source') === MCLIP_SRC_SEQUENCE ? 'sequence' : 'none',
    };
  }
  for (const tx of file.instancesOf('Text')) {
    if (((tx.number('flags') ?? 0) & TXT_ISMEM) !== 0) continue;
    yield { kind: 'text', owner: idName(file, tx), path: file.cString(tx.pointer('filepath', 'name')) };
  }
}

function* nestedPaths(file: BlendFile, blendStem: string | undefined): Generator<Collected> {
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

/**
 * Video-sequencer strips keep their folder in `Strip.dir` and file names in
 * the `StripElem` array (`stripdata`); DNA calls a strip `Sequence` in every
 * version, even after Blender 4.4 renamed it in the code.
 */
function* sequencerPaths(file: BlendFile): Generator<Collected> {
  for (const seq of file.instancesOf('Sequence')) {
    const type = seq.number('type');
    if (type !== SEQ_TYPE_IMAGE && type !== SEQ_TYPE_MOVIE) continue;
    const strip = file.deref(seq.pointer('strip', 'data'));
    const dir = strip?.string('dir') ?? '';
    const elements = file.derefArray(strip?.pointer('stripdata'));
    const owner = seq.string('name')?.slice(2) ?? '';
    const kind = type === SEQ_TYPE_IMAGE ? 'sequencer_image' : 'sequencer_movie';
    // A movie strip has one element; an image strip one per frame file.
    for (const el of type === SEQ_TYPE_IMAGE ? elements : elements.slice(0, 1)) {
      const name = el.string('name') ?? '';
      if (name !== '') yield { kind, owner, path: joinStripPath(dir, name) };
    }
  }
}

/** `Strip.dir` ends with a separator in files Blender writes; be tolerant when it does not. */
function joinStripPath(dir: string, name: string): string {
  if (dir === '' || dir.endsWith('/') || dir.endsWith('\\')) return dir + name;
  return `${dir}/${name}`;
}

/** Every external path in the file; `blendStem` (file name without extension) names Blender's disk-cache folder. */
export function readExternalFiles(
  file: BlendFile,
  images: readonly BlendImage[],
  libraries: readonly BlendLibrary[],
  blendStem: string | undefined,
): BlendExternalFile[] {
  const out: BlendExternalFile[] = [];
  for (const im of images) {
    if (im.source === 'GENERATED' || im.source === 'VIEWER' || im.path === '') continue;
    const expansion = im.source === 'SEQUENCE' ? 'sequence' : im.source === 'TILED' ? 'udim' : 'none';
    out.push({ kind: 'image', owner: im.name, path: im.path, packed: im.packed, expansion });
  }
  for (const li of libraries) {
    if (li.path !== '')
      out.push({ kind: 'library', owner: li.name, path: li.path, packed: li.packed, expansion: 'none' });
  }
  for (const c of [...idPaths(file), ...nestedPaths(file, blendStem), ...sequencerPaths(file)]) {
    if (!c.path) continue;
    out.push({
      kind: c.kind,
      owner: c.owner,
      path: c.path,
      packed: c.packed ?? false,
      expansion: c.expansion ?? 'none',
    });
  }
  return out;
}
