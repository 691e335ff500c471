import type { BlendFile } from './blend-file.js';
import type { StructView } from './struct-view.js';

/** Every ID datablock starts with `ID id`; its `name` carries a 2-letter type prefix (`SCScene`, `OBCamera`). */
export function idName(file: BlendFile, sv: StructView): string {
  return (file.embedded(sv, 'id')?.string('name') ?? '').slice(2);
}
