/**
 * The framing of a batch of small blobs sent in one request, so a tree of
 * thousands of small files costs a few requests instead of one each:
 *
 *   repeat { 64 lowercase hex SHA-256 | size as 16 decimal digits | size bytes }
 *
 * The reader hands out each blob's bytes as a stream of exactly `size` bytes,
 * so every blob is verified by the blob store on its own.
 */
import { ApiError } from '@openfarm/protocol';
import type { BlobKey } from '../blob/index.js';

export const BATCH_HEADER_BYTES = 80;

export class BatchReader {
  private pending: Buffer = Buffer.alloc(0);
  private readonly source: AsyncIterator<Buffer>;

  constructor(body: AsyncIterable<Buffer>) {
    this.source = body[Symbol.asyncIterator]();
  }

  /** Fill `pending` to at least n bytes; false when the body ended first. */
  private async fill(n: number): Promise<boolean> {
    while (this.pending.length < n) {
      const next = await this.source.next();
      if (next.done) return false;
      this.pending = this.pending.length === 0 ? next.value : Buffer.concat([this.pending, next.value]);
    }
    return true;
  }

  /** The next blob's key, or undefined at the clean end of the body. */
  async nextKey(): Promise<BlobKey | undefined> {
    if (!(await this.fill(1))) return undefined;
    if (!(await this.fill(BATCH_HEADER_BYTES))) {
      throw ApiError.of('PARAMETER_INVALID', { detail: 'blob batch: truncated header' });
    }
    const header = this.pending.subarray(0, BATCH_HEADER_BYTES).toString('latin1');
    this.pending = this.pending.subarray(BATCH_HEADER_BYTES);
    const m = /^([0-9a-f]{64})(\d{16})$/.exec(header);
    if (m === null) throw ApiError.of('PARAMETER_INVALID', { detail: 'blob batch: malformed header' });
    const size = Number(m[2]);
    if (!Number.isSafeInteger(size))
      throw ApiError.of('PARAMETER_INVALID', { detail: 'blob batch: size too large' });
    return { sha256: m[1] as string, size };
  }

  /** Exactly `size` bytes of the body; the caller must consume them before asking for the next key. */
  async *take(size: number): AsyncGenerator<Buffer> {
    let left = size;
    while (left > 0) {
      if (this.pending.length === 0 && !(await this.fill(1))) {
        throw ApiError.of('PARAMETER_INVALID', { detail: 'blob batch: body ended inside a blob' });
      }
      const part = this.pending.subarray(0, Math.min(left, this.pending.length));
      this.pending = this.pending.subarray(part.length);
      left -= part.length;
      yield part;
    }
  }

  /** The next `size` bytes as one buffer (for small blobs, which are then stored while the body goes on). */
  async readAll(size: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const part of this.take(size)) parts.push(part);
    return parts.length === 1 ? (parts[0] as Buffer) : Buffer.concat(parts, size);
  }
}
