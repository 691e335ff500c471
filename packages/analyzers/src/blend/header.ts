import { AnalyzeError } from '../core/errors.js';

/**
 * The file header. Two layouts exist:
 * - legacy (2.x – 4.x), 12 bytes: `BLENDER`, pointer size (`_` 4, `-` 8),
 *   endianness (`v` little, `V` big), 3-digit version (`304` = 3.4);
 * - 5.x, 17 bytes: `BLENDER`, 2-digit header size (`17`), `-` (8-byte
 *   pointers), 2-digit file-format version (`01`, which also changes the
 *   BHead layout), endianness, 4-digit version (`0502` = 5.2).
 */
export interface BlendHeader {
  headerSize: number;
  pointerSize: 4 | 8;
  littleEndian: boolean;
  /** major × 100 + minor, e.g. 278, 304, 502. */
  version: number;
  /** 0 for the legacy layout; the 5.x header's format version otherwise (selects the BHead layout). */
  fileFormatVersion: number;
}

function digits(text: string, what: string): number {
  if (!/^[0-9]+$/.test(text))
    throw new AnalyzeError('WRONG_FORMAT', `.blend header has a bad ${what} "${text}"`);
  return Number(text);
}

function endianness(c: string): boolean {
  if (c === 'v') return true;
  if (c === 'V') return false;
  throw new AnalyzeError('WRONG_FORMAT', `.blend header has a bad endianness mark "${c}"`);
}

export function parseHeader(data: Uint8Array): BlendHeader {
  const head = String.fromCharCode(...data.subarray(0, 17));
  if (!head.startsWith('BLENDER') || head.length < 12) {
    throw new AnalyzeError('WRONG_FORMAT', 'not a Blender file (header too short)');
  }
  const c7 = head[7]!;
  if (c7 === '_' || c7 === '-') {
    return {
      headerSize: 12,
      pointerSize: c7 === '_' ? 4 : 8,
      littleEndian: endianness(head[8]!),
      version: digits(head.slice(9, 12), 'version'),
      fileFormatVersion: 0,
    };
  }
  const headerSize = digits(head.slice(7, 9), 'header size');
  if (headerSize !== 17 || head.length < 17) {
    throw new AnalyzeError('WRONG_FORMAT', `unsupported .blend header size ${headerSize}`);
  }
  if (head[9] !== '-')
    throw new AnalyzeError('WRONG_FORMAT', `unsupported .blend pointer size mark "${head[9]}"`);
  const fileFormatVersion = digits(head.slice(10, 12), 'file format version');
  if (fileFormatVersion !== 1) {
    throw new AnalyzeError('WRONG_FORMAT', `unsupported .blend file format version ${fileFormatVersion}`);
  }
  return {
    headerSize,
    pointerSize: 8,
    littleEndian: endianness(head[12]!),
    version: digits(head.slice(13, 17), 'version'),
    fileFormatVersion,
  };
}
