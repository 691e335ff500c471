import type { MayaDocument } from './maya-document.js';

/**
 * The release a farm installs for a file's version text: `2018ff09` →
 * `2018`, `2016R2` (Extension 2) → `2016.5`, `2023` → `2023`. Falls back to
 * fileInfo "product" (`Maya 2023`) when the file states no version.
 */
export function majorVersion(doc: MayaDocument): string | undefined {
  const text = doc.version ?? /Maya\D*(\d{4}(?:\.\d)?)/.exec(doc.fileInfo.get('product') ?? '')?.[1];
  if (text === undefined) return undefined;
  const m = /^(\d{4})(?:\.(\d))?(R2)?/i.exec(text.trim());
  if (m === null) return undefined;
  if (m[3] !== undefined) return `${m[1]}.5`;
  return m[2] === undefined ? m[1] : `${m[1]}.${m[2]}`;
}
