import { readFileSync, statSync } from 'node:fs';
import { AnalyzeError } from './errors.js';

/**
 * Read a whole scene file, refusing one larger than `maxBytes` before
 * allocating for it. I/O failures become AnalyzeError('IO') naming the file.
 */
export function readSceneBytes(file: string, maxBytes: number, tooLarge: string): Buffer {
  try {
    if (statSync(file).size > maxBytes) throw new AnalyzeError('LIMIT_EXCEEDED', tooLarge, file);
    return readFileSync(file);
  } catch (cause) {
    if (cause instanceof AnalyzeError) throw cause;
    throw new AnalyzeError('IO', 'cannot read the scene file', file, { cause });
  }
}
