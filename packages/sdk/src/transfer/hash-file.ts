/** Streaming SHA-256 of a local file: the content address the farm stores it under. */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';

export interface FileDigest {
  sha256: string;
  size: number;
  /** The file's bytes, when it was read in one call and the caller asked to keep them. */
  bytes?: Buffer;
}

/** Files up to this size are read in one call: a stream's buffer would cost more than the file. */
const READ_WHOLE_BYTES = 1024 * 1024;

/**
 * `expectedSize` (from a stat) lets small files skip the stream machinery;
 * `keep` returns a small file's bytes too, so an upload need not read it twice.
 */
export async function hashFile(path: string, expectedSize?: number, keep = false): Promise<FileDigest> {
  if (expectedSize !== undefined && expectedSize <= READ_WHOLE_BYTES) {
    const data = await readFile(path);
    const digest = { sha256: createHash('sha256').update(data).digest('hex'), size: data.length };
    return keep ? { ...digest, bytes: data } : digest;
  }
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}
