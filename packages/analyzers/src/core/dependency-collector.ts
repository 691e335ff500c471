import { opendirSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { AnalyzeError } from './errors.js';
import {
  expandVariables,
  isAbsoluteAnyOs,
  isDrivePath,
  isLocallyAddressable,
  normalizeSeparators,
} from './path-text.js';
import { applySequenceHint, fileNamePattern, type SequenceHint } from './sequence-pattern.js';

/** What an external file is for; free text beyond these is allowed for reader-specific kinds. */
export type DependencyKind =
  | 'reference'
  | 'texture'
  | 'cache'
  | 'alembic'
  | 'proxy'
  | 'usd'
  | 'ies'
  | 'image-plane'
  | 'library'
  | 'sound'
  | 'movie'
  | 'volume'
  | 'geometry'
  | 'color-config'
  | (string & {});

/** A path string as found in a scene, with where it was found. */
export interface DependencyRef {
  /** The text exactly as the scene stores it. */
  readonly path: string;
  /** Who refers to it, e.g. `file1.ftn`, `/obj/geo1/file1.file`, `Image "wood"`. */
  readonly owner: string;
  readonly kind: DependencyKind;
  /** The literal name is one member of a UDIM set or frame sequence. */
  readonly sequence?: SequenceHint;
  /** Roots for this reference instead of the collector's (a file found inside a referenced file). */
  readonly roots?: readonly string[];
  /** Variables for this reference, over the collector's (XGen's `${PROJECT}` of one collection). */
  readonly variables?: Readonly<Record<string, string>>;
  /**
   * The intermediate files, scene side first, through which this reference
   * was found (a USD layer named by a layer named by the scene); empty or
   * absent for the scene's own references.
   */
  readonly via?: readonly string[];
}

export type DependencyStatus = 'found' | 'missing' | 'builtin';

/** A reference after resolution. */
export interface ResolvedDependency extends DependencyRef {
  readonly status: DependencyStatus;
  /** Variables expanded, separators normalized, sequence hint applied (`x_<UDIM>.png`). */
  readonly pattern: string;
  /** The absolute local path tried (the first candidate when missing); tokens kept. */
  readonly resolved: string;
  /** Existing files this reference stands for (one, or every member of a sequence). */
  readonly files: readonly string[];
  /** More members existed than {@link CollectorLimits.maxFilesPerPattern}; `files` holds the first ones. */
  readonly truncated: boolean;
}

export interface CollectorLimits {
  /** Members of one sequence kept (the rest are counted as truncated). */
  readonly maxFilesPerPattern: number;
  /** Directory entries read for one sequence expansion. */
  readonly maxDirEntries: number;
  /** Distinct references accepted before the scene is rejected as unreasonable. */
  readonly maxReferences: number;
}

export const DEFAULT_COLLECTOR_LIMITS: CollectorLimits = Object.freeze({
  maxFilesPerPattern: 10_000,
  maxDirEntries: 200_000,
  maxReferences: 100_000,
});

export interface DependencyCollectorOptions {
  /** Absolute folders a relative path is tried against, in order (scene folder, project root, …). */
  readonly roots: readonly string[];
  /** Variables expanded before resolving (`HIP`, `JOB`, `HIPNAME`, `PDIR`…), written without `$`. */
  readonly variables?: Readonly<Record<string, string>>;
  /** Built-in resources of the DCC (checked on the raw and on the expanded text); never uploaded nor missing. */
  readonly isBuiltin?: (path: string) => boolean;
  /** Used for error messages. */
  readonly sceneFile?: string;
  readonly limits?: Partial<CollectorLimits>;
  /**
   * An absolute path that does not exist is also looked for under each root
   * with its leading folders dropped one by one (`D:/old/proj/sourceimages/a.png`
   * → `<root>/proj/sourceimages/a.png`, `<root>/sourceimages/a.png`, …), as Maya
   * finds files of a project that moved to another disk or machine.
   */
  readonly findMovedFiles?: boolean;
}

/** Longest path text the collector hands to the file system. */
const MAX_PATH_TEXT = 4096;

/**
 * Resolves every external path a reader finds, once: the same (owner, path)
 * pair added twice yields the first resolution, and identical file patterns
 * share one directory scan. Resolution is synchronous and bounded so a reader
 * can decide on the spot whether to follow a reference it just found.
 */
export class DependencyCollector {
  readonly #roots: readonly string[];
  readonly #variables: Readonly<Record<string, string>>;
  readonly #isBuiltin: (path: string) => boolean;
  readonly #limits: CollectorLimits;
  readonly #sceneFile: string | undefined;
  readonly #findMovedFiles: boolean;
  readonly #byRef = new Map<string, ResolvedDependency>();
  readonly #byPattern = new Map<string, { files: string[]; truncated: boolean }>();

  constructor(options: DependencyCollectorOptions) {
    this.#roots = options.roots.map((r) => resolve(r));
    this.#variables = options.variables ?? {};
    this.#isBuiltin = options.isBuiltin ?? (() => false);
    this.#limits = { ...DEFAULT_COLLECTOR_LIMITS, ...options.limits };
    this.#sceneFile = options.sceneFile;
    this.#findMovedFiles = options.findMovedFiles === true;
  }

  /** The folders a relative path is tried against when a reference gives none. */
  get roots(): readonly string[] {
    return this.#roots;
  }

  /** Resolve and record one reference; undefined for an empty path. */
  add(ref: DependencyRef): ResolvedDependency | undefined {
    const raw = ref.path.trim();
    if (raw === '') return undefined;
    const key = `${ref.owner}\u0000${raw}\u0000${ref.sequence ?? ''}\u0000${ref.roots?.join('\u0000') ?? ''}`;
    const known = this.#byRef.get(key);
    if (known !== undefined) return known;
    if (this.#byRef.size >= this.#limits.maxReferences) {
      throw new AnalyzeError(
        'LIMIT_EXCEEDED',
        `more than ${this.#limits.maxReferences} external file references`,
        this.#sceneFile,
      );
    }
    const resolved = this.#resolve({ ...ref, path: raw });
    this.#byRef.set(key, resolved);
    return resolved;
  }

  /** Every reference recorded, in the order found. */
  all(): ResolvedDependency[] {
    return [...this.#byRef.values()];
  }

  /** References that resolved to nothing on disk. */
  missing(): ResolvedDependency[] {
    return this.all().filter((d) => d.status === 'missing');
  }

  /** Unique existing files to upload, in the order found. */
  files(): string[] {
    const seen = new Set<string>();
    for (const d of this.#byRef.values()) for (const f of d.files) seen.add(f);
    return [...seen];
  }

  #resolve(ref: DependencyRef): ResolvedDependency {
    // No file system takes a path this long; do no text work on it either.
    if (ref.path.length > MAX_PATH_TEXT) {
      return {
        ...ref,
        status: 'missing',
        pattern: ref.path,
        resolved: ref.path,
        files: [],
        truncated: false,
      };
    }
    const variables =
      ref.variables === undefined ? this.#variables : { ...this.#variables, ...ref.variables };
    const expanded = expandVariables(ref.path, variables);
    const hinted = ref.sequence === undefined ? expanded : applySequenceHint(expanded, ref.sequence);
    const pattern = normalizeSeparators(hinted);
    const base = { ...ref, pattern };
    if (this.#isBuiltin(ref.path) || this.#isBuiltin(pattern)) {
      return { ...base, status: 'builtin', resolved: pattern, files: [], truncated: false };
    }
    const roots = ref.roots === undefined ? this.#roots : ref.roots.map((r) => resolve(r));
    const candidates = this.#candidates(pattern, roots);
    const tried =
      this.#findMovedFiles && isAbsoluteAnyOs(pattern)
        ? [...candidates, ...movedCandidates(pattern, roots)]
        : candidates;
    for (const candidate of tried) {
      const hit = this.#lookup(candidate);
      if (hit.files.length > 0) {
        return { ...base, status: 'found', resolved: candidate, files: hit.files, truncated: hit.truncated };
      }
    }
    return { ...base, status: 'missing', resolved: candidates[0] ?? pattern, files: [], truncated: false };
  }

  /** Absolute local paths worth trying, most likely first. */
  #candidates(pattern: string, roots: readonly string[]): string[] {
    if (pattern.length > MAX_PATH_TEXT || pattern.includes('\u0000')) return [];
    if (isAbsoluteAnyOs(pattern)) {
      if (!isLocallyAddressable(pattern)) return [pattern];
      return [isDrivePath(pattern) ? pattern : resolve(pattern)];
    }
    // A relative path with an unexpanded variable cannot be located.
    if (/\$\{?[A-Za-z_]/.test(pattern.replace(/\$\{?(?:FF|SF|F)\d*\}?(?![A-Za-z_])/g, ''))) return [pattern];
    return [...new Set(roots.map((root) => join(root, pattern)))];
  }

  #lookup(candidate: string): { files: string[]; truncated: boolean } {
    let hit = this.#byPattern.get(candidate);
    if (hit === undefined) {
      hit = this.#scan(candidate);
      this.#byPattern.set(candidate, hit);
    }
    return hit;
  }

  #scan(candidate: string): { files: string[]; truncated: boolean } {
    if (!isAbsolute(candidate) || !isLocallyAddressable(candidate)) return { files: [], truncated: false };
    const slash = candidate.replace(/\\/g, '/').lastIndexOf('/');
    const dir = candidate.slice(0, slash + 1);
    const name = candidate.slice(slash + 1);
    const regex = fileNamePattern(name);
    if (regex === undefined) return { files: isExisting(candidate) ? [candidate] : [], truncated: false };
    if (fileNamePattern(dir) !== undefined) return { files: [], truncated: false };
    return this.#expand(dir, regex);
  }

  /** List `dir` once (bounded) and keep the entries the sequence pattern matches. */
  #expand(dir: string, regex: RegExp): { files: string[]; truncated: boolean } {
    const files: string[] = [];
    let truncated = false;
    let handle: ReturnType<typeof opendirSync>;
    try {
      handle = opendirSync(dir);
    } catch {
      return { files, truncated };
    }
    try {
      for (let n = 0; n < this.#limits.maxDirEntries; n++) {
        const entry = handle.readSync();
        if (entry === null) break;
        if (!regex.test(entry.name) || entry.isDirectory()) continue;
        if (files.length >= this.#limits.maxFilesPerPattern) {
          truncated = true;
          break;
        }
        files.push(join(dir, entry.name));
      }
    } catch {
      // An unreadable folder has no members we can upload.
    } finally {
      handle.closeSync();
    }
    files.sort();
    return { files, truncated };
  }
}

/** Folders dropped from the front of a moved absolute path, at most. */
const MAX_MOVED_DEPTH = 8;

/** `<root>/<tail>` for every tail of an absolute path (shortest drop first), for each root. */
function movedCandidates(pattern: string, roots: readonly string[]): string[] {
  if (pattern.length > MAX_PATH_TEXT) return [];
  const segments = pattern
    .replace(/^[A-Za-z]:/, '')
    .split('/')
    .filter((s) => s !== '' && s !== '.' && s !== '..');
  const out: string[] = [];
  for (let drop = 1; drop < segments.length && drop <= MAX_MOVED_DEPTH; drop++) {
    const tail = segments.slice(drop).join('/');
    for (const root of roots) out.push(join(root, tail));
  }
  return out;
}

function isExisting(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}
