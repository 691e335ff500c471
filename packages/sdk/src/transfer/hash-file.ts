/** Streaming SHA-256 of a local file: the content address the farm stores it under. */
import { createHash } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { giveReadBuffer, takeReadBuffer } from './buffer-pool.js';

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
  // One buffer for the whole file: a stream would allocate a new one per read, and on large
  // files collecting them is a good part of the client's CPU.
  const hash = createHash('sha256');
  const buffer = takeReadBuffer();
  const fh = await open(path, 'r');
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await fh.read(buffer, 0, buffer.length, size);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
  } finally {
    await fh.close();
    giveReadBuffer(buffer);
  }
  return { sha256: hash.digest('hex'), size };
}
