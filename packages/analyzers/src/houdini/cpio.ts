import { AnalyzeError } from '../core/index.js';
import { type HipSection, MAX_HIP_SECTIONS } from './section.js';

/**
 * Commercial `.hip` files are cpio archives in the portable ASCII ("odc")
 * format: a 76-byte header of octal fields, the NUL-terminated name, then the
 * body, with no padding; the entry named `TRAILER!!!` ends the archive.
 */
const HEADER_SIZE = 76;
const MAGIC = '070707';
const NAMESIZE_OFFSET = 59;
const FILESIZE_OFFSET = 65;
const TRAILER = 'TRAILER!!!';

export function isCpio(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && ascii(bytes, 0, MAGIC.length) === MAGIC;
}

export function readCpioSections(bytes: Uint8Array, file?: string): HipSection[] {
  const sections: HipSection[] = [];
  let pos = 0;
  for (;;) {
    if (pos === bytes.length) {
      throw new AnalyzeError(
        'TRUNCATED',
        `cpio archive ends after ${sections.length} entries without ${TRAILER}`,
        file,
      );
    }
    if (bytes.length - pos < HEADER_SIZE) {
      throw new AnalyzeError('TRUNCATED', `cpio header at byte ${pos} is cut short`, file);
    }
    if (ascii(bytes, pos, MAGIC.length) !== MAGIC) {
      throw new AnalyzeError('CORRUPT', `no cpio magic 070707 at byte ${pos}`, file);
    }
    const nameSize = octal(bytes, pos + NAMESIZE_OFFSET, 6, pos, file);
    const bodySize = octal(bytes, pos + FILESIZE_OFFSET, 11, pos, file);
    if (nameSize < 1) throw new AnalyzeError('CORRUPT', `cpio entry at byte ${pos} has an empty name`, file);
    const nameStart = pos + HEADER_SIZE;
    const bodyStart = nameStart + nameSize;
    // Compare declared sizes with what is left before slicing, so an inflated size costs nothing.
    if (bodyStart > bytes.length || bodySize > bytes.length - bodyStart) {
      throw new AnalyzeError(
        'TRUNCATED',
        `cpio entry at byte ${pos} declares ${nameSize}+${bodySize} bytes but only ${bytes.length - nameStart} remain`,
        file,
      );
    }
    if (bytes[bodyStart - 1] !== 0) {
      throw new AnalyzeError('CORRUPT', `cpio entry name at byte ${nameStart} is not NUL-terminated`, file);
    }
    const name = ascii(bytes, nameStart, nameSize - 1);
    if (name === TRAILER) return sections;
    if (sections.length >= MAX_HIP_SECTIONS) {
      throw new AnalyzeError('LIMIT_EXCEEDED', `more than ${MAX_HIP_SECTIONS} cpio entries`, file);
    }
    sections.push({ name, body: bytes.subarray(bodyStart, bodyStart + bodySize) });
    pos = bodyStart + bodySize;
  }
}

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

function octal(bytes: Uint8Array, start: number, length: number, entry: number, file?: string): number {
  let n = 0;
  for (let i = start; i < start + length; i++) {
    const d = bytes[i]! - 0x30;
    if (d < 0 || d > 7)
      throw new AnalyzeError('CORRUPT', `cpio header at byte ${entry} has a non-octal size field`, file);
    n = n * 8 + d;
  }
  return n;
}
