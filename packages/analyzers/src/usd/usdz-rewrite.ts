/**
 * A USDZ package with some members replaced, laid out as the USDZ spec
 * requires: a zip whose members are all stored (no compression, no
 * encryption) and whose every member's data starts at a multiple of 64 bytes
 * from the start of the file, padded with an extra field in the local header
 * (id 0x1986, as USD's own zip writer does). Members keep their order, names
 * and times; unchanged members' bytes are copied from the original package
 * by range, so the result is described as pieces for the caller to write,
 * and a package with large textures costs no more memory than its layers.
 */
import { crc32 } from 'node:zlib';
import { AnalyzeError } from '../core/errors.js';
import type { ByteSource } from './byte-source.js';
import { readZipMembers, type ZipMember } from './zip-members.js';

/** Bytes to write, or a range of the original package to copy. */
export type ZipPiece = Uint8Array | { readonly start: number; readonly size: number };

/** A stored member: its bytes are in the archive as they are. */
export type StoredMember = ZipMember & { readonly source: ByteSource; readonly dataStart: number };

/** USDZ data alignment. */
export const USDZ_ALIGNMENT = 64;
const PADDING_FIELD_ID = 0x1986;
const MAX_ZIP32 = 0xffffffff;

/**
 * The pieces of a new package in which every member `replace` returns bytes
 * for holds those bytes; `undefined` when it replaces none. A member that is
 * not stored cannot be placed in a USDZ and fails the whole package (an
 * AnalyzeError); so does a result that would need zip64.
 */
export function rewriteUsdz(
  source: ByteSource,
  replace: (member: StoredMember) => Uint8Array | undefined,
): ZipPiece[] | undefined {
  const members = readZipMembers(source);
  const stored = members.map((m) => {
    if (m.method !== 0 || m.source === undefined || m.dataStart === undefined) {
      throw new AnalyzeError(
        'WRONG_FORMAT',
        `USDZ member ${m.name} is compressed (USDZ members must be stored)`,
        source.name,
      );
    }
    return m as StoredMember;
  });
  const replaced = stored.map((m) => replace(m));
  if (replaced.every((r) => r === undefined)) return undefined;

  const encoder = new TextEncoder();
  const pieces: ZipPiece[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  stored.forEach((m, i) => {
    const data = replaced[i];
    const size = data?.length ?? m.size;
    const crc = data === undefined ? m.crc : crc32(data);
    const name = encoder.encode(m.name);
    // Bit 11: the name is UTF-8 (what the reader decodes it as).
    const flags = /^[\x20-\x7e]*$/.test(m.name) ? 0 : 0x800;
    let pad = (USDZ_ALIGNMENT - ((offset + 30 + name.length) % USDZ_ALIGNMENT)) % USDZ_ALIGNMENT;
    // An extra field is at least its 4-byte header: a smaller gap takes one more alignment step.
    if (pad > 0 && pad < 4) pad += USDZ_ALIGNMENT;
    const local = new Uint8Array(30 + name.length + pad);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, flags, true);
    lv.setUint16(8, 0, true);
    lv.setUint16(10, m.time, true);
    lv.setUint16(12, m.date, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, size, true);
    lv.setUint32(22, size, true);
    lv.setUint16(26, name.length, true);
    lv.setUint16(28, pad, true);
    local.set(name, 30);
    if (pad > 0) {
      lv.setUint16(30 + name.length, PADDING_FIELD_ID, true);
      lv.setUint16(32 + name.length, pad - 4, true);
    }
    const entry = new Uint8Array(46 + name.length);
    const cv = new DataView(entry.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, flags, true);
    cv.setUint16(10, 0, true);
    cv.setUint16(12, m.time, true);
    cv.setUint16(14, m.date, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, size, true);
    cv.setUint32(24, size, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    entry.set(name, 46);
    central.push(entry);
    pieces.push(local);
    if (data !== undefined) pieces.push(data);
    else if (m.size > 0) pieces.push({ start: m.dataStart, size: m.size });
    offset += local.length + size;
    if (offset > MAX_ZIP32)
      throw new AnalyzeError('LIMIT_EXCEEDED', 'the rewritten USDZ would need zip64', source.name);
  });
  const dirSize = central.reduce((n, c) => n + c.length, 0);
  if (offset + dirSize > MAX_ZIP32 || central.length > 0xfffe)
    throw new AnalyzeError('LIMIT_EXCEEDED', 'the rewritten USDZ would need zip64', source.name);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, central.length, true);
  ev.setUint16(10, central.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  pieces.push(...central, end);
  return pieces;
}

/** The pieces joined, for a package held in memory. */
export function joinZipPieces(source: ByteSource, pieces: readonly ZipPiece[]): Uint8Array {
  const size = pieces.reduce((n, p) => n + (p instanceof Uint8Array ? p.length : p.size), 0);
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of pieces) {
    const bytes = p instanceof Uint8Array ? p : source.read(p.start, p.size);
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}
