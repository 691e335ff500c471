/**
 * Katana batch rendering:
 *   katana --batch --katana-file=SCENE --render-node=NODE -t FRAMES
 * with KATANA_RESOURCES led by a folder whose `Startup/init.py`
 * (katana-startup.ts) remaps the project's paths to the staged tree and sends
 * every RenderOutputDefine output into the node's output folder. FRAMES uses
 * only the forms Katana's batch-mode documentation lists: a range `1-5`, or a
 * comma list `1,3,5` for a step. The render node is the child task's unit
 * (`layer`) or the first renderable entry of `scene_info.rendernodes`. Katana is
 * not available to this repository's tests: they check the command line and
 * the script against Foundry's documentation.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { canonicalVersion } from '@openfarm/protocol';
import { WorkerError } from '../errors.js';
import { framesOf, type RendererAdapter, type RenderJob } from './adapter.js';
import { findExecutable, installDirs, versionFromPath } from './find-executable.js';
import { katanaStartupScript } from './katana-startup.js';
import { stagedPathMaps } from './path-map.js';
import { createPercentParser } from './percent-output.js';
import { asRecord, sceneInfo } from './scene-info.js';

function renderNodeOf(job: RenderJob): string | undefined {
  if (job.layer !== undefined) return job.layer;
  const nodes = asRecord(sceneInfo(job).rendernodes) ?? {};
  return Object.keys(nodes).find((k) => asRecord(nodes[k])?.renderable !== '0');
}

/** `-t` for a range: `START-END` when every frame renders, else the documented comma list. */
export function katanaFrameRange(start: number, end: number, step: number): string {
  if (step <= 1 || start === end) return start === end ? String(start) : `${start}-${end}`;
  return framesOf({ start, end, step }).join(',');
}

export const katanaAdapter: RendererAdapter = {
  cgName: 'Katana',

  async detect(env = process.env) {
    const dirs = [...(env.KATANA_ROOT ? [env.KATANA_ROOT] : []), ...installDirs('/opt', /^katana/i, '')];
    const executable = findExecutable('katana', dirs, env);
    if (executable === undefined) return undefined;
    // Foundry names releases MAJOR.MINORvPATCH (Katana4.0v5); advertised as 4.0.5.
    const release = versionFromPath(executable, /katana[_-]?(\d+\.\d+v\d+)/i);
    return release === undefined
      ? undefined
      : { cgName: 'Katana', version: canonicalVersion(release), executable };
  },

  async prepare(job, installed) {
    const node = renderNodeOf(job);
    if (node === undefined)
      throw new WorkerError('TASK_KEY_ERROR', 'task.json names no renderable Katana render node');
    const { start, end, step } = job.frames;
    const resources = join(job.workDir, 'katana-resources');
    await mkdir(join(resources, 'Startup'), { recursive: true });
    await writeFile(
      join(resources, 'Startup', 'init.py'),
      katanaStartupScript(stagedPathMaps(job.stagingRoot), job.outputDir),
    );
    const own = process.env.KATANA_RESOURCES;
    return {
      executable: installed.executable,
      args: ['--batch', `--katana-file=${job.scenePath}`, `--render-node=${node}`].concat([
        '-t',
        katanaFrameRange(start, end, step),
      ]),
      cwd: job.workDir,
      env: {
        ...process.env,
        KATANA_RESOURCES: own ? `${resources}${delimiter}${own}` : resources,
        KATANA_TMPDIR: join(job.workDir, 'katana-tmp'),
      },
    };
  },

  createParser: createPercentParser,
};
