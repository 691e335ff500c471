/**
 * Test-side LZ4 block compression (greedy, one hash table) and USD's
 * TfFastCompression container around it, so generated crate files exercise
 * the reader's back-references, overlapping copies and long lengths, not
 * only literal runs.
 */
export function compressLz4Block(input: Uint8Array): Uint8Array {
  const out: number[] = [];
  const table = new Map<number, number>();
  const n = input.length;
  let anchor = 0;
  let i = 0;
  const key = (p: number): number =>
    input[p]! | (input[p + 1]! << 8) | (input[p + 2]! << 16) | (input[p + 3]! << 24);
  const writeLength = (length: number): void => {
    let rest = length - 15;
    while (rest >= 255) {
      out.push(255);
      rest -= 255;
    }
    out.push(rest);
  };
  // The last 5 bytes are always literals (LZ4's end-of-block rule) and a match never starts in the last 12.
  while (i + 12 <= n) {
    const k = key(i);
    const candidate = table.get(k);
    table.set(k, i);
    if (candidate === undefined || i - candidate > 65535 || key(candidate) !== k) {
      i++;
      continue;
    }
    let length = 4;
    while (i + length < n - 5 && input[candidate + length] === input[i + length]) length++;
    const literals = i - anchor;
    out.push(((literals >= 15 ? 15 : literals) << 4) | (length - 4 >= 15 ? 15 : length - 4));
    if (literals >= 15) writeLength(literals);
    for (let p = anchor; p < i; p++) out.push(input[p]!);
    const offset = i - candidate;
    out.push(offset & 255, offset >> 8);
    if (length - 4 >= 15) writeLength(length - 4);
    i += length;
    anchor = i;
  }
  const literals = n - anchor;
  out.push((literals >= 15 ? 15 : literals) << 4);
  if (literals >= 15) writeLength(literals);
  for (let p = anchor; p < n; p++) out.push(input[p]!);
  return Uint8Array.from(out);
}

/** TfFastCompression: one chunk (`0` + block), or `chunks` chunks each with an int32 size. */
export function compressFast(input: Uint8Array, chunks = 0): Uint8Array {
  if (chunks === 0) return concat([Uint8Array.of(0), compressLz4Block(input)]);
  const parts: Uint8Array[] = [Uint8Array.of(chunks)];
  const step = Math.ceil(input.length / chunks);
  for (let c = 0; c < chunks; c++) {
    const block = compressLz4Block(input.subarray(c * step, Math.min(input.length, (c + 1) * step)));
    const size = new Uint8Array(4);
    new DataView(size.buffer).setInt32(0, block.length, true);
    parts.push(size, block);
  }
  return concat(parts);
}

/** USD's integer encoding (common delta, 2-bit codes, int8/16/32 deltas) around LZ4. */
export function encodeInts(values: readonly number[]): Uint8Array {
  const deltas: number[] = [];
  let prev = 0;
  for (const v of values) {
    deltas.push((v - prev) | 0);
    prev = v;
  }
  const counts = new Map<number, number>();
  for (const d of deltas) counts.set(d, (counts.get(d) ?? 0) + 1);
  let common = 0;
  let best = -1;
  for (const [d, c] of counts) if (c > best || (c === best && d < common)) [common, best] = [d, c];
  const codes = new Uint8Array(Math.ceil((values.length * 2) / 8));
  const ints: number[] = [];
  deltas.forEach((d, i) => {
    let code = 3;
    if (d === common) code = 0;
    else if (d >= -128 && d <= 127) code = 1;
    else if (d >= -32768 && d <= 32767) code = 2;
    codes[i >> 2]! |= code << ((i & 3) * 2);
    const b = new DataView(new ArrayBuffer(4));
    if (code === 1) ints.push(d & 255);
    else if (code === 2) {
      b.setInt16(0, d, true);
      ints.push(b.getUint8(0), b.getUint8(1));
    } else if (code === 3) {
      b.setInt32(0, d, true);
      ints.push(b.getUint8(0), b.getUint8(1), b.getUint8(2), b.getUint8(3));
    }
  });
  const head = new Uint8Array(4);
  new DataView(head.buffer).setInt32(0, common, true);
  return concat([head, codes, Uint8Array.from(ints)]);
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
