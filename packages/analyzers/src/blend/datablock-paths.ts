import type { BlendFile } from './blend-file.js';
import type { FoundPath } from './found-path.js';
import { idName } from './id-name.js';
import { isPacked } from './packed.js';

/** MovieClip.source value for an image sequence (MCLIP_SRC_SEQUENCE). */
const MCLIP_SRC_SEQUENCE = 1;
/** Text.flags bit of a text that only lives in the .blend (TXT_ISMEM). */
const TXT_ISMEM = 1 << 2;
/** The built-in font placeholder path, never a file. */
const BUILTIN_FONT = '<builtin>';

/** Paths held by ID datablocks other than images and libraries: caches, volumes, sounds, fonts, clips, texts. */
export function* datablockPaths(file: BlendFile): Generator<FoundPath> {
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
