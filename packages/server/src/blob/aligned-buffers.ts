/**
 * 1 MiB buffers whose memory starts on a page boundary, for writes that
 * bypass the page cache (O_DIRECT), which the kernel accepts only from
 * block-aligned memory. Node's own buffers come from malloc, 16 bytes past a
 * page boundary, and JavaScript cannot ask for an address; a WebAssembly
 * memory is mapped by V8 on whole pages, so slices of one at multiples of
 * 1 MiB are aligned. Should that ever not hold, the kernel refuses the write
 * (EINVAL) and the writer falls back to ordinary writes: correctness never
 * rests on it.
 *
 * Buffers are taken and given back, never freed: a farm writes with at most a
 * few dozen at once, and each WebAssembly memory reserves address space, so
 * they are made MEMORY_BUFFERS at a time up to MAX_BUFFERS, and a writer that
 * finds none left (or a process whose address space is limited, where V8
 * cannot reserve one) writes through the page cache as before.
 */

// The part of the WebAssembly global used here (the project's TypeScript libraries do not describe it).
declare const WebAssembly: { Memory: new (descriptor: { initial: number }) => { buffer: ArrayBuffer } };

export const ALIGNED_BUFFER_BYTES = 1024 * 1024;
/** The alignment asked of file offsets and lengths: covers 512-byte and 4 KiB logical blocks. */
export const DIRECT_IO_BLOCK = 4096;

const WASM_PAGE = 64 * 1024;
const MEMORY_BUFFERS = 8;
const MAX_BUFFERS = 64;

export class AlignedBufferPool {
  private readonly free: Buffer[] = [];
  private made = 0;
  /** False once V8 refused to reserve a memory: no more are tried. */
  private reservable = true;

  constructor(private readonly maxBuffers = MAX_BUFFERS) {}

  /** A buffer of ALIGNED_BUFFER_BYTES, or undefined when all are in use. */
  take(): Buffer | undefined {
    if (this.free.length === 0 && this.reservable && this.made < this.maxBuffers) {
      const count = Math.min(MEMORY_BUFFERS, this.maxBuffers - this.made);
      let memory: { buffer: ArrayBuffer };
      try {
        memory = new WebAssembly.Memory({ initial: (count * ALIGNED_BUFFER_BYTES) / WASM_PAGE });
      } catch {
        // V8 reserves address space around a WebAssembly memory (gigabytes on 64-bit), which a
        // limit on virtual memory (ulimit -v) refuses: then there are no more aligned buffers,
        // and writers write through the page cache.
        this.reservable = false;
        return undefined;
      }
      for (let i = 0; i < count; i++) {
        this.free.push(Buffer.from(memory.buffer, i * ALIGNED_BUFFER_BYTES, ALIGNED_BUFFER_BYTES));
      }
      this.made += count;
    }
    return this.free.pop();
  }

  give(buffer: Buffer): void {
    this.free.push(buffer);
  }

  /** Buffers not in use (for tests). */
  get available(): number {
    return this.free.length + (this.reservable ? this.maxBuffers - this.made : 0);
  }
}

/** The process's pool: buffers are few and reused across uploads. */
export const alignedBuffers = new AlignedBufferPool();
