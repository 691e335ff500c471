/**
 * Running one render: build the adapter's command, supervise it, feed its lines
 * to the adapter's parser, and report what it wrote. Outputs are reported as the
 * renderer announces them (so they can be uploaded while later frames render)
 * and, after exit, every file in the output folder the renderer did not announce
 * (DCCs that print nothing machine-readable still get their images collected).
 */
import { mkdir, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runSupervised, type SupervisedExit } from '../process/supervise.js';
import type { InstalledRenderer, RenderEvent, RendererAdapter, RenderJob } from './adapter.js';

export interface RenderRunOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  readonly graceMs?: number;
  /** Every line the renderer prints (for the frame's log). */
  readonly onLine?: (line: string) => void;
  /** Parsed events; `output` ones fire once per file. */
  readonly onEvent?: (event: RenderEvent) => void;
  readonly onSpawn?: (pid: number) => void;
}

export interface RenderResult {
  readonly exit: SupervisedExit;
  /**
   * Exit code 0 and not stopped. Error lines alone do not fail a render: Blender
   * prints some harmless ones at exit (`Error: Not freed memory blocks`).
   */
  readonly ok: boolean;
  /** Absolute paths of the files written, announced ones first. */
  readonly outputs: readonly string[];
  readonly errors: readonly string[];
}

/** Every file under `dir`, at any depth (a renderer may write into subfolders). */
export async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

export async function runRender(
  adapter: RendererAdapter,
  installed: InstalledRenderer,
  job: RenderJob,
  opts: RenderRunOptions = {},
): Promise<RenderResult> {
  await mkdir(job.outputDir, { recursive: true });
  await mkdir(job.workDir, { recursive: true });
  const command = await adapter.prepare(job, installed);
  const parse = adapter.createParser();
  const outputs = new Set<string>();
  const errors: string[] = [];
  const emit = (e: RenderEvent): void => {
    if (e.kind === 'output') {
      const p = resolve(job.workDir, e.path);
      if (outputs.has(p)) return;
      outputs.add(p);
      opts.onEvent?.({ kind: 'output', path: p });
      return;
    }
    if (e.kind === 'error') errors.push(e.message);
    opts.onEvent?.(e);
  };
  const exit = await runSupervised(command, {
    signal: opts.signal,
    timeoutMs: opts.timeoutMs,
    graceMs: opts.graceMs,
    onSpawn: opts.onSpawn,
    // A render must not outlive this node: killed with -9, its renderer would go on for nothing.
    dieWithParent: true,
    onLine: (line) => {
      opts.onLine?.(line);
      for (const e of parse(line)) emit(e);
    },
  });
  for (const f of (await listFiles(job.outputDir)).sort()) emit({ kind: 'output', path: f });
  const ok = exit.code === 0 && exit.stoppedBy === undefined;
  return { exit, ok, outputs: [...outputs], errors };
}
