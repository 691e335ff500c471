import { basename } from 'node:path';
import type { DependencyKind } from '../core/dependency-collector.js';
import type { ExtensionMatcher } from '../core/registry.js';
import type { SequenceHint } from '../core/sequence-pattern.js';

/** A path one intermediate file names, before resolution. */
export interface NestedRef {
  /** As the file stores it (tokens such as `<UDIM>` or `####` kept). */
  readonly path: string;
  /** Where in the file: `</Ball.inputs:file>`, `image "wood" filename`. */
  readonly owner: string;
  readonly kind: DependencyKind;
  readonly sequence?: SequenceHint;
  /**
   * Absolute folders a relative path is tried against, in order; default:
   * the folder of the file that names it (USD anchors to the layer,
   * MaterialX to the document, OCIO to the config).
   */
  readonly roots?: readonly string[];
  /** After `roots`, also try the scene's own roots (Arnold and V-Ray search from the render's working folder). */
  readonly sceneRootsToo?: boolean;
  /** Variables expanded in this path only (XGen's `${PROJECT}`, `${DESC}`). */
  readonly variables?: Readonly<Record<string, string>>;
}

/**
 * A reader of one intermediate format: the files a file names. `read` gets
 * the absolute path of an existing file and returns what it names, or
 * throws an AnalyzeError for bad input; `warn` takes a line for the tips
 * about something in the file that will fail on the render node (the
 * follower prefixes the file and its chain). It never resolves anything
 * itself (the collector does) and reads no other file.
 */
export interface DependencyReader {
  /** Format name for tips and the README (`USD`, `Arnold scene`). */
  readonly format: string;
  /**
   * Read only the first file of a sequence (`cache.####.abc`): for readers
   * whose files come as per-frame sequences written by one export, alike
   * in what they name, and costly to read.
   */
  readonly firstOfSequence?: boolean;
  read(file: string, warn?: (line: string) => void): NestedRef[];
}

const readers: { matchers: readonly ExtensionMatcher[]; reader: DependencyReader }[] = [];

/** Make the nested-dependency machinery read files with these extensions with `reader`. */
export function registerDependencyReader(
  matchers: readonly ExtensionMatcher[],
  reader: DependencyReader,
): void {
  readers.push({ matchers, reader });
}

/** The reader registered for this file name, or undefined. */
export function dependencyReaderFor(file: string): DependencyReader | undefined {
  const name = basename(file).toLowerCase();
  for (const { matchers, reader } of readers) {
    for (const m of matchers) if (typeof m === 'string' ? name.endsWith(m) : m.test(name)) return reader;
  }
  return undefined;
}
