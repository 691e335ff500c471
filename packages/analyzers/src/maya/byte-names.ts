/**
 * Name tests on raw statement bytes. The parser sees a million statements in
 * a large scene and skips almost all of them; deciding that on bytes, before
 * any string exists, is what keeps it fast.
 */

/** A set of ASCII names that answers for a byte range without decoding it. */
export class ByteNameSet {
  readonly #byLength = new Map<number, Uint8Array[]>();

  constructor(names: Iterable<string>) {
    for (const name of names) {
      const bytes = Buffer.from(name, 'latin1');
      const bucket = this.#byLength.get(bytes.length) ?? [];
      bucket.push(bytes);
      this.#byLength.set(bytes.length, bucket);
    }
  }

  has(buf: Uint8Array, start: number, end: number): boolean {
    const bucket = this.#byLength.get(end - start);
    if (bucket === undefined) return false;
    next: for (const name of bucket) {
      for (let k = 0; k < name.length; k++) if (buf[start + k] !== name[k]) continue next;
      return true;
    }
    return false;
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** A reusable byte range, filled by {@link quotedRange}. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * Put into `out` the body range of the `nth` (0-based) quoted string in
 * `[from, to)`; false when there is none. Fills a caller's object rather
 * than allocating one per statement.
 */
export function quotedRange(buf: Uint8Array, from: number, to: number, nth: number, out: ByteRange): boolean {
  let i = from;
  for (let n = 0; ; n++) {
    while (i < to && buf[i] !== QUOTE) i++;
    if (i >= to) return false;
    const start = i + 1;
    let j = start;
    while (j < to && buf[j] !== QUOTE) j += buf[j] === BACKSLASH ? 2 : 1;
    const end = Math.min(j, to);
    if (n === nth) {
      out.start = start;
      out.end = end;
      return true;
    }
    i = end + 1;
  }
}

/** Index of the first byte in `[from, to)` equal to `byte`, or `to`. */
export function indexOfByte(buf: Uint8Array, byte: number, from: number, to: number): number {
  let i = from;
  while (i < to && buf[i] !== byte) i++;
  return i;
}
