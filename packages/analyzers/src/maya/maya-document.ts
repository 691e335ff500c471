/**
 * The parts of a Maya scene the analyzer needs, as read from either format:
 * header facts, plugins, references, nodes with their small attribute
 * values, and the connections that tie render layers together.
 */

/** One `setAttr` as stored: the value words after the attribute (and its `-type`). */
export interface MayaAttrValue {
  /** `-type` of the value (`string`, `stringArray`, `double3`…), undefined for plain numbers/booleans. */
  readonly type?: string;
  readonly values: readonly string[];
}

export interface MayaNode {
  readonly type: string;
  readonly name: string;
  readonly parent: string | undefined;
  /**
   * Attribute values keyed by the name written without the leading dot (`ftn`, `fn[0]`,
   * `fileTextureName`). A prototype-less object: cheaper than a Map for the one to five
   * values a node keeps, and safe for any attribute name (`__proto__` included).
   */
  readonly attrs: Record<string, MayaAttrValue | undefined>;
  /** `addAttr -sn x -dv v` defaults of dynamic attributes, keyed by short and long name; created on first use. */
  attrDefaults: Map<string, string> | undefined;
}

export interface MayaConnection {
  readonly srcNode: string;
  readonly srcAttr: string;
  readonly dstNode: string;
  readonly dstAttr: string;
}

export interface MayaReference {
  /** Path exactly as written (may carry a `{n}` copy suffix). */
  readonly path: string;
  readonly namespace?: string;
  readonly referenceNode?: string;
  readonly fileType?: string;
  /** `-dr 1`: the reference is unloaded. */
  readonly deferred: boolean;
  /** `-rdi N` depth-info entry (every reference incl. nested) rather than a `file -r` load. */
  readonly depthInfo?: number;
}

export interface MayaDocument {
  readonly format: 'ma' | 'mb';
  /** Header / `requires maya` version, e.g. `2023`, `2018ff09`. */
  version?: string;
  codeset?: string;
  readonly fileInfo: Map<string, string>;
  /** `requires` plugins (not `maya` itself), name → version. */
  readonly plugins: Map<string, string>;
  timeUnit?: string;
  readonly references: MayaReference[];
  readonly nodes: Map<string, MayaNode>;
  /** Nodes in file order (names may repeat across namespaces; the map keeps the last). */
  readonly nodeOrder: MayaNode[];
  readonly connections: MayaConnection[];
  /** True when some content could not be decoded (always for .mb) or the input ended early. */
  partial: boolean;
  readonly notes: string[];
}

export function emptyDocument(format: 'ma' | 'mb'): MayaDocument {
  return {
    format,
    fileInfo: new Map(),
    plugins: new Map(),
    references: [],
    nodes: new Map(),
    nodeOrder: [],
    connections: [],
    partial: format === 'mb',
    notes: [],
  };
}

/** The node a plug or DAG path names: `|grp|perspShape` → `perspShape`, `:time1` → `time1`. */
export function nodeKey(name: string): string {
  const last = name.slice(name.lastIndexOf('|') + 1);
  return last.startsWith(':') ? last.slice(1) : last;
}

export function getOrCreateNode(doc: MayaDocument, type: string, name: string, parent?: string): MayaNode {
  const key = nodeKey(name);
  const known = doc.nodes.get(key);
  if (known !== undefined && (type === '' || known.type === type || known.type === '')) return known;
  // Always the same five fields: nodes are created by the hundred thousand and stay monomorphic.
  const node: MayaNode = {
    type,
    name: key,
    parent: parent === undefined ? undefined : nodeKey(parent),
    attrs: newAttrs(),
    attrDefaults: undefined,
  };
  doc.nodes.set(key, node);
  doc.nodeOrder.push(node);
  return node;
}

/** An empty attribute record without a prototype. */
export function newAttrs(): Record<string, MayaAttrValue | undefined> {
  return Object.create(null) as Record<string, MayaAttrValue | undefined>;
}

/** First value of the attribute under any of its names. */
export function attrValue(node: MayaNode | undefined, ...names: string[]): MayaAttrValue | undefined {
  if (node === undefined) return undefined;
  for (const n of names) {
    const v = node.attrs[n];
    if (v !== undefined) return v;
  }
  return undefined;
}

/** The attribute as one string (first value word), if set. */
export function attrText(node: MayaNode | undefined, ...names: string[]): string | undefined {
  return attrValue(node, ...names)?.values[0];
}

/** Maya booleans are written `yes`/`no`/`on`/`off`/`true`/`false`/`1`/`0`. */
export function parseMayaBool(text: string | undefined): boolean | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase();
  if (t === 'yes' || t === 'on' || t === 'true') return true;
  if (t === 'no' || t === 'off' || t === 'false') return false;
  const n = Number(t);
  return Number.isFinite(n) ? n !== 0 : undefined;
}

export function attrBool(node: MayaNode | undefined, ...names: string[]): boolean | undefined {
  return parseMayaBool(attrText(node, ...names));
}

export function attrNumber(node: MayaNode | undefined, ...names: string[]): number | undefined {
  const t = attrText(node, ...names);
  if (t === undefined) return undefined;
  const b = parseMayaBool(t);
  if (b !== undefined && !/^[-+.\d]/.test(t)) return b ? 1 : 0;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}
