/**
 * Test-side writers for the crate tests: LZ4 block compression and USD's
 * TfFastCompression container come from the package (the render node writes
 * crate token tables with them), so the reader's tests also check the
 * writer; USD's integer encoding is written only here.
 */
export { compressFast, compressLz4Block } from '../../src/usd/lz4-compress.js';

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
