import { AnalyzeError } from '../core/errors.js';

/**
 * LZ4 block format decompression (the raw block, no frame header), as USD's
 * TfFastCompression stores crate sections. Every sequence is a token byte
 * (literal count high nibble, match length - 4 low nibble, 15 = more bytes
 * follow), the literals, then a 2-byte little-endian match offset; the last
 * sequence has literals only. Output is bounded by `maxOutput`, every read
 * and back-reference is checked, so a damaged block is an AnalyzeError.
 */
export function decompressLz4Block(
  input: Uint8Array,
  maxOutput: number,
  file?: string,
): { bytes: Uint8Array; length: number } {
  const out = new Uint8Array(maxOutput);
  const length = decompressLz4BlockInto(input, out, 0, file);
  return { bytes: out, length };
}

/** Decompress into `out` from `outStart`; returns the number of bytes written. */
export function decompressLz4BlockInto(
  input: Uint8Array,
  out: Uint8Array,
  outStart: number,
  file?: string,
): number {
  const corrupt = (what: string): never => {
    throw new AnalyzeError('CORRUPT', `LZ4 block: ${what}`, file);
  };
  let ip = 0;
  let op = outStart;
  const iend = input.length;
  const oend = out.length;
  if (iend === 0) return corrupt('empty input');
  for (;;) {
    if (ip >= iend) corrupt('input ends inside a sequence');
    const token = input[ip++]!;
    let literals = token >>> 4;
    if (literals === 15) {
      for (;;) {
        if (ip >= iend) corrupt('input ends inside a literal length');
        const b = input[ip++]!;
        literals += b;
        if (b !== 255) break;
      }
    }
    if (ip + literals > iend) corrupt('literals run past the input');
    if (op + literals > oend) corrupt('output larger than declared');
    out.set(input.subarray(ip, ip + literals), op);
    ip += literals;
    op += literals;
    if (ip === iend) break; // the last sequence: literals only
    if (ip + 2 > iend) corrupt('input ends inside a match offset');
    const offset = input[ip]! | (input[ip + 1]! << 8);
    ip += 2;
    if (offset === 0 || offset > op - outStart) corrupt('match offset outside the output');
    let matchLength = (token & 15) + 4;
    if ((token & 15) === 15) {
      for (;;) {
        if (ip >= iend) corrupt('input ends inside a match length');
        const b = input[ip++]!;
        matchLength += b;
        if (b !== 255) break;
      }
    }
    if (op + matchLength > oend) corrupt('output larger than declared');
    let from = op - offset;
    if (offset >= matchLength) {
      out.copyWithin(op, from, from + matchLength);
      op += matchLength;
    } else {
      // Overlapping copy repeats the last `offset` bytes: byte by byte.
      for (let n = 0; n < matchLength; n++) out[op++] = out[from++]!;
    }
  }
  return op - outStart;
}
