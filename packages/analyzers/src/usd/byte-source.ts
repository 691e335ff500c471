import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { AnalyzeError } from '../core/errors.js';

/**
 * Random access to a file's bytes without holding the file: a crate's
 * structural sections and the few values the dependency reader needs are
 * read where they lie, so a layer of any size costs only its tables.
 */
export interface ByteSource {
  /** Bytes available. */
  readonly size: number;
  /** For error messages. */
  readonly name: string | undefined;
  /** Exactly `length` bytes at `offset`, or an AnalyzeError TRUNCATED. */
  read(offset: number, length: number): Uint8Array;
}

export function bytesSource(bytes: Uint8Array, name?: string): ByteSource {
  return {
    size: bytes.length,
    name,
    read(offset, length) {
      checkRange(offset, length, bytes.length, name);
      return bytes.subarray(offset, offset + length);
    },
  };
}

/** A window [start, start+size) of another source (a zip member). */
export function windowSource(inner: ByteSource, start: number, size: number, name?: string): ByteSource {
  checkRange(start, size, inner.size, inner.name);
  return {
    size,
    name: name ?? inner.name,
    read(offset, length) {
      checkRange(offset, length, size, name);
      return inner.read(start + offset, length);
    },
  };
}

/**
 * Page size and count of the small-read cache of {@link openFileSource}:
 * 1 MiB at most, in pages the size of a disk block (a crate's small values
 * lie scattered between large arrays; bigger pages would copy array data).
 */
const PAGE = 4 * 1024;
const PAGES = 256;

/**
 * Open a file for positioned reads; `close` it when done. Reads of up to a
 * page go through a small cache of recently read 4 KiB pages, so the many
 * small values a crate's specs point at (list ops, dictionaries, arrays)
 * cost one system call per page rather than one each; larger reads go to
 * the file directly. Memory stays at most {@link PAGES} pages.
 */
export function openFileSource(path: string): ByteSource & { close(): void } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (cause) {
    throw new AnalyzeError('IO', 'cannot open', path, { cause });
  }
  const size = fstatSync(fd).size;
  const pages = new Map<number, Uint8Array>();
  const readAt = (out: Uint8Array, offset: number): void => {
    let done = 0;
    while (done < out.length) {
      const n = readSync(fd, out, done, out.length - done, offset + done);
      if (n === 0) throw new AnalyzeError('TRUNCATED', 'file shrank while read', path);
      done += n;
    }
  };
  const page = (index: number): Uint8Array => {
    let p = pages.get(index);
    if (p !== undefined) {
      // Most recently used last.
      pages.delete(index);
      pages.set(index, p);
      return p;
    }
    p = new Uint8Array(Math.min(PAGE, size - index * PAGE));
    readAt(p, index * PAGE);
    if (pages.size >= PAGES) pages.delete(pages.keys().next().value!);
    pages.set(index, p);
    return p;
  };
  return {
    size,
    name: path,
    read(offset, length) {
      checkRange(offset, length, size, path);
      const first = Math.floor(offset / PAGE);
      const last = Math.floor((offset + length - 1) / PAGE);
      if (length > 0 && length <= PAGE && last - first <= 1) {
        const a = page(first);
        const start = offset - first * PAGE;
        if (first === last) return a.subarray(start, start + length);
        const out = new Uint8Array(length);
        out.set(a.subarray(start));
        out.set(page(last).subarray(0, length - (a.length - start)), a.length - start);
        return out;
      }
      const out = new Uint8Array(length);
      readAt(out, offset);
      return out;
    },
    close() {
      pages.clear();
      closeSync(fd);
    },
  };
}

function checkRange(offset: number, length: number, size: number, name: string | undefined): void {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new AnalyzeError('CORRUPT', `bad offset ${offset} or length ${length}`, name);
  }
  if (offset + length > size) {
    throw new AnalyzeError('TRUNCATED', `${length} bytes at ${offset} past the end (${size})`, name);
  }
}

/**
 * Little-endian reads over a small buffer, every read bounds-checked. Plain
 * byte arithmetic rather than a DataView: the crate walker makes one of
 * these per value it looks at, and a DataView each would be most of its
 * garbage.
 */
export class LeReader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly name?: string,
  ) {}
  #need(n: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new AnalyzeError('TRUNCATED', `structure ends at ${this.pos} of ${this.bytes.length}`, this.name);
    }
  }
  u8(): number {
    this.#need(1);
    return this.bytes[this.pos++]!;
  }
  u16(): number {
    this.#need(2);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 2;
    return b[p]! | (b[p + 1]! << 8);
  }
  u32(): number {
    this.#need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return (b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16)) + b[p + 3]! * 0x1000000;
  }
  i32(): number {
    this.#need(4);
    const b = this.bytes;
    const p = this.pos;
    this.pos += 4;
    return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
  }
  /** A uint64 that must fit a safe integer (sizes, offsets, counts). */
  u64(): number {
    const at = this.pos;
    const lo = this.u32();
    const hi = this.u32();
    if (hi >= 0x200000) throw new AnalyzeError('CORRUPT', `64-bit value too large at ${at}`, this.name);
    return hi * 0x100000000 + lo;
  }
  /** An int64 that must fit a safe integer (relative offsets). */
  i64(): number {
    const at = this.pos;
    const lo = this.u32();
    const hi = this.i32();
    if (hi >= 0x200000 || hi < -0x200000) {
      throw new AnalyzeError('CORRUPT', `64-bit offset too large at ${at}`, this.name);
    }
    return hi * 0x100000000 + lo;
  }
  take(n: number): Uint8Array {
    this.#need(n);
    const out = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }
  skip(n: number): void {
    this.#need(n);
    this.pos += n;
  }
}
