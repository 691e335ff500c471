import type { BlendFile } from './blend-file.js';
import type { BlendImage, BlendImageSource, BlendLibrary } from './blend-info.js';
import { idName } from './id-name.js';
import { isPacked } from './packed.js';

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

export function readImages(file: BlendFile): BlendImage[] {
  return [...file.instancesOf('Image')].map((im) => {
    const image: BlendImage = {
      name: idName(file, im),
      path: im.string('filepath', 'name') ?? '',
      source: IMAGE_SOURCES[im.number('source') ?? 0] ?? 'UNKNOWN',
      packed: isPacked(file, im),
    };
    // UDIM tiles the image uses (Blender ≥ 2.82); other numbers matching the pattern on disk are not loaded.
    if (image.source === 'TILED' && im.has('tiles')) {
      image.tiles = file.list(im, 'tiles').map((t) => t.number('tile_number') ?? 0);
    }
    return image;
  });
}

export function readLibraries(file: BlendFile): BlendLibrary[] {
  return [...file.instancesOf('Library')].map((li) => ({
    name: idName(file, li),
    // `name` keeps the user's (often `//`-relative) form in every version; 2.7x `filepath` is a runtime absolute copy.
    path: li.string('name', 'filepath') ?? '',
    packed: isPacked(file, li),
  }));
}
