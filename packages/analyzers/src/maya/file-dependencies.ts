import type { DependencyCollector, DependencyKind, ResolvedDependency, SequenceHint } from '../core/index.js';
import {
  ANY_NODE_FILE_ATTRIBUTES,
  FILE_ATTRIBUTES,
  type FileAttributeRule,
  UNKNOWN_TYPE_FILE_ATTRIBUTES,
} from './file-attributes.js';
import { attrBool, attrNumber, attrText, type MayaDocument, type MayaNode } from './maya-document.js';

/** A file name with an extension (`a.png`, `x.<UDIM>.exr`, `c.####.abc`). */
const LOOKS_LIKE_FILE = /\.[A-Za-z0-9]{1,8}$/;

/** uvTilingMode 3 = Mari UDIM (1 ZBrush and 2 Mudbox use u/v tile names, not expanded). */
const UV_TILING_UDIM = 3;

/** Where a document's relative paths resolve and how its owners are named. */
export interface DocumentScope {
  readonly roots: readonly string[];
  /** Prefix for owners found in a referenced file (`ns:` style), empty for the scene. */
  readonly ownerPrefix: string;
}

/**
 * Feed every file path a document's nodes hold into the collector: the node
 * types of {@link FILE_ATTRIBUTES} (by attribute name alone for the
 * unknown node types of Maya binary files), IES/light maps on any node, cacheFile
 * XML descriptions and a user OCIO config. Sequence hints come from the
 * node: `uvTilingMode 3` → UDIM, `useFrameExtension` → frame sequence.
 */
export function collectNodeFiles(
  doc: MayaDocument,
  collector: DependencyCollector,
  scope: DocumentScope,
): ResolvedDependency[] {
  const out: ResolvedDependency[] = [];
  const add = (node: MayaNode, attr: string, path: string, kind: DependencyKind, sequence?: SequenceHint) => {
    const r = collector.add({
      path,
      owner: `${scope.ownerPrefix}${node.name}.${attr}`,
      kind,
      roots: scope.roots,
      ...(sequence === undefined ? {} : { sequence }),
    });
    if (r !== undefined) out.push(r);
  };
  for (const node of doc.nodeOrder) {
    const unknownType = node.type.startsWith('mb:');
    const rules = [
      ...(FILE_ATTRIBUTES.get(node.type) ?? (unknownType ? UNKNOWN_TYPE_FILE_ATTRIBUTES : [])),
      ...ANY_NODE_FILE_ATTRIBUTES,
    ];
    const sequence = sequenceHint(node);
    for (const { name: attr, value } of node.attrs) {
      if (value.type !== 'string' && value.type !== 'stringArray') continue;
      const rule = rules.find((r) => matches(r, attr));
      if (rule === undefined) continue;
      for (const path of value.type === 'stringArray' ? value.values : value.values.slice(0, 1)) {
        if (unknownType && !LOOKS_LIKE_FILE.test(path)) continue;
        add(node, attr, path, rule.kind, sequence);
      }
    }
    if (node.type === 'cacheFile') {
      const dir = attrText(node, 'cp', 'cachePath');
      const name = attrText(node, 'cn', 'cacheName');
      if (dir !== undefined && name !== undefined && name !== '')
        add(node, 'cachePath', `${dir}/${name}.xml`, 'cache');
    }
    if (node.name === 'defaultColorMgtGlobals' && attrBool(node, 'cfe', 'configFileEnabled') === true) {
      const config = attrText(node, 'cfp', 'configFilePath');
      if (config !== undefined) add(node, 'cfp', config, 'color-config');
    }
  }
  return out;
}

function matches(rule: FileAttributeRule, attr: string): boolean {
  for (const name of rule.attrs) {
    if (attr === name) return true;
    if (rule.indexed && (attr.startsWith(`${name}[`) || new RegExp(`^${name}\\d+$`).test(attr))) return true;
  }
  return false;
}

function sequenceHint(node: MayaNode): SequenceHint | undefined {
  if (attrNumber(node, 'uvt', 'uvTilingMode') === UV_TILING_UDIM) return 'udim';
  if (attrBool(node, 'ufe', 'useFrameExtension') === true) return 'frames';
  return undefined;
}

/** Maya's own resources (`<MAYA_RESOURCES>/…`, `$MAYA_LOCATION/…`) ship with every Maya: never uploaded. */
export function isMayaBuiltin(path: string): boolean {
  return /^<MAYA_RESOURCES>/i.test(path) || /^\$\{?MAYA_LOCATION\}?[\\/]/.test(path);
}
