import { AnalyzeError } from '../core/errors.js';
import { decompressLz4BlockInto } from './lz4-block.js';

/**
 * USD's TfFastCompression container around LZ4 blocks: the first byte is the
 * number of chunks; 0 means one LZ4 block fills the rest, otherwise each
 * chunk is an int32 little-endian compressed size followed by its block.
 * Output never exceeds `maxOutput`; with `exact` a different size is corrupt
 * (sections whose uncompressed size the crate declares).
 */
export function decompressFast(
  input: Uint8Array,
  maxOutput: number,
  exact: boolean,
  file?: string,
): Uint8Array {
  if (input.length === 0) throw new AnalyzeError('CORRUPT', 'empty compressed block', file);
  // LZ4 expands at most ~255:1 (a match byte run of 255s); a larger declared size is a lie, and
  // allocating it would let a tiny file claim gigabytes.
  const ceiling = input.length * 255 + 64;
  if (exact && maxOutput > ceiling) {
    throw new AnalyzeError('CORRUPT', `${input.length} compressed bytes cannot hold ${maxOutput}`, file);
  }
  const out = new Uint8Array(Math.min(maxOutput, ceiling));
  const chunks = input[0]!;
  let written = 0;
  if (chunks === 0) {
    written = decompressLz4BlockInto(input.subarray(1), out, 0, file);
  } else {
    const view = new DataView(input.buffer, input.byteOffset, input.byteLength);
    let ip = 1;
    for (let i = 0; i < chunks; i++) {
      if (ip + 4 > input.length) throw new AnalyzeError('TRUNCATED', 'compressed chunk header', file);
      const size = view.getInt32(ip, true);
      ip += 4;
      if (size <= 0 || ip + size > input.length) {
        throw new AnalyzeError('CORRUPT', 'compressed chunk size outside the block', file);
      }
      written += decompressLz4BlockInto(input.subarray(ip, ip + size), out, written, file);
      ip += size;
    }
  }
  if (exact && written !== maxOutput) {
    throw new AnalyzeError('CORRUPT', `decompressed ${written} bytes, ${maxOutput} declared`, file);
  }
  return out.subarray(0, written);
}
