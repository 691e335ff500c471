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

/** A stored attribute: its name as written without the leading dot (`ftn`, `fn[0]`), and its value. */
export interface MayaAttr {
  readonly name: string;
  readonly value: MayaAttrValue;
}

export interface MayaNode {
  readonly type: string;
  readonly name: string;
  readonly parent: string | undefined;
  /**
   * Attribute values in the order set, names as written without the leading dot (`ftn`,
   * `fn[0]`, `fileTextureName`). A node keeps a handful, so a list beats a map in both
   * memory and speed, and any attribute name (`__proto__` included) is just data.
   */
  readonly attrs: MayaAttr[];
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
    attrs: [],
    attrDefaults: undefined,
  };
  doc.nodes.set(key, node);
  doc.nodeOrder.push(node);
  return node;
}

/** The value of an attribute set on the node under exactly this name. */
export function getAttr(node: MayaNode | undefined, name: string): MayaAttrValue | undefined {
  if (node === undefined) return undefined;
  for (const a of node.attrs) if (a.name === name) return a.value;
  return undefined;
}

/** Set (or replace) an attribute's value. */
export function setAttr(node: MayaNode, name: string, value: MayaAttrValue): void {
  const i = node.attrs.findIndex((a) => a.name === name);
  if (i < 0) node.attrs.push({ name, value });
  else node.attrs[i] = { name, value };
}

/** First value of the attribute under any of its names. */
export function attrValue(node: MayaNode | undefined, ...names: string[]): MayaAttrValue | undefined {
  if (node === undefined) return undefined;
  for (const n of names) {
    const v = getAttr(node, n);
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

/** A number as a `.ma` writes one: digits, or a boolean word (`yes` = 1); undefined otherwise. */
export function parseMayaNumber(t: string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const b = parseMayaBool(t);
  if (b !== undefined && !/^[-+.\d]/.test(t)) return b ? 1 : 0;
  const n = Number(t);
  return Number.isFinite(n) ? n : undefined;
}

export function attrNumber(node: MayaNode | undefined, ...names: string[]): number | undefined {
  return parseMayaNumber(attrText(node, ...names));
}
