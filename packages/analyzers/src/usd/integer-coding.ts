import { AnalyzeError } from '../core/errors.js';
import { decompressFast } from './fast-compression.js';

/**
 * USD's compressed 32-bit integers (crate ≥ 0.4): LZ4 (TfFastCompression)
 * around an encoding of deltas. The encoded bytes are: the most common delta
 * as int32, then 2-bit codes, four per byte from the low bits (0 = the common
 * delta, 1 = int8, 2 = int16, 3 = int32 delta follows), then the deltas
 * those codes name. Each value is the previous one plus its delta, from 0.
 */
export function decodeCompressedInts(compressed: Uint8Array, count: number, file?: string): Int32Array {
  if (count === 0) return new Int32Array(0);
  // The encoded size is not stored; it is at most the common value, the codes and 4 bytes per int.
  const encoded = decompressFast(compressed, 4 + codesLength(count) + 4 * count, false, file);
  return decodeIntegers(encoded, count, file);
}

function codesLength(count: number): number {
  return Math.ceil((count * 2) / 8);
}

/** The deltas' encoding without the LZ4 layer. */
export function decodeIntegers(data: Uint8Array, count: number, file?: string): Int32Array {
  if (count === 0) return new Int32Array(0);
  const codes = 4;
  let ints = codes + codesLength(count);
  // Checked before the result is allocated: a count the codes cannot cover is a claim, not a size.
  if (data.length < ints) throw new AnalyzeError('TRUNCATED', 'compressed integers', file);
  const result = new Int32Array(count);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const common = view.getInt32(0, true);
  const need = (n: number): void => {
    if (ints + n > data.length) throw new AnalyzeError('TRUNCATED', 'compressed integers', file);
  };
  let prev = 0;
  for (let i = 0; i < count; i++) {
    const code = (data[codes + (i >>> 2)]! >>> ((i & 3) * 2)) & 3;
    let delta: number;
    if (code === 0) delta = common;
    else if (code === 1) {
      need(1);
      delta = view.getInt8(ints);
      ints += 1;
    } else if (code === 2) {
      need(2);
      delta = view.getInt16(ints, true);
      ints += 2;
    } else {
      need(4);
      delta = view.getInt32(ints, true);
      ints += 4;
    }
    prev = (prev + delta) | 0;
    result[i] = prev;
  }
  return result;
}
