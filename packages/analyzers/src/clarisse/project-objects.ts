import type { Block, Entry, Value } from './brace-tree.js';

/**
 * Objects of a project: `ClassName { name "…" attributes… }` blocks inside
 * contexts, including the objects embedded in another object
 * (`embedded_objects { … }`). Each gets its full item path
 * (`project://scene/image`; an embedded object `project://scene/image.layer`).
 */
export interface Attribute {
  values: Value[];
  /** Attribute written as a sub-block (`color { value … texture "…" }`). */
  block?: Map<string, Attribute>;
}

export interface ClarisseObject {
  className: string;
  name: string;
  /** `project://context/…/name`, embedded objects joined with `.`. */
  path: string;
  /** Path of the context holding the object (relative object references resolve against it). */
  context: string;
  /** Path of the object this one is embedded in. */
  owner?: string;
  attributes: Map<string, Attribute>;
  line: number;
}

export interface ClarisseContext {
  path: string;
  attributes: Map<string, Attribute>;
  line: number;
}

export interface ProjectObjects {
  contexts: ClarisseContext[];
  objects: ClarisseObject[];
}

const ROOT = 'project:/';

export function collectObjects(entries: Entry[]): ProjectObjects {
  const out: ProjectObjects = { contexts: [], objects: [] };
  walkContext(entries, ROOT, out);
  return out;
}

function walkContext(entries: Entry[], context: string, out: ProjectObjects): void {
  for (const entry of entries) {
    // `#preferences { … }` and other metadata blocks hold UI state, not scene data.
    if (entry.kind !== 'block' || entry.meta) continue;
    if (entry.name === 'Context') {
      const name = entry.args[0]?.text ?? '';
      const path = join(context, name);
      out.contexts.push({ path, attributes: attributesOf(entry.children), line: entry.line });
      walkContext(entry.children, path, out);
    } else {
      addObject(entry, context, undefined, out);
    }
  }
}

function addObject(block: Block, context: string, owner: string | undefined, out: ProjectObjects): void {
  const name = nameOf(block.children) ?? '';
  const path = owner === undefined ? join(context, name) : `${owner}.${name}`;
  out.objects.push({
    className: block.name,
    name,
    path,
    context,
    owner,
    attributes: attributesOf(block.children),
    line: block.line,
  });
  for (const child of block.children) {
    if (child.kind === 'block' && !child.meta && child.name === 'embedded_objects') {
      for (const embedded of child.children) {
        if (embedded.kind === 'block' && !embedded.meta) addObject(embedded, context, path, out);
      }
    }
  }
}

function attributesOf(entries: Entry[]): Map<string, Attribute> {
  const attributes = new Map<string, Attribute>();
  for (const entry of entries) {
    if (entry.meta) continue;
    if (entry.kind === 'statement') attributes.set(entry.name, { values: entry.values });
    else if (entry.name !== 'embedded_objects') {
      attributes.set(entry.name, { values: entry.args, block: attributesOf(entry.children) });
    }
  }
  return attributes;
}

function nameOf(entries: Entry[]): string | undefined {
  for (const entry of entries) {
    if (entry.kind === 'statement' && !entry.meta && entry.name === 'name') return entry.values[0]?.text;
  }
  return undefined;
}

/** The root is `project:/`, so a top-level context is `project://scene`. */
function join(context: string, name: string): string {
  return `${context}/${name}`;
}

/**
 * Resolve an object reference written in the project: an absolute item URL
 * (`project://scene/cam`), a name relative to the context (`camera`,
 * `../other/cam`), or an embedded object of `owner` (`.kubix_layer`).
 */
export function resolveReference(ref: string, context: string, owner?: string): string {
  if (ref.startsWith('project:/')) return ref;
  if (ref.startsWith('.') && !ref.startsWith('..') && owner !== undefined) return `${owner}${ref}`;
  const parts = context
    .slice(ROOT.length)
    .split('/')
    .filter((p) => p !== '');
  for (const piece of ref.split('/')) {
    if (piece === '..') parts.pop();
    else if (piece !== '' && piece !== '.') parts.push(piece);
  }
  return `${ROOT}/${parts.join('/')}`;
}
