/**
 * Arnold's path remapping, for the absolute paths Arnold opens itself while
 * rendering: those inside an Alembic archive read by Arnold's alembic
 * procedural or through MtoA/HtoA, which neither Maya's `dirmap` nor
 * `HOUDINI_PATHMAP` sees and the node cannot rewrite (binary). Arnold's API
 * reference says every file path it resolves (`AiResolveFilePath`) goes
 * through its path remapping; the map is a JSON file named by
 * `ARNOLD_PATHMAP`, keyed by the OS Arnold runs on (`linux`, `mac`,
 * `windows`), each an object of source prefix → target prefix. The node fills
 * it with the same roots the DCC maps get (stagedPathMaps). Arnold cannot run
 * here: the file is checked against that documented form.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderJob } from './adapter.js';
import { stagedPathMaps } from './path-map.js';
import { stagesFileEndingIn, taskUsesRenderer } from './staged-inputs.js';

export const ARNOLD_PATHMAP_FILE = 'openfarm_arnold_pathmap.json';

/** The key of Arnold's path map for the OS this node runs. */
export function arnoldPlatformKey(platform: NodeJS.Platform = process.platform): 'linux' | 'mac' | 'windows' {
  return platform === 'darwin' ? 'mac' : platform === 'win32' ? 'windows' : 'linux';
}

/** Whether Arnold renders `job` (a layer's renderer, an Arnold plugin) or may read a staged Alembic archive. */
export async function arnoldReadsJob(job: RenderJob): Promise<boolean> {
  return (
    taskUsesRenderer(job, 'arnold', /^(?:mtoa|htoa|arnold)/i) ||
    (await stagesFileEndingIn(job.stagingRoot, ['.abc']))
  );
}

type PathMapJson = Record<string, Record<string, string>>;

function asPathMapJson(v: unknown): PathMapJson {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return {};
  const out: PathMapJson = {};
  for (const [os, map] of Object.entries(v)) {
    if (typeof map !== 'object' || map === null || Array.isArray(map)) continue;
    out[os] = Object.fromEntries(Object.entries(map).filter(([, to]) => typeof to === 'string')) as Record<
      string,
      string
    >;
  }
  return out;
}

/**
 * Writes the map under the job's work folder and returns the environment to
 * add, or `{}` when Arnold is not involved or no root is staged. A map the
 * node's own environment names is kept: its entries for other OSes as they
 * are, for this OS extended by ours (a source we map is ours), as
 * HOUDINI_PATHMAP is.
 */
export async function arnoldPathmapEnv(
  job: RenderJob,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ ARNOLD_PATHMAP?: string }> {
  if (!(await arnoldReadsJob(job))) return {};
  const maps = stagedPathMaps(job.stagingRoot);
  if (maps.length === 0) return {};
  let own: PathMapJson = {};
  const ownFile = env.ARNOLD_PATHMAP;
  if (ownFile !== undefined && ownFile !== '') {
    try {
      own = asPathMapJson(JSON.parse(await readFile(ownFile, 'utf8')));
    } catch {
      // An unreadable node map is Arnold's to report; ours still applies.
    }
  }
  const key = arnoldPlatformKey();
  const ours: Record<string, string> = { ...own[key] };
  for (const m of maps) ours[m.from] = m.to;
  const file = join(job.workDir, ARNOLD_PATHMAP_FILE);
  await writeFile(file, `${JSON.stringify({ ...own, [key]: ours }, null, 2)}\n`);
  return { ARNOLD_PATHMAP: file };
}
