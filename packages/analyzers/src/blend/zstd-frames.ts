import { decompress } from 'fzstd';
import { AnalyzeError } from '../core/errors.js';

/**
 * Zstandard decoding with a memory budget. Blender ≥ 3.0 writes a .blend as
 * many independent zstd frames followed by a skippable "seek table" frame.
 * fzstd allocates each frame's declared content size (or window size) up front,
 * so a corrupt header could ask for gigabytes; this walks the frames itself,
 * checks every declared size against the budget, and only then decodes.
 */

const ZSTD_MAGIC = 0xfd2fb528;
/** Skippable frames use magics 0x184D2A50…0x184D2A5F. */
const SKIPPABLE_MASK = 0xfffffff0;
const SKIPPABLE_MAGIC = 0x184d2a50;
/** A zstd block never regenerates more than 128 KiB (format spec, Block_Maximum_Size). */
const MAX_BLOCK_OUTPUT = 128 * 1024;

interface FrameLayout {
  /** Bytes of the whole frame, header and checksum included. */
  length: number;
  /** Upper bound of the bytes the frame decodes to. */
  maxOutput: number;
  /** Bytes the decoder will allocate for the frame before decoding. */
  allocation: number;
}

function u32le(b: Uint8Array, at: number): number {
  return (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
}

function corrupt(message: string): AnalyzeError {
  return new AnalyzeError('CORRUPT', `zstd stream: ${message}`);
}

function truncated(message: string): AnalyzeError {
  return new AnalyzeError('TRUNCATED', `zstd stream: ${message}`);
}

/** Reads a little-endian unsigned integer of 1, 2, 4 or 8 bytes as a double (exact below 2^53, huge above). */
function readLE(b: Uint8Array, at: number, n: number): number {
  let v = 0;
  for (let i = n - 1; i >= 0; i--) v = v * 256 + b[at + i]!;
  return v;
}

/** Lays out the zstd frame starting at `at` (header fields per RFC 8878 §3.1.1). */
function layoutFrame(b: Uint8Array, at: number): FrameLayout {
  if (at + 6 > b.length) throw truncated('frame header cut short');
  const fhd = b[at + 4]!;
  const singleSegment = (fhd >> 5) & 1;
  const hasChecksum = (fhd >> 2) & 1;
  const dictIdFlag = fhd & 3;
  const fcsFlag = fhd >> 6;
  if (fhd & 8) throw corrupt('reserved frame header bit set');
  let p = at + 5;
  let window = 0;
  if (!singleSegment) {
    const wd = b[p++]!;
    const base = 2 ** (10 + (wd >> 3));
    window = base + (base / 8) * (wd & 7);
  }
  p += [0, 1, 2, 4][dictIdFlag]!;
  const fcsBytes = fcsFlag === 0 ? singleSegment : 1 << fcsFlag;
  if (p + fcsBytes > b.length) throw truncated('frame header cut short');
  const contentSize = fcsBytes === 0 ? -1 : readLE(b, p, fcsBytes) + (fcsBytes === 2 ? 256 : 0);
  p += fcsBytes;
  if (singleSegment) window = contentSize;
  let blockBound = 0;
  for (;;) {
    if (p + 3 > b.length) throw truncated('block header cut short');
    const bh = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16);
    const last = bh & 1;
    const type = (bh >> 1) & 3;
    const size = bh >>> 3;
    p += 3;
    if (type === 3) throw corrupt('reserved block type');
    // A raw block stores `size` bytes; an RLE block stores one byte repeated `size` times.
    blockBound += type === 2 ? MAX_BLOCK_OUTPUT : size;
    p += type === 1 ? 1 : size;
    if (p > b.length) throw truncated('block runs past the end of the file');
    if (last) break;
  }
  if (hasChecksum) p += 4;
  if (p > b.length) throw truncated('checksum cut short');
  const maxOutput = contentSize >= 0 ? contentSize : blockBound;
  return { length: p - at, maxOutput, allocation: Math.max(contentSize, window) };
}

/** Decodes every frame of a zstd stream, refusing to produce or allocate more than `maxBytes`. */
export function decompressZstd(input: Uint8Array, maxBytes: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let total = 0;
  let at = 0;
  while (at < input.length) {
    if (at + 8 > input.length) throw truncated('frame magic cut short');
    const magic = u32le(input, at);
    if ((magic & SKIPPABLE_MASK) >>> 0 === SKIPPABLE_MAGIC) {
      at += 8 + u32le(input, at + 4);
      if (at > input.length) throw truncated('skippable frame runs past the end of the file');
      continue;
    }
    if (magic !== ZSTD_MAGIC) throw corrupt(`bad frame magic at byte ${at}`);
    const frame = layoutFrame(input, at);
    const budget = maxBytes - total;
    if (frame.allocation > budget || frame.maxOutput > budget) {
      throw new AnalyzeError(
        'LIMIT_EXCEEDED',
        `zstd frame at byte ${at} declares more than the ${maxBytes}-byte limit`,
      );
    }
    let out: Uint8Array;
    try {
      out = decompress(input.subarray(at, at + frame.length));
    } catch (e) {
      throw corrupt(`frame at byte ${at} does not decode (${(e as Error).message})`);
    }
    total += out.length;
    if (total > maxBytes) {
      throw new AnalyzeError('LIMIT_EXCEEDED', `decompressed data exceeds the ${maxBytes}-byte limit`);
    }
    parts.push(out);
    at += frame.length;
  }
  if (parts.length === 1) return parts[0]!;
  const whole = new Uint8Array(total);
  let o = 0;
  for (const p of parts) {
    whole.set(p, o);
    o += p.length;
  }
  return whole;
}
