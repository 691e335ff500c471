import { constants } from 'node:buffer';
import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { AnalyzeError } from '../core/errors.js';

/** Text intermediate files (Arnold, V-Ray, MaterialX, OCIO, XGen) larger than this are refused. */
export const MAX_TEXT_FILE_BYTES = 1024 * 1024 * 1024;

/** A file's bytes, gunzipped when it starts with the gzip magic, within the size limit. */
export function readMaybeGzip(file: string): Buffer {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (cause) {
    throw new AnalyzeError('IO', 'cannot read', file, { cause });
  }
  if (size > MAX_TEXT_FILE_BYTES) throw new AnalyzeError('LIMIT_EXCEEDED', `${size} bytes`, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new AnalyzeError('IO', 'cannot read', file, { cause });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return gunzipSync(bytes, { maxOutputLength: MAX_TEXT_FILE_BYTES });
    } catch (cause) {
      const code = (cause as { code?: string }).code;
      if (code === 'ERR_BUFFER_TOO_LARGE')
        throw new AnalyzeError('LIMIT_EXCEEDED', 'gzip content too large', file, { cause });
      throw new AnalyzeError('CORRUPT', `gzip: ${(cause as Error).message}`, file, { cause });
    }
  }
  return bytes;
}

/**
 * Refuse bytes that would decode to a longer string than JavaScript can hold
 * (512 MiB less a little): a text file between that and
 * {@link MAX_TEXT_FILE_BYTES}, or a small gzip that expands past it, is a
 * LIMIT_EXCEEDED tip instead of an error that ends the whole analysis.
 */
export function checkDecodable(length: number, file: string | undefined): void {
  if (length > constants.MAX_STRING_LENGTH) {
    throw new AnalyzeError('LIMIT_EXCEEDED', `${length} bytes of text, more than can be read at once`, file);
  }
}

/** A file's text (UTF-8, replacement characters for bad bytes). */
export function readText(file: string): string {
  const bytes = readMaybeGzip(file);
  checkDecodable(bytes.length, file);
  return bytes.toString('utf8');
}
