import { gunzipSync } from 'node:zlib';
import { AnalyzeError } from '../core/errors.js';
import { decompressZstd } from './zstd-frames.js';

/** How the .blend bytes were stored on disk. */
export type BlendCompression = 'none' | 'gzip' | 'zstd';

export interface BlendBytes {
  compression: BlendCompression;
  /** The uncompressed file, starting with `BLENDER`. */
  data: Uint8Array;
}

const BLENDER_MAGIC = 'BLENDER';

function startsWithBlender(b: Uint8Array): boolean {
  if (b.length < BLENDER_MAGIC.length) return false;
  for (let i = 0; i < BLENDER_MAGIC.length; i++) if (b[i] !== BLENDER_MAGIC.charCodeAt(i)) return false;
  return true;
}

/**
 * Unwraps the compression Blender applied when saving (detected by magic,
 * never by extension: `.blend1` backups and renamed files are common).
 * gzip = "Compress" in Blender ≤ 2.9x, zstd = Blender ≥ 3.0.
 */
export function unwrapBlend(file: Uint8Array, maxBytes: number): BlendBytes {
  if (startsWithBlender(file)) {
    if (file.length > maxBytes) {
      throw new AnalyzeError('LIMIT_EXCEEDED', `.blend file is larger than the ${maxBytes}-byte limit`);
    }
    return { compression: 'none', data: file };
  }
  let compression: BlendCompression;
  let data: Uint8Array;
  if (file[0] === 0x1f && file[1] === 0x8b) {
    compression = 'gzip';
    try {
      data = gunzipSync(file, { maxOutputLength: maxBytes });
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code === 'ERR_BUFFER_TOO_LARGE') {
        throw new AnalyzeError(
          'LIMIT_EXCEEDED',
          `gzip data decompresses to more than the ${maxBytes}-byte limit`,
        );
      }
      throw new AnalyzeError('CORRUPT', `gzip data does not decompress (${err.message})`);
    }
  } else if (file[0] === 0x28 && file[1] === 0xb5 && file[2] === 0x2f && file[3] === 0xfd) {
    compression = 'zstd';
    data = decompressZstd(file, maxBytes);
  } else {
    throw new AnalyzeError('WRONG_FORMAT', 'not a Blender file (no BLENDER, gzip or zstd magic)');
  }
  if (!startsWithBlender(data)) {
    throw new AnalyzeError('WRONG_FORMAT', `${compression} data does not hold a Blender file`);
  }
  return { compression, data };
}
