/**
 * Room for small files' bytes, carved from 4 MiB slabs that are reused once
 * every file in them is sent. An upload reads each small file once, for
 * hashing and sending, and keeps its bytes in between; with a new buffer per
 * file, 2000 files of 100 KB left 200 MB of buffers to the collector, which
 * starts a major collection (marking the whole heap) after every 64 MB of
 * such memory. A slab is reused only when all its views were given back, so
 * a view is never written while it is still being sent.
 */

const SLAB_BYTES = 4 * 1024 * 1024;
/** Free slabs kept beyond this many are left to the collector. */
const KEEP_FREE = 16;

interface Slab {
  memory: Buffer;
  /** Bytes handed out so far. */
  used: number;
  /** Views handed out and not yet given back. */
  live: number;
}

export class ByteSlabs {
  private current: Slab | undefined;
  private readonly free: Buffer[] = [];
  private readonly byMemory = new Map<ArrayBufferLike, Slab>();

  /** A view of `size` bytes for the caller alone, until it is given back; larger ones are plain buffers. */
  take(size: number): Buffer {
    if (size > SLAB_BYTES / 4) return Buffer.allocUnsafeSlow(size);
    if (this.current === undefined || this.current.used + size > SLAB_BYTES) {
      this.retire();
      const memory = this.free.pop() ?? Buffer.allocUnsafeSlow(SLAB_BYTES);
      this.current = { memory, used: 0, live: 0 };
      this.byMemory.set(memory.buffer, this.current);
    }
    const slab = this.current;
    const view = slab.memory.subarray(slab.used, slab.used + size);
    slab.used += size;
    slab.live++;
    return view;
  }

  /** Give back a view from `take` (or any part of one) once nothing reads it any more. */
  give(view: Buffer): void {
    const slab = this.byMemory.get(view.buffer);
    if (slab === undefined) return;
    slab.live--;
    if (slab.live === 0 && slab !== this.current) this.recycle(slab);
  }

  /** Slabs in use (for tests). */
  get slabsInUse(): number {
    return this.byMemory.size;
  }

  /** The current slab takes no more views; it is reused once its last view is given back. */
  private retire(): void {
    const slab = this.current;
    this.current = undefined;
    if (slab !== undefined && slab.live === 0) this.recycle(slab);
  }

  private recycle(slab: Slab): void {
    this.byMemory.delete(slab.memory.buffer);
    if (this.free.length < KEEP_FREE) this.free.push(slab.memory);
  }
}
