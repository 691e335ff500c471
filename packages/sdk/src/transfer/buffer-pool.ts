/**
 * Reused 1 MiB buffers for reading files: hashing a file and sending a range
 * of it each need one or two for the length of the file. Allocated per file,
 * a tree of a hundred 8 MB textures left 200 MB of buffers for the collector,
 * whose major collections (V8 starts one after every 64 MB of such memory)
 * mark the whole heap.
 */

export const READ_BUFFER_BYTES = 1024 * 1024;
/** Free buffers kept beyond this many are left to the collector. */
const KEEP_FREE = 16;

const free: Buffer[] = [];

/** A buffer of READ_BUFFER_BYTES, not shared with anyone until given back. */
export function takeReadBuffer(): Buffer {
  return free.pop() ?? Buffer.allocUnsafeSlow(READ_BUFFER_BYTES);
}

/** Hand a buffer back once nothing reads from or writes into it any more. */
export function giveReadBuffer(buffer: Buffer): void {
  if (free.length < KEEP_FREE && buffer.length === READ_BUFFER_BYTES) free.push(buffer);
}
