import { AnalyzeError } from '../core/errors.js';
import type { ByteView } from './byte-view.js';
import type { BlendHeader } from './header.js';

/**
 * One file block (BHead + data). Blocks follow the header back to back
 * until `ENDB`; `oldAddress` is the address the data had in memory at save
 * time, which is what pointers inside other blocks hold.
 */
export interface Block {
  code: string;
  /** Offset of the block's data in the uncompressed file. */
  offset: number;
  /** Bytes of data. */
  size: number;
  oldAddress: bigint;
  /** Index into the SDNA struct table describing the data. */
  sdnaIndex: number;
  /** Number of consecutive structs in the data. */
  count: number;
}

/** Block codes are 4 bytes; ID codes are 2 letters padded with NULs (`SC\0\0`), shown without the padding. */
function blockCode(view: ByteView, at: number): string {
  view.check(at, 4, 'a block code');
  const b = view.bytes;
  let end = at + 4;
  while (end > at && b[end - 1] === 0) end--;
  let code = '';
  for (let i = at; i < end; i++) code += String.fromCharCode(b[i]!);
  return code;
}

/** A block code fit for an error message: corrupt files put arbitrary bytes there. */
function printable(code: string): string {
  return code.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * Reads every BHead. Legacy: code[4], int32 len, pointer old, int32 SDNAnr,
 * int32 nr (20 or 24 bytes). Format 01 (5.x): code[4], int32 SDNAnr,
 * uint64 old, int64 len, int64 nr (32 bytes).
 */
export function readBlocks(view: ByteView, header: BlendHeader, maxBlocks: number): Block[] {
  const blocks: Block[] = [];
  const legacy = header.fileFormatVersion === 0;
  const bheadSize = legacy ? 16 + view.pointerSize : 32;
  let at = header.headerSize;
  for (;;) {
    if (at + 4 <= view.length && blockCode(view, at) === 'ENDB') return blocks;
    if (at + bheadSize > view.length) {
      throw new AnalyzeError(
        'TRUNCATED',
        `.blend ends without an ENDB block (block header at byte ${at} cut short)`,
      );
    }
    const code = blockCode(view, at);
    let size: number;
    let oldAddress: bigint;
    let sdnaIndex: number;
    let count: number;
    if (legacy) {
      size = view.i32(at + 4);
      oldAddress = view.pointer(at + 8);
      sdnaIndex = view.i32(at + 8 + view.pointerSize);
      count = view.i32(at + 12 + view.pointerSize);
    } else {
      sdnaIndex = view.i32(at + 4);
      oldAddress = view.u64(at + 8);
      size = view.i64(at + 16);
      count = view.i64(at + 24);
    }
    const offset = at + bheadSize;
    if (size < 0 || count < 0 || sdnaIndex < 0) {
      throw new AnalyzeError(
        'CORRUPT',
        `.blend block "${printable(code)}" at byte ${at} has a negative length, struct index or count`,
      );
    }
    if (offset + size > view.length) {
      throw new AnalyzeError(
        'TRUNCATED',
        `.blend block "${printable(code)}" at byte ${at} declares ${size} bytes past the end of the file`,
      );
    }
    if (blocks.length >= maxBlocks) {
      throw new AnalyzeError('LIMIT_EXCEEDED', `.blend holds more than ${maxBlocks} blocks`);
    }
    blocks.push({ code, offset, size, oldAddress, sdnaIndex, count });
    at = offset + size;
  }
}
