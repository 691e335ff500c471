import { AnalyzeError } from '../core/index.js';
import { type HipContainer, type HipSection, MAX_HIP_SECTIONS } from './section.js';

/**
 * Apprentice (`.hipnc`) and Indie (`.hiplc`) files hold the same sections as a
 * `.hip`, each preceded by `HouNC\x1a` / `HouLC\x1a` and 28 lowercase hex
 * characters, then the NUL-terminated name and the body. The hex header has
 * no body length, so a body runs to the next marker (or the end of file).
 */
const MARKER_PREFIX = [0x48, 0x6f, 0x75]; // "Hou"
const MARKER_LENGTH = 6 + 28;

export function markerContainer(bytes: Uint8Array, at = 0): Exclude<HipContainer, 'cpio'> | undefined {
  if (bytes.length - at < MARKER_LENGTH) return undefined;
  for (let i = 0; i < 3; i++) if (bytes[at + i] !== MARKER_PREFIX[i]) return undefined;
  const a = bytes[at + 3];
  const b = bytes[at + 4];
  if (b !== 0x43 || bytes[at + 5] !== 0x1a) return undefined; // "C\x1a"
  const kind = a === 0x4e ? 'apprentice' : a === 0x4c ? 'indie' : undefined; // N or L
  if (kind === undefined) return undefined;
  for (let i = at + 6; i < at + MARKER_LENGTH; i++) {
    const c = bytes[i]!;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return undefined;
  }
  return kind;
}

export function readMarkerSections(bytes: Uint8Array, file?: string): HipSection[] {
  const starts: number[] = [];
  // Scan for "Hou" and validate the full marker there; indexOf keeps the scan linear.
  let from = 0;
  for (;;) {
    const at = bytes.indexOf(0x48, from);
    if (at < 0) break;
    if (markerContainer(bytes, at) !== undefined) {
      if (starts.length >= MAX_HIP_SECTIONS) {
        throw new AnalyzeError('LIMIT_EXCEEDED', `more than ${MAX_HIP_SECTIONS} Hou markers`, file);
      }
      starts.push(at);
      from = at + MARKER_LENGTH;
    } else {
      from = at + 1;
    }
  }
  if (starts[0] !== 0)
    throw new AnalyzeError('WRONG_FORMAT', 'file does not start with a HouNC/HouLC marker', file);
  const sections: HipSection[] = [];
  for (let i = 0; i < starts.length; i++) {
    const start = starts[i]! + MARKER_LENGTH;
    const end = i + 1 < starts.length ? starts[i + 1]! : bytes.length;
    const nul = bytes.indexOf(0, start);
    if (nul < 0 || nul >= end) {
      throw new AnalyzeError('CORRUPT', `section name at byte ${start} is not NUL-terminated`, file);
    }
    let name = '';
    for (let j = start; j < nul; j++) name += String.fromCharCode(bytes[j]!);
    sections.push({ name, body: bytes.subarray(nul + 1, end) });
  }
  return sections;
}
