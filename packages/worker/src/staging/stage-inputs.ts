/**
 * Staging a frame's inputs: every file the task needs, fetched by hash through
 * the content cache and laid out at its server path under a staging root
 * (`/D/proj/tex/a.png` → `<root>/D/proj/tex/a.png`). The scene then finds its
 * relative references next to it, and the Blender startup snippet maps absolute
 * ones into the same tree; absolute paths inside staged USD layers (text,
 * crate, USDZ) and stand-ins are rewritten to the same tree (remap-nested-paths.ts). Files are
 * hard-linked from the cache (no copy, and a later eviction cannot pull them
 * from under a running render); a cache on another file system falls back to
 * copying. The links are read-only like the
 * cached files, and a renderer that writes into one anyway (as root) spoils
 * only what it and renders using that file at the same moment see: the cache
 * checks every hit and fetches spoiled bytes anew (content-cache.ts).
 */
import { copyFile, link, mkdir, rm } from 'node:fs/promises';
import { dirname, join, normalize } from 'node:path';
import type { ContentCache } from '../cache/content-cache.js';
import { WorkerError } from '../errors.js';
import { remapNestedPaths } from './remap-nested-paths.js';

export interface StagedInput {
  /** Server path, `/`-separated and rooted (`/D/proj/scene.blend`). */
  readonly serverPath: string;
  /** SHA-256 of the content, lowercase hex. */
  readonly sha256: string;
  readonly size: number;
}

/** Download one blob's bytes to `tmpPath`. */
export type BlobFetcher = (input: StagedInput, tmpPath: string) => Promise<void>;

/** Where a server path lives under the staging root; rejects paths escaping it. */
export function stagedPath(stagingRoot: string, serverPath: string): string {
  const parts = serverPath
    .replace(/\\/g, '/')
    .split('/')
    .filter((p) => p !== '' && p !== '.');
  if (parts.length === 0 || parts.includes('..'))
    throw new WorkerError('BAD_SERVER_PATH', `unsafe server path: "${serverPath}"`);
  return normalize(join(stagingRoot, ...parts));
}

async function place(from: string, to: string): Promise<void> {
  await mkdir(dirname(to), { recursive: true });
  await rm(to, { force: true });
  try {
    await link(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
  }
}

/**
 * Stage `inputs` under `stagingRoot`, `concurrency` at a time. Returns the local paths in input
 * order. `log` hears, for the frame log, of absolute paths inside nested files left as written.
 */
export async function stageInputs(
  cache: ContentCache,
  inputs: readonly StagedInput[],
  stagingRoot: string,
  fetchBlob: BlobFetcher,
  concurrency = 4,
  log?: (line: string) => void,
): Promise<string[]> {
  const out: string[] = new Array(inputs.length);
  let next = 0;
  const runOne = async (): Promise<void> => {
    while (next < inputs.length) {
      const i = next++;
      const input = inputs[i]!;
      const target = stagedPath(stagingRoot, input.serverPath);
      const cached = await cache.acquire(input.sha256, (tmp) => fetchBlob(input, tmp));
      try {
        await place(cached, target);
      } finally {
        cache.release(input.sha256);
      }
      out[i] = target;
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, inputs.length) }, runOne));
  // Absolute paths inside staged USD layers and stand-ins name the artist's machine: point them
  // at the staged tree, since no DCC's own path map reaches them (remap-nested-paths.ts).
  await remapNestedPaths(out, stagingRoot, log);
  return out;
}
