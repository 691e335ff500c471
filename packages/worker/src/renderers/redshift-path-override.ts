/**
 * Redshift's path override file, for the absolute paths Redshift itself opens:
 * the textures and other files named inside a Redshift proxy (`.rs`), which
 * the node cannot rewrite (binary, format not public) and which no DCC
 * mechanism (Maya `dirmap`, `HOUDINI_PATHMAP`) sees, since Redshift reads them
 * while rendering. Maxon documents two environment variables for this
 * (Redshift Environment Variables page): `REDSHIFT_PATHOVERRIDE_FILE`, a text
 * file of `"source" "target"` pairs, one per line, and
 * `REDSHIFT_PATHOVERRIDE_STRING`, the same pairs in one value. The node writes
 * the file with the same roots the DCC maps get (stagedPathMaps), so a proxy's
 * `\\fileserver\share\tex\rock.exr` opens the staged copy under that root.
 * Redshift cannot run here: the file is checked against the documentation.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RenderJob } from './adapter.js';
import { type PathMapEntry, stagedPathMaps } from './path-map.js';
import { stagesFileEndingIn, taskUsesRenderer } from './staged-inputs.js';

export const REDSHIFT_OVERRIDE_FILE = 'openfarm_redshift_pathoverride.txt';

/** A `"source" "target"` pair as the documented file holds it. */
const PAIR = /"([^"]*)"\s+"([^"]*)"/g;

/**
 * The pairs for `maps`. Windows roots (`D:/`, `//server/`) are also written
 * with backslashes (`D:\`, `\\server\`): a proxy saved on Windows holds its
 * paths that way, and the documentation does not say whether Redshift
 * compares with the separators unified. A path holding `"` cannot be written
 * in this format and is left out (a staging root never holds one).
 */
export function redshiftOverridePairs(maps: readonly PathMapEntry[]): [string, string][] {
  const out: [string, string][] = [];
  for (const m of maps) {
    if (m.from.includes('"') || m.to.includes('"')) continue;
    out.push([m.from, m.to]);
    if (/^[A-Za-z]:\/$/.test(m.from) || m.from.startsWith('//'))
      out.push([m.from.replace(/\//g, '\\'), m.to]);
  }
  return out;
}

/** The lines of a path override file (or string) in the documented form. */
export function parseRedshiftOverrides(text: string): [string, string][] {
  return [...text.matchAll(PAIR)].map((m) => [m[1] ?? '', m[2] ?? '']);
}

/** Whether Redshift will render `job` or read a proxy it stages: the cases the override file is for. */
export async function redshiftReadsJob(job: RenderJob): Promise<boolean> {
  return (
    taskUsesRenderer(job, 'redshift', /redshift/i) || (await stagesFileEndingIn(job.stagingRoot, ['.rs']))
  );
}

/**
 * Writes the override file under the job's work folder and returns the
 * environment to add, or `{}` when Redshift is not involved or no root is
 * staged. A file the node's own environment names is kept: its pairs follow
 * ours (a source we map is ours), as a farm manager merging path maps does.
 * `REDSHIFT_PATHOVERRIDE_STRING` from the node's environment is left as it is.
 */
export async function redshiftPathOverrideEnv(
  job: RenderJob,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ REDSHIFT_PATHOVERRIDE_FILE?: string }> {
  if (!(await redshiftReadsJob(job))) return {};
  const ours = redshiftOverridePairs(stagedPathMaps(job.stagingRoot));
  if (ours.length === 0) return {};
  let own: [string, string][] = [];
  const ownFile = env.REDSHIFT_PATHOVERRIDE_FILE;
  if (ownFile !== undefined && ownFile !== '') {
    try {
      own = parseRedshiftOverrides(await readFile(ownFile, 'utf8'));
    } catch {
      // An unreadable node file is Redshift's to report when it is set; ours still applies.
    }
  }
  const sources = new Set(ours.map(([from]) => from));
  const pairs = [...ours, ...own.filter(([from]) => !sources.has(from))];
  const file = join(job.workDir, REDSHIFT_OVERRIDE_FILE);
  await writeFile(file, `${pairs.map(([from, to]) => `"${from}" "${to}"`).join('\n')}\n`);
  return { REDSHIFT_PATHOVERRIDE_FILE: file };
}
