import type { BlendFile } from './blend-file.js';
import type { FoundPath } from './found-path.js';

/** Sequence.type of image and movie strips (SEQ_TYPE_IMAGE, SEQ_TYPE_MOVIE); sound strips use bSound IDs. */
const SEQ_TYPE_IMAGE = 0;
const SEQ_TYPE_MOVIE = 3;

/**
 * Video-sequencer strips keep their folder in `Strip.dir` and file names in
 * the `StripElem` array (`stripdata`); DNA calls a strip `Sequence` in every
 * version, even after Blender 4.4 renamed it in the code.
 */
export function* sequencerPaths(file: BlendFile): Generator<FoundPath> {
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
