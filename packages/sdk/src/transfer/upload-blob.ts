/**
 * One blob sent alone: in one request when it fits in a chunk, else as a
 * resumable upload — the farm says how much of it it already holds (an upload
 * cut short earlier, by this process or another) and only the rest is sent,
 * a chunk per request, so a dropped connection costs at most one chunk.
 */
import type { BlobKey, Body, TransferClient } from './transfer-client.js';

export async function sendBlob(
  client: TransferClient,
  key: BlobKey,
  chunkBytes: number,
  bodyOf: (start: number, end: number) => Body,
): Promise<void> {
  if (key.size <= chunkBytes) {
    await client.putBlob(key, bodyOf(0, key.size));
    return;
  }
  const state = await client.beginUpload(key);
  if (state.complete) return;
  let offset = state.offset;
  while (offset < key.size) {
    const start = offset;
    const end = Math.min(key.size, start + chunkBytes);
    offset = await client.putChunk(state.uploadId as string, start, bodyOf(start, end));
  }
  await client.completeUpload(state.uploadId as string);
}
