import { AnalyzeError } from '../core/index.js';

/**
 * Walks the IFF container of a Maya binary file. Maya 2014+ writes 64-bit
 * groups (`FOR8`, `LIS8`, `CAT8`: 4-byte tag, 4 ignored bytes, 8-byte
 * big-endian size); older files 32-bit ones (`FOR4`…: tag, 4-byte size).
 * A leaf chunk is padded to the word size (8 or 4) counted from the start
 * of its group's children; a group's declared size already covers its
 * padding. Every size is checked against the bytes that remain.
 */

export interface IffVisitor {
  /** A group opens (`FOR8` + form type such as `XFRM`, `SLCT`, `HEAD`). */
  group(tag: string, form: string): void;
  /** The group opened last closes. */
  endGroup(): void;
  /** A leaf chunk with its payload. */
  chunk(tag: string, data: Uint8Array): void;
}

const GROUP_TAGS = /^(?:FOR|LIS|CAT|PROP)[48]$/;
/** Deeper nesting than any Maya file uses; protects the recursion. */
const MAX_DEPTH = 64;

export interface IffWalkResult {
  /** The input ended before a chunk it declares. */
  truncated: boolean;
}

export function walkIff(buf: Uint8Array, visitor: IffVisitor, file?: string): IffWalkResult {
  const magic = ascii(buf, 0, 4);
  let wide: boolean;
  if (magic === 'FOR8') wide = true;
  else if (magic === 'FOR4') wide = false;
  else throw new AnalyzeError('WRONG_FORMAT', 'not a Maya binary file (no FOR4/FOR8 header)', file);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const headerSize = wide ? 16 : 8;
  const align = wide ? 8 : 4;
  const result: IffWalkResult = { truncated: false };

  const walk = (start: number, end: number, depth: number): void => {
    let p = start;
    while (p + headerSize <= end) {
      const tag = ascii(buf, p, 4);
      const declared = wide ? Number(view.getBigUint64(p + 8)) : view.getUint32(p + 4);
      const body = p + headerSize;
      const size = Math.min(declared, end - body);
      if (declared > end - body) result.truncated = true;
      if (GROUP_TAGS.test(tag) && size >= 4) {
        if (depth >= MAX_DEPTH) throw new AnalyzeError('CORRUPT', 'IFF groups nested too deeply', file);
        visitor.group(tag, ascii(buf, body, 4));
        walk(body + 4, body + size, depth + 1);
        visitor.endGroup();
        p = body + size;
        continue;
      }
      visitor.chunk(tag, buf.subarray(body, body + size));
      p = body + size;
      const rel = (p - start) % align;
      if (rel !== 0) p += align - rel;
      if (result.truncated) return;
    }
  };

  walk(0, buf.length, 0);
  return result;
}

function ascii(buf: Uint8Array, at: number, n: number): string {
  let s = '';
  for (let i = at; i < at + n && i < buf.length; i++) s += String.fromCharCode(buf[i]!);
  return s;
}
