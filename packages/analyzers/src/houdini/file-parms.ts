import { OUTPUT_PARMS, ropTypeOf } from './rop-types.js';
import { parmString, parmToggle, parmToken, type StringValue } from './parm-values.js';
import type { HoudiniRop } from './rops.js';
import type { HoudiniNode } from './scene-tree.js';
import type { HipEnvironment } from './variables.js';

/**
 * Files the scene reads. The file has no parameter types for built-in
 * nodes, so discovery combines a table of known (type, parm) pairs, the
 * types of spare parms, and a path-like fallback over every string value
 * that ends in a known extension. Files a node writes (ROP outputs) are not
 * dependencies, except caches a node reads back (File Cache with "Load from
 * Disk").
 */
export interface HoudiniFileReference {
  node: string;
  parm: string;
  /** Text as written (or the expression / cached value it came from). */
  raw: string;
  /**
   * `builtin`: ships with Houdini or is searched on HOUDINI_PATH ($HFS, $HH,
   * opdef:, temp:, bare names such as defcam.bgeo); `unresolved`: needs
   * Houdini to evaluate (backticks, Python, unknown variables); `file`: a
   * path to check on disk.
   */
  status: 'file' | 'builtin' | 'unresolved';
  /** Absolute or `$HIP`-resolved path, `/` separators, frame variables kept (`$F4`). */
  path?: string;
  /** The path holds frame variables or wildcards and names a sequence of files. */
  sequence: boolean;
  reason?: string;
}

/** `<context>/<base type>` → parms that hold input files. */
const KNOWN_FILE_PARMS: Record<string, string[]> = {
  'SOP/file': ['file'],
  'SOP/alembic': ['fileName'],
  'OBJ/alembicarchive': ['fileName'],
  'SOP/usdimport': ['filepath1'],
  'SOP/vdb': ['file_name'],
  'SOP/attribfrommap': ['filename'],
  'SOP/texture': ['map'],
  'COP/file': ['filename1'],
  'CHOP/file': ['file'],
  'DOP/file': ['file'],
  'DOP/dopnet': ['initialstate'],
  'OBJ/dopnet': ['initialstate'],
  'SOP/dopnet': ['initialstate'],
  'LOP/sublayer': ['filepath1'],
  'LOP/reference': ['filepath1'],
  'LOP/assetreference': ['filepath'],
  'LOP/loadlayer': ['filepath'],
  'LOP/payload': ['filepath1'],
  'TOP/filepattern': ['pattern'],
  'VOP/texture': ['map'],
  'SHOP/v_texture': ['map'],
};

/** Extensions of files a render reads; a value ending in one of these is taken for a path. */
const PATH_EXTENSION =
  /\.(?:bgeo(?:\.sc|\.gz)?|geo(?:\.gz)?|abc|vdb|usd[acz]?|exr|png|jpe?g|tiff?|rat|hdri?|tex|tx|pic|obj|fbx|ies|ass(?:\.gz)?|rs|sim(?:data)?|hda|otl|hdanc|otlnc|hdalc|bhclassic|ptc|pc|rib)$/i;

const BUILTIN_PREFIX = /^(?:\$\{?(?:HFS|HH)\b\}?|opdef:|oplib:|temp:|op:)/;
/** Command lines (a program followed by options or more paths) are not paths. */
const COMMAND_LIKE = /\s(?:-{1,2}[A-Za-z]|\$HIP|[A-Za-z]:[\\/]|\/)/;

export function findFileReferences(
  nodes: Map<string, HoudiniNode>,
  rops: HoudiniRop[],
  env: HipEnvironment,
): HoudiniFileReference[] {
  const refs: HoudiniFileReference[] = [];
  const ropByNode = new Map(rops.map((r) => [r.node, r]));
  for (const node of nodes.values()) {
    if (node.context === 'MANAGER' || node.bypassed) continue;
    const rop = ropByNode.get(node.path);
    if (rop !== undefined) {
      // A cache node reads its own output back when "Load from Disk" is on.
      if (
        node.baseType === 'filecache' &&
        parmToggle(node, 'loadfromdisk') === true &&
        rop.output !== undefined
      ) {
        refs.push({
          node: node.path,
          parm: 'file',
          raw: rop.outputRaw ?? rop.output,
          status: 'file',
          path: resolvePath(rop.output, env),
          sequence: hasSequenceToken(rop.output),
        });
      }
      continue;
    }
    // Nodes in ROP networks write files; their path parms are outputs.
    if (ropTypeOf(node.context, node.baseType) !== undefined || node.context === 'ROP') continue;
    const known = new Set(KNOWN_FILE_PARMS[`${node.context}/${node.baseType}`] ?? []);
    // Sublayer and reference LOPs hold a multiparm of files: filepath1, filepath2, …
    const multi = known.has('filepath1') ? /^filepath\d+$/ : undefined;
    for (const [parm, components] of node.parms) {
      if (OUTPUT_PARMS.has(parm) || components.length !== 1) continue;
      if (!isEnabled(node, parm)) continue;
      const value = parmString(node, parm, env);
      if (value === undefined || value.raw.trim() === '') continue;
      const isKnown = known.has(parm) || multi?.test(parm) === true;
      const isSpare = node.fileSpareParms.has(parm);
      if (!isKnown && !isSpare && !looksLikePath(value)) continue;
      if (isSpare && !isKnown && !/\.[A-Za-z0-9]+$/.test(value.value ?? value.raw)) continue;
      refs.push(classify(node.path, parm, value, env));
    }
  }
  return refs;
}

/**
 * Parms that are read only in some modes; defaults such as IsoOffset's
 * `./sdf$F4.simdata` sit in every saved file and must not count otherwise.
 */
const READ_ONLY_WHEN: Record<string, (node: HoudiniNode) => boolean> = {
  playfilesname: (node) => parmToggle(node, 'isplayer') === true,
  'isooffset/filename': (node) => parmToken(node, 'filemode') === 'read',
};

function isEnabled(node: HoudiniNode, parm: string): boolean {
  const gate = READ_ONLY_WHEN[`${node.baseType}/${parm}`] ?? READ_ONLY_WHEN[parm];
  return gate === undefined || gate(node);
}

function looksLikePath(value: StringValue): boolean {
  const text = (value.value ?? value.raw).trim();
  if (text.includes('\n') || COMMAND_LIKE.test(text)) return false;
  const m = PATH_EXTENSION.exec(text);
  // `.abc` alone is an extension setting, not a file.
  return m !== null && m.index > 0 && !/[\\/]$/.test(text.slice(0, m.index));
}

function classify(node: string, parm: string, value: StringValue, env: HipEnvironment): HoudiniFileReference {
  const raw = value.raw.trim();
  const base = { node, parm, raw, sequence: false };
  if (BUILTIN_PREFIX.test(raw)) return { ...base, status: 'builtin' };
  if (value.value === undefined) return { ...base, status: 'unresolved', reason: value.unresolved };
  const text = value.value.trim();
  if (BUILTIN_PREFIX.test(text)) return { ...base, status: 'builtin' };
  // A bare file name is searched on HOUDINI_PATH (defcam.bgeo, default.pic, circle.pic …);
  // a USD layer's is not (USD resolves it against the working folder, $HIP).
  if (!/[\\/]/.test(raw) && !raw.includes('$') && !/\.usd[acz]?$/i.test(raw))
    return { ...base, status: 'builtin' };
  return { ...base, status: 'file', path: resolvePath(text, env), sequence: hasSequenceToken(text) };
}

/**
 * Backslashes become `/`; Houdini's printf-style tile tokens become the
 * `<UDIM>`/`<U>`/`<V>` the resolver expands; a relative path is taken
 * relative to `$HIP` (the render's working directory).
 */
export function resolvePath(text: string, env: HipEnvironment): string {
  const p = text
    .replace(/\\/g, '/')
    .replace(/%\(UDIM\)d/g, '<UDIM>')
    .replace(/%\(([UV])\)d/g, '<$1>');
  if (p.startsWith('/') || /^[A-Za-z]:\//.test(p)) return p;
  const hip = env.vars.get('HIP') ?? '.';
  return `${hip}/${p.replace(/^\.\//, '')}`;
}

export function hasSequenceToken(path: string): boolean {
  return /\$\{?(?:F[1-9]?|FF|SF)(?![A-Za-z0-9_])\}?|#|\*|<(?:UDIM|UVTILE|U|V)>|%\((?:UDIM|U|V)\)d/.test(path);
}
