/**
 * What the adapter tests share: run an analyzer on a real scene, take the
 * task.json it writes, stage the scene (and the files its absolute paths name,
 * as the artist's upload would have put them on the farm) at their server
 * paths under a staging root exactly as a node does (localToServerPath, then
 * serverPathToLocal), and build the RenderJob the node hands its adapter.
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { SceneAnalyzer } from '@openfarm/analyzers';
import { localToServerPath, serverPathToLocal } from '@openfarm/protocol';
import type { RenderJob, TaskJson } from '../src/renderers/adapter.js';

/** Scenes saved by the DCCs themselves, beside the repository (see its SOURCES.md). */
export const CORPUS = fileURLToPath(new URL('../../../../shared/corpus', import.meta.url));
export const corpusSkip = existsSync(CORPUS) ? false : 'shared corpus not present (../shared/corpus)';
export const FIXTURES = fileURLToPath(new URL('../../analyzers/test/fixtures', import.meta.url));

export interface Analyzed {
  readonly task: TaskJson;
  readonly scene: string;
  /** Absolute paths the analyzer reported as missing on this machine (tips.json), i.e. the artist's own paths. */
  readonly foreignPaths: readonly string[];
}

type AnalyzerClass = new (opts: { cgFile: string; workspace: string }) => SceneAnalyzer<unknown>;

export async function analyze(Analyzer: AnalyzerClass, scene: string, workspace: string): Promise<Analyzed> {
  mkdirSync(workspace, { recursive: true });
  const analyzer = await new Analyzer({ cgFile: scene, workspace }).analyse();
  const task = analyzer.taskInfo as unknown as TaskJson;
  // tips.json lines read "owner.attr[, owner.attr]: PATH"; only absolute paths of another OS matter here.
  const foreignPaths = Object.values(analyzer.tipsInfo ?? {})
    .flat()
    .map((line) => String(line).slice(String(line).indexOf(': ') + 2))
    .filter((p) => /^(?:[A-Za-z]:[\\/]|\/\/|\\\\|\/Users\/|\/Volumes\/)/.test(p));
  return { task, scene, foreignPaths };
}

const firstSegment = (p: string): string => p.split('/').filter(Boolean)[0] ?? '';

/**
 * Where a test node keeps its folders: the system temp folder, unless the
 * corpus itself sits under that folder's top-level root (a checkout in /tmp).
 * The adapters deliberately leave out a map for the root the staging tree
 * lives in (a scene's `/tmp/…` is not remapped on a node staging under /tmp),
 * so a node whose staging root shared its first folder with the scenes would
 * test a case a real node does not meet. /var/tmp is the other place every
 * POSIX system keeps for temporary files.
 */
function nodeTempBase(): string {
  const base = tmpdir();
  return firstSegment(base) === firstSegment(CORPUS) ? '/var/tmp' : base;
}

/** The node folders made for this test file, removed once its tests end. */
const made: string[] = [];
after(() => {
  for (const d of made) removeDirs(d);
});

/** A fresh node-side folder (staging root, output and work folders), removed after the file's tests. */
export function nodeDirs(prefix: string): {
  root: string;
  stagingRoot: string;
  outputDir: string;
  workDir: string;
} {
  const root = mkdtempSync(join(nodeTempBase(), `openfarm-${prefix}-`));
  made.push(root);
  const dirs = {
    root,
    stagingRoot: join(root, 'stage'),
    outputDir: join(root, 'out'),
    workDir: join(root, 'work'),
  };
  for (const d of [dirs.stagingRoot, dirs.outputDir, dirs.workDir]) mkdirSync(d, { recursive: true });
  return dirs;
}

function removeDirs(root: string): void {
  rmSync(root, { recursive: true, force: true });
}

/** Where a path of the artist's machine is staged on the node. */
export function stagedAt(path: string, stagingRoot: string): string {
  return serverPathToLocal(localToServerPath(path), stagingRoot);
}

/**
 * Stage the scene at its server path and a stand-in for each foreign path (the
 * bytes do not matter to a command line; the place does), then the job a node
 * builds for `frames`.
 */
export function stageJob(
  analyzed: Analyzed,
  dirs: { stagingRoot: string; outputDir: string; workDir: string },
  frames: RenderJob['frames'],
  layer?: string,
): RenderJob {
  const cgFile = analyzed.task.task_info.input_cg_file ?? '';
  const scenePath = stagedAt(cgFile, dirs.stagingRoot);
  mkdirSync(dirname(scenePath), { recursive: true });
  copyFileSync(analyzed.scene, scenePath);
  for (const p of analyzed.foreignPaths) {
    const staged = stagedAt(p, dirs.stagingRoot);
    mkdirSync(dirname(staged), { recursive: true });
    writeFileSync(staged, 'staged input');
  }
  return {
    task: analyzed.task,
    scenePath,
    stagingRoot: dirs.stagingRoot,
    frames,
    outputDir: dirs.outputDir,
    workDir: dirs.workDir,
    threads: 2,
    ...(layer === undefined ? {} : { layer }),
  };
}

/** A path rewritten by directory maps with the rule the DCCs document: longest matching prefix. */
export function mapLikeTheDcc(path: string, maps: ReadonlyArray<readonly [string, string]>): string {
  const p = path.replace(/\\/g, '/');
  const hit = [...maps].filter(([from]) => p.startsWith(from)).sort((a, b) => b[0].length - a[0].length)[0];
  return hit === undefined ? p : hit[1] + p.slice(hit[0].length);
}
