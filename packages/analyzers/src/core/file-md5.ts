import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { AnalyzeError } from './errors.js';

/** MD5 hex of a file, streamed (scenes can be gigabytes). */
export async function fileMd5(path: string): Promise<string> {
  const hash = createHash('md5');
  try {
    for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  } catch (cause) {
    throw new AnalyzeError('IO', 'cannot read the scene file', path, { cause });
  }
  return hash.digest('hex');
}
