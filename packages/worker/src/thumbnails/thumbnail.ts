/**
 * A JPEG thumbnail for a finished frame. sharp reads PNG, JPEG, TIFF and WebP
 * but has no EXR loader; EXR goes through `oiiotool`, which also converts the
 * linear data to sRGB (libvips' own EXR path writes black images).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import { WorkerError } from '../errors.js';
import { captureOutput } from '../process/supervise.js';

export const THUMBNAIL_MAX_SIZE = 320;

const SHARP_INPUTS = new Set(['.png', '.jpg', '.jpeg', '.tif', '.tiff', '.webp']);
const OIIO_INPUTS = new Set(['.exr', '.hdr', '.tga', '.bmp', '.dpx']);

/** Whether {@link makeThumbnail} can read this file (by extension). */
export function canThumbnail(path: string): boolean {
  const ext = extname(path).toLowerCase();
  return SHARP_INPUTS.has(ext) || OIIO_INPUTS.has(ext);
}

/** Write a JPEG of at most `maxSize` pixels on its longer side to `outPath`. */
export async function makeThumbnail(
  input: string,
  outPath: string,
  maxSize = THUMBNAIL_MAX_SIZE,
): Promise<void> {
  const ext = extname(input).toLowerCase();
  if (SHARP_INPUTS.has(ext)) {
    await sharp(input)
      .resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true })
      .jpeg()
      .toFile(outPath);
    return;
  }
  if (!OIIO_INPUTS.has(ext))
    throw new WorkerError('PARAMETER_INVALID', `no thumbnail reader for ${ext} files (${input})`);
  const dir = await mkdtemp(join(tmpdir(), 'openfarm-thumb-'));
  try {
    const png = join(dir, 'thumb.png');
    const args = [input, '--ch', 'R,G,B'];
    if (ext === '.exr' || ext === '.hdr') args.push('--colorconvert', 'linear', 'sRGB');
    args.push('-d', 'uint8', '-o', png);
    const { exit } = await captureOutput({ executable: 'oiiotool', args }).catch((err: Error) => {
      throw new WorkerError(
        'FAIL',
        `thumbnail of ${input} needs oiiotool (openimageio-tools): ${err.message}`,
      );
    });
    if (exit.code !== 0)
      throw new WorkerError('FAIL', `oiiotool could not convert ${input} (exit ${exit.code})`);
    await sharp(png)
      .resize(maxSize, maxSize, { fit: 'inside', withoutEnlargement: true })
      .jpeg()
      .toFile(outPath);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
