import { AnalyzeError } from '../core/errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: false });
/** One character per byte, so binary block codes keep their length. */
const latin1 = new TextDecoder('latin1');

/**
 * Bounds-checked reads from the uncompressed .blend bytes in the file's own
 * byte order and pointer size. Every read past the end throws a TRUNCATED
 * AnalyzeError instead of returning undefined or garbage.
 */
export class ByteView {
  private readonly dv: DataView;

  constructor(
    readonly bytes: Uint8Array,
    readonly littleEndian: boolean,
    readonly pointerSize: 4 | 8,
  ) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.bytes.length;
  }

  check(at: number, size: number, what: string): void {
    if (!Number.isInteger(at) || at < 0 || size < 0 || at + size > this.bytes.length) {
      throw new AnalyzeError('TRUNCATED', `.blend ends inside ${what} (byte ${at}, ${size} bytes wanted)`);
    }
  }

  u8(at: number): number {
    this.check(at, 1, 'a byte');
    return this.bytes[at]!;
  }

  i8(at: number): number {
    this.check(at, 1, 'a byte');
    return this.dv.getInt8(at);
  }

  i16(at: number): number {
    this.check(at, 2, 'a 16-bit value');
    return this.dv.getInt16(at, this.littleEndian);
  }

  u16(at: number): number {
    this.check(at, 2, 'a 16-bit value');
    return this.dv.getUint16(at, this.littleEndian);
  }

  i32(at: number): number {
    this.check(at, 4, 'a 32-bit value');
    return this.dv.getInt32(at, this.littleEndian);
  }

  u32(at: number): number {
    this.check(at, 4, 'a 32-bit value');
    return this.dv.getUint32(at, this.littleEndian);
  }

  /** A 64-bit integer as a double: exact up to 2^53, which covers every real length and count. */
  i64(at: number): number {
    this.check(at, 8, 'a 64-bit value');
    return Number(this.dv.getBigInt64(at, this.littleEndian));
  }

  u64(at: number): bigint {
    this.check(at, 8, 'a 64-bit value');
    return this.dv.getBigUint64(at, this.littleEndian);
  }

  f32(at: number): number {
    this.check(at, 4, 'a float');
    return this.dv.getFloat32(at, this.littleEndian);
  }

  f64(at: number): number {
    this.check(at, 8, 'a double');
    return this.dv.getFloat64(at, this.littleEndian);
  }

  /** A saved memory address, the key blocks are found by; 0n is NULL. */
  pointer(at: number): bigint {
    return this.pointerSize === 8 ? this.u64(at) : BigInt(this.u32(at));
  }

  /** ASCII text of exactly `size` bytes (block codes, header fields). */
  ascii(at: number, size: number): string {
    this.check(at, size, 'a text field');
    return latin1.decode(this.bytes.subarray(at, at + size));
  }

  /** A NUL-terminated UTF-8 string inside a fixed `char[size]` field (unterminated = the whole field). */
  fixedString(at: number, size: number): string {
    this.check(at, size, 'a string field');
    let end = at;
    const stop = at + size;
    while (end < stop && this.bytes[end] !== 0) end++;
    return utf8.decode(this.bytes.subarray(at, end));
  }

  /** Offset of the NUL ending the string at `at`, searching at most up to `limit`. */
  findNul(at: number, limit: number): number {
    const stop = Math.min(limit, this.bytes.length);
    for (let i = at; i < stop; i++) if (this.bytes[i] === 0) return i;
    throw new AnalyzeError('TRUNCATED', `.blend ends inside a string starting at byte ${at}`);
  }
}
