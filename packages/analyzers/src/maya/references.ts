import { realpathSync } from 'node:fs';
import { dirname } from 'node:path';
import { AnalyzeError, type DependencyCollector } from '../core/index.js';
import { collectNodeFiles } from './file-dependencies.js';
import type { MayaDocument } from './maya-document.js';
import type { MayaSceneReference } from './maya-scene.js';

/** Reference nesting followed; deeper chains are reported but not opened. */
const MAX_DEPTH = 16;
/** Referenced scene files opened in one analysis. */
const MAX_OPENED = 256;

export interface ReferenceWalk {
  readonly collector: DependencyCollector;
  readonly projectRoot: string | undefined;
  readonly sceneDir: string;
  /** Parse a referenced scene (Maya ASCII or binary); throws AnalyzeError for a bad file. */
  readonly readDocument: (file: string) => MayaDocument;
  readonly notes: string[];
  /** Real paths already opened (the analyzed scene included), for cycle protection. */
  readonly opened: Set<string>;
}

/**
 * Resolve a document's references (`file -r` and `file -rdi`, deferred ones
 * too: they are part of the scene) and follow those that exist into their
 * own files, collecting their node files and references. A referenced file
 * resolves relative paths against the project, its own folder, then the
 * scene's folder. A `{n}` copy suffix is not part of the path.
 */
export function walkReferences(
  doc: MayaDocument,
  file: string,
  walk: ReferenceWalk,
  depth = 1,
  ownerPrefix = '',
): MayaSceneReference[] {
  const out: MayaSceneReference[] = [];
  const roots = rootsFor(walk, depth === 1 ? undefined : dirname(file));
  const seen = new Set<string>();
  for (const ref of doc.references) {
    const path = ref.path.replace(/\{\d+\}$/, '');
    if (seen.has(path)) continue;
    seen.add(path);
    const level = depth + Math.max(0, (ref.depthInfo ?? 1) - 1);
    const resolved = walk.collector.add({
      path,
      owner: `${ownerPrefix}${ref.referenceNode ?? 'file -r'}`,
      kind: 'reference',
      roots,
    });
    if (resolved === undefined || resolved.status === 'builtin') continue;
    const found = resolved.status === 'found' ? resolved.files[0] : undefined;
    out.push({
      path: ref.path,
      ...(ref.namespace === undefined ? {} : { namespace: ref.namespace }),
      ...(ref.referenceNode === undefined ? {} : { referenceNode: ref.referenceNode }),
      ...(ref.fileType === undefined ? {} : { fileType: ref.fileType }),
      deferred: ref.deferred,
      depth: level,
      from: file,
      status: found === undefined ? 'missing' : 'found',
      ...(found === undefined ? {} : { resolved: found }),
    });
    if (found !== undefined && /\.m[ab]$/i.test(found))
      out.push(...follow(found, ref.namespace, walk, level));
  }
  return out;
}

function follow(
  file: string,
  namespace: string | undefined,
  walk: ReferenceWalk,
  depth: number,
): MayaSceneReference[] {
  let real: string;
  try {
    real = realpathSync(file);
  } catch {
    return [];
  }
  if (walk.opened.has(real)) return [];
  if (depth >= MAX_DEPTH || walk.opened.size >= MAX_OPENED) {
    walk.notes.push(`reference not opened (nesting or count limit): ${file}`);
    return [];
  }
  walk.opened.add(real);
  let child: MayaDocument;
  try {
    child = walk.readDocument(file);
  } catch (e) {
    if (!(e instanceof AnalyzeError)) throw e;
    walk.notes.push(`referenced file not readable (${e.message})`);
    return [];
  }
  const prefix = namespace === undefined || namespace === '' ? '' : `${namespace}:`;
  collectNodeFiles(child, walk.collector, { roots: rootsFor(walk, dirname(file)), ownerPrefix: prefix });
  return walkReferences(child, file, walk, depth + 1, prefix);
}

function rootsFor(walk: ReferenceWalk, ownDir: string | undefined): string[] {
  const roots = [walk.projectRoot, ownDir, walk.sceneDir].filter((r): r is string => r !== undefined);
  return [...new Set(roots)];
}
