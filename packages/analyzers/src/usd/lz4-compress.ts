/**
 * LZ4 block compression and USD's TfFastCompression container around it:
 * what a crate's TOKENS section holds from crate version 0.4.0. Used to
 * write a crate's token table anew when the render node maps the absolute
 * paths in it (crate-token-rewrite.ts). Greedy matching over one hash table
 * of 64 Ki positions: not LZ4's ratio, but valid blocks any LZ4 decoder
 * (USD's `LZ4_decompress_safe`, our `decompressLz4Block`) reads, at a cost
 * linear in the input.
 */

/** LZ4's end-of-block rules: the last 5 bytes are literals, no match starts in the last 12. */
const LAST_LITERALS = 5;
const MATCH_FIND_LIMIT = 12;
const MAX_OFFSET = 65535;
/** LZ4_MAX_INPUT_SIZE: larger inputs are split into chunks by TfFastCompression. */
const MAX_BLOCK_INPUT = 0x7e000000;

function read32(b: Uint8Array, p: number): number {
  return b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
}

/** One raw LZ4 block (no frame header) holding `input`. */
export function compressLz4Block(input: Uint8Array): Uint8Array {
  const n = input.length;
  // LZ4_compressBound: incompressible input grows by one length byte per 255 literals.
  const out = new Uint8Array(n + Math.ceil(n / 255) + 16);
  const table = new Int32Array(1 << 16).fill(-1);
  let op = 0;
  let anchor = 0;
  let i = 0;
  const writeLength = (length: number): void => {
    let rest = length - 15;
    while (rest >= 255) {
      out[op++] = 255;
      rest -= 255;
    }
    out[op++] = rest;
  };
  const matchEnd = n - LAST_LITERALS;
  while (i + MATCH_FIND_LIMIT <= n) {
    const v = read32(input, i);
    const h = Math.imul(v, 2654435761) >>> 16;
    const candidate = table[h]!;
    table[h] = i;
    if (candidate < 0 || i - candidate > MAX_OFFSET || read32(input, candidate) !== v) {
      i++;
      continue;
    }
    let length = 4;
    while (i + length < matchEnd && input[candidate + length] === input[i + length]) length++;
    const literals = i - anchor;
    out[op++] = ((literals >= 15 ? 15 : literals) << 4) | (length - 4 >= 15 ? 15 : length - 4);
    if (literals >= 15) writeLength(literals);
    out.set(input.subarray(anchor, i), op);
    op += literals;
    const offset = i - candidate;
    out[op++] = offset & 255;
    out[op++] = offset >>> 8;
    if (length - 4 >= 15) writeLength(length - 4);
    i += length;
    anchor = i;
  }
  const literals = n - anchor;
  out[op++] = (literals >= 15 ? 15 : literals) << 4;
  if (literals >= 15) writeLength(literals);
  out.set(input.subarray(anchor), op);
  op += literals;
  return out.slice(0, op);
}

/**
 * TfFastCompression's buffer: a first byte 0 and one LZ4 block, or (inputs
 * over LZ4's limit, or when `chunks` asks for it) the chunk count followed
 * by each chunk's int32 little-endian size and block.
 */
export function compressFast(input: Uint8Array, chunks = 0): Uint8Array {
  const count =
    chunks > 0 ? chunks : input.length > MAX_BLOCK_INPUT ? Math.ceil(input.length / MAX_BLOCK_INPUT) : 0;
  if (count > 255) throw new RangeError(`${input.length} bytes need more than 255 compressed chunks`);
  if (count === 0) return join([Uint8Array.of(0), compressLz4Block(input)]);
  const parts: Uint8Array[] = [Uint8Array.of(count)];
  const step = Math.ceil(input.length / count);
  for (let c = 0; c < count; c++) {
    const block = compressLz4Block(input.subarray(c * step, Math.min(input.length, (c + 1) * step)));
    const size = new Uint8Array(4);
    new DataView(size.buffer).setInt32(0, block.length, true);
    parts.push(size, block);
  }
  return join(parts);
}

function join(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
