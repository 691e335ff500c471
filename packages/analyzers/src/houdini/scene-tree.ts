import { type ChannelTable, parseChannels } from './chn-parser.js';
import { parseDefinition, parseInitType } from './def-parser.js';
import { baseTypeName, childContext, managerChildContext, type NodeContext } from './node-context.js';
import { type ParmTable, parseParms } from './parm-parser.js';
import { type HipSection, sectionText } from './section.js';
import { fileTypedSpareParms } from './spareparm-parser.js';

/** One operator node rebuilt from its `<path>.init/.def/.parm/.chn/.spareparmdef` sections. */
export interface HoudiniNode {
  /** Absolute node path, e.g. `/obj/geo1/file1`. */
  path: string;
  /** Last path component (`$OS`). */
  name: string;
  /** Operator type as saved (`filecache::2.0`), or the manager name for `/obj`, `/out` … */
  type: string;
  /** Type without namespace and version (`filecache`). */
  baseType: string;
  context: NodeContext;
  parent?: string;
  bypassed: boolean;
  /** Absolute paths of the nodes wired into this one, in input order. */
  inputs: string[];
  parms: ParmTable;
  channels: ChannelTable;
  /** Spare parameters whose template declares a file/image/geometry type. */
  fileSpareParms: Set<string>;
}

const NODE_SUFFIXES = new Set(['init', 'def', 'parm', 'chn', 'spareparmdef']);

export function buildNodeTree(sections: HipSection[]): Map<string, HoudiniNode> {
  const grouped = new Map<string, Map<string, HipSection>>();
  for (const section of sections) {
    if (section.name.startsWith('.')) continue;
    const slash = section.name.lastIndexOf('/');
    const dot = section.name.indexOf('.', slash + 1);
    if (dot <= 0) continue;
    const suffix = section.name.slice(dot + 1);
    if (!NODE_SUFFIXES.has(suffix)) continue;
    const path = `/${section.name.slice(0, dot)}`;
    let parts = grouped.get(path);
    if (parts === undefined) {
      parts = new Map();
      grouped.set(path, parts);
    }
    // A repeated section (seen in damaged files) keeps its first copy.
    if (!parts.has(suffix)) parts.set(suffix, section);
  }

  const nodes = new Map<string, HoudiniNode>();
  // Parents before children, so a child's context can be derived from its parent's.
  const paths = [...grouped.keys()].sort((a, b) => depth(a) - depth(b) || (a < b ? -1 : 1));
  for (const path of paths) {
    const parts = grouped.get(path)!;
    const slash = path.lastIndexOf('/');
    const parentPath = slash > 0 ? path.slice(0, slash) : undefined;
    const name = path.slice(slash + 1);
    const init = parts.get('init');
    const isManager = parentPath === undefined;
    const type = isManager ? name : init ? (parseInitType(sectionText(init)) ?? '') : '';
    const context = isManager ? 'MANAGER' : contextOf(parentPath, nodes);
    if (context === undefined) continue;
    const def = parts.get('def');
    const definition = def
      ? parseDefinition(sectionText(def))
      : { flags: new Map<string, boolean>(), inputs: [] };
    const parm = parts.get('parm');
    const chn = parts.get('chn');
    const spare = parts.get('spareparmdef');
    nodes.set(path, {
      path,
      name,
      type,
      baseType: baseTypeName(type),
      context,
      parent: parentPath,
      bypassed: definition.flags.get('bypass') === true,
      inputs: parentPath === undefined ? [] : definition.inputs.map((n) => `${parentPath}/${n}`),
      parms: parm ? parseParms(sectionText(parm)) : new Map(),
      channels: chn ? parseChannels(sectionText(chn)) : new Map(),
      fileSpareParms: spare ? fileTypedSpareParms(sectionText(spare)) : new Set(),
    });
  }
  return nodes;
}

/**
 * Context from the nearest saved ancestor. Locked HDAs save only the
 * internals that differ from their definition, so a node's parent may have
 * no sections at all; unsaved intermediate levels are taken to keep the
 * context, like subnets do.
 */
function contextOf(parentPath: string, nodes: Map<string, HoudiniNode>): NodeContext | undefined {
  let path = parentPath;
  for (;;) {
    const ancestor = nodes.get(path);
    if (ancestor !== undefined) {
      if (ancestor.context === 'MANAGER') return managerChildContext(ancestor.name);
      return childContext(ancestor.context, ancestor.baseType);
    }
    const slash = path.lastIndexOf('/');
    if (slash === 0) return managerChildContext(path.slice(1));
    if (slash < 0) return undefined;
    path = path.slice(0, slash);
  }
}

function depth(path: string): number {
  let n = 0;
  for (let i = 0; i < path.length; i++) if (path.charCodeAt(i) === 0x2f) n++;
  return n;
}
