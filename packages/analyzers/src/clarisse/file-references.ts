import type { Attribute, ClarisseContext, ClarisseObject } from './project-objects.js';

/**
 * Files a project reads: every `filename` attribute, whatever the class
 * (TextureMapFile, TextureStreamedMapFile, GeometryPolyfile, Alembic/USD
 * bundles, volume files …), including the sub-block form
 * `filename { value "…" }`, and contexts that reference an external
 * `.project`. `$PDIR` is the project's folder; `$CLARISSE_BIN_DIR` and
 * `$CTEMP` are the application's own folders.
 */
export interface ClarisseFileReference {
  /** Item path of the object (or context) holding the attribute. */
  owner: string;
  className: string;
  attribute: string;
  /** Text as written. */
  raw: string;
  status: 'file' | 'builtin';
  /** A referenced `.project` (followed when present). */
  project: boolean;
}

const FILE_ATTRIBUTES = new Set(['filename', 'filenames']);
const BUILTIN = /^\$\{?(?:CLARISSE_BIN_DIR|CTEMP)\b/;

export function findFileReferences(
  objects: ClarisseObject[],
  contexts: ClarisseContext[],
): ClarisseFileReference[] {
  const refs: ClarisseFileReference[] = [];
  for (const context of contexts) collect(refs, context.path, 'Context', context.attributes);
  for (const object of objects) collect(refs, object.path, object.className, object.attributes);
  return refs;
}

function collect(
  refs: ClarisseFileReference[],
  owner: string,
  className: string,
  attributes: Map<string, Attribute>,
): void {
  for (const [name, attribute] of attributes) {
    if (!FILE_ATTRIBUTES.has(name)) continue;
    const values = attribute.block?.get('value')?.values ?? attribute.values;
    for (const value of values) {
      const raw = value.text.trim();
      if (raw === '' || (!value.quoted && raw === '<empty>')) continue;
      refs.push({
        owner,
        className,
        attribute: name,
        raw,
        status: BUILTIN.test(raw) ? 'builtin' : 'file',
        project: /\.project$/i.test(raw),
      });
    }
  }
}
