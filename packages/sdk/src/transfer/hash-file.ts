/** Streaming SHA-256 of a local file: the content address the farm stores it under. */
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { giveReadBuffer, READ_BUFFER_BYTES, takeReadBuffer } from './buffer-pool.js';
import type { ByteSlabs } from './byte-slabs.js';

export interface FileDigest {
  sha256: string;
  size: number;
  /** The file's bytes, when it was read in one call and the caller asked to keep them (a view of `keepIn`). */
  bytes?: Buffer;
}

/** Files up to this size are read in one call: a stream's buffer would cost more than the file. */
const READ_WHOLE_BYTES = 1024 * 1024;

/**
 * `expectedSize` (from a stat) lets a small file be read in one call into
 * room made for it; `keepIn` returns a small file's bytes too (in room taken
 * from those slabs, which the caller gives back), so an upload need not read
 * it twice.
 */
export async function hashFile(path: string, expectedSize?: number, keepIn?: ByteSlabs): Promise<FileDigest> {
  if (expectedSize !== undefined && expectedSize <= READ_WHOLE_BYTES) {
    const whole = await readWhole(path, expectedSize, keepIn);
    if (whole !== undefined) {
      const digest = {
        sha256: createHash('sha256').update(whole.bytes).digest('hex'),
        size: whole.bytes.length,
      };
      if (keepIn !== undefined) return { ...digest, bytes: whole.bytes };
      whole.release();
      return digest;
    }
    // It grew since the stat: hash what it holds now (the caller sees the size differ).
  }
  // One buffer for the whole file, reused from file to file: a stream would allocate a new one per
  // read, and on large files collecting them is a good part of the client's CPU.
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

/**
 * Open, read, close: a small file's bytes, asking for one byte more than the stat said so a file
 * that grew is noticed (undefined) without a second read; readFile would also fstat it. The bytes
 * land in `keepIn`'s room, or in a reused read buffer that `release` gives back.
 */
async function readWhole(
  path: string,
  expectedSize: number,
  keepIn: ByteSlabs | undefined,
): Promise<{ bytes: Buffer; release: () => void } | undefined> {
  const room = expectedSize + 1;
  const pooled = keepIn === undefined && room <= READ_BUFFER_BYTES;
  const buffer = keepIn?.take(room) ?? (pooled ? takeReadBuffer() : Buffer.allocUnsafeSlow(room));
  const release = (): void => {
    if (keepIn !== undefined) keepIn.give(buffer);
    else if (pooled) giveReadBuffer(buffer);
  };
  let n = 0;
  try {
    const fh = await open(path, 'r');
    try {
      for (;;) {
        const { bytesRead } = await fh.read(buffer, n, room - n, n);
        if (bytesRead === 0) break;
        n += bytesRead;
        if (n === room) break;
      }
    } finally {
      await fh.close();
    }
  } catch (e) {
    release();
    throw e;
  }
  if (n > expectedSize) {
    release();
    return undefined;
  }
  return { bytes: buffer.subarray(0, n), release };
}
