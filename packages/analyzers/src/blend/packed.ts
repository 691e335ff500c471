import type { BlendFile } from './blend-file.js';
import type { StructView } from './struct-view.js';

/** An ID whose file is embedded in the .blend (`packedfile`, or for images any of `packedfiles`). */
export function isPacked(file: BlendFile, sv: StructView): boolean {
  if ((sv.pointer('packedfile') ?? 0n) !== 0n) return true;
  return sv.has('packedfiles') && file.list(sv, 'packedfiles').length > 0;
}
