import { basename, dirname } from 'node:path';
import type { DependencyCollector, ResolvedDependency } from '../core/dependency-collector.js';
import { AnalyzeError } from '../core/errors.js';
import { dependencyReaderFor } from './dependency-reader.js';

export interface NestedLimits {
  /** Files named by files named by … the scene, at most this many levels (the scene's own references are level 1). */
  readonly maxDepth: number;
  /** Intermediate files read per scene. */
  readonly maxFiles: number;
}

export const DEFAULT_NESTED_LIMITS: NestedLimits = Object.freeze({ maxDepth: 32, maxFiles: 50_000 });

/** What following the nested files found beyond the collector's references. */
export interface NestedReport {
  /** Intermediate files read, in order. */
  readonly read: readonly string[];
  /** One line per file that could not be read or was not followed, and each reader's warning, for the tips. */
  readonly problems: readonly string[];
}

interface Pending {
  readonly file: string;
  readonly depth: number;
  /** Who named the file (the owner chain of the reference that found it). */
  readonly namedBy: string;
  /** The files from the scene down to this one. */
  readonly via: readonly string[];
}

/**
 * Follow every intermediate file the collector found (USD layers, Arnold
 * scenes, MaterialX documents…) into the files it names, and those into
 * theirs, adding each to the same collector so upload.json lists every
 * existing file once and each missing one becomes a tip. A reference's owner
 * is the chain that reached it: `Ball.shadingVariants.usda </Ball.inputs:file>,
 * named by Ball.usda </Ball> references, named by stageShape1.fp in scene.ma`.
 * A file already read (a cycle, or a layer shared by two parents) is not
 * read again; nesting deeper than `maxDepth` and files beyond `maxFiles`
 * are reported, not followed. A file that cannot be read (damaged, wrong
 * format) is a problem line; the rest of the scene still analyzes.
 */
export function followNestedDependencies(
  collector: DependencyCollector,
  sceneFile: string,
  limits: NestedLimits = DEFAULT_NESTED_LIMITS,
): NestedReport {
  const visited = new Set<string>([sceneFile]);
  const read: string[] = [];
  const problems: string[] = [];
  const queue: Pending[] = [];
  const sceneName = basename(sceneFile);
  const enqueue = (dep: ResolvedDependency, depth: number, namedBy: string, via: readonly string[]): void => {
    if (dep.status !== 'found') return;
    for (const [i, file] of dep.files.entries()) {
      const reader = dependencyReaderFor(file);
      if (visited.has(file) || reader === undefined || (i > 0 && reader.firstOfSequence === true)) continue;
      visited.add(file);
      queue.push({ file, depth, namedBy, via });
    }
  };
  for (const dep of collector.all()) enqueue(dep, 1, `${dep.owner} in ${sceneName}`, []);

  for (let head = 0; head < queue.length; head++) {
    const item = queue[head]!;
    if (read.length >= limits.maxFiles) {
      problems.push(
        `${basename(item.file)}, named by ${item.namedBy}: not read (more than ${limits.maxFiles} nested files)`,
      );
      continue;
    }
    if (item.depth > limits.maxDepth) {
      problems.push(
        `${basename(item.file)}, named by ${item.namedBy}: not read (nested deeper than ${limits.maxDepth})`,
      );
      continue;
    }
    const reader = dependencyReaderFor(item.file)!;
    let refs: ReturnType<typeof reader.read>;
    try {
      refs = reader.read(item.file, (line) =>
        problems.push(`${basename(item.file)}, named by ${item.namedBy}: ${line}`),
      );
    } catch (error) {
      if (!(error instanceof AnalyzeError)) throw error;
      problems.push(
        `${basename(item.file)}, named by ${item.namedBy}: ${reader.format} file not read (${error.code}: ${error.message})`,
      );
      continue;
    }
    read.push(item.file);
    const via = [...item.via, item.file];
    const folder = dirname(item.file);
    const layer = basename(item.file);
    for (const ref of refs) {
      const roots = [...(ref.roots ?? [folder]), ...(ref.sceneRootsToo === true ? collector.roots : [])];
      const owner = `${layer} ${ref.owner}, named by ${item.namedBy}`;
      const dep = collector.add({
        path: ref.path,
        owner,
        kind: ref.kind,
        roots,
        via,
        ...(ref.sequence === undefined ? {} : { sequence: ref.sequence }),
        ...(ref.variables === undefined ? {} : { variables: ref.variables }),
      });
      if (dep !== undefined) enqueue(dep, item.depth + 1, owner, via);
    }
  }
  return { read, problems };
}
