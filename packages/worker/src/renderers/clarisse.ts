/**
 * Clarisse's command-line renderer:
 *   crender PROJECT -image LAYER -start_frame START -end_frame END -frame_step STEP
 *           -output OUTPUT_DIR/NAME -format FORMAT -threads N
 * The unit is an image layer (`layer`, or the first renderable layer of
 * `scene_info_render.image_node`). Where Clarisse is installed the command runs;
 * this repository's tests only check the command line.
 */
import { join } from 'node:path';
import { WorkerError } from '../errors.js';
import type { RendererAdapter, RenderJob } from './adapter.js';
import { findExecutable, installDirs, versionFromPath } from './find-executable.js';
import { createPercentParser } from './percent-output.js';
import { asRecords, sceneInfo, str } from './scene-info.js';

function layerOf(job: RenderJob): { name: string; format?: string } | undefined {
  if (job.layer !== undefined) return { name: job.layer };
  for (const image of asRecords(sceneInfo(job).image_node)) {
    const layer = asRecords(image.layers).find((l) => l.renderable === '1');
    const name = str(layer?.name);
    if (layer && name !== undefined) return { name, format: str(layer.format) };
  }
  return undefined;
}

export const clarisseAdapter: RendererAdapter = {
  cgName: 'Clarisse',

  async detect(env = process.env) {
    const dirs = [
      ...(env.CLARISSE_HOME ? [env.CLARISSE_HOME] : []),
      ...installDirs('/opt', /^(isotropix|clarisse)/i, 'bin'),
    ];
    const executable = findExecutable('crender', dirs, env);
    if (executable === undefined) return undefined;
    // Clarisse versions are named after the install folder (clarisse_ifx_4.0_sp3).
    const version = versionFromPath(executable, /(clarisse[\w.]*_\d[\w.]*)/i);
    return version === undefined ? undefined : { cgName: 'Clarisse', version, executable };
  },

  async prepare(job, installed) {
    const layer = layerOf(job);
    if (layer === undefined)
      throw new WorkerError('TASK_KEY_ERROR', 'task.json names no renderable Clarisse image layer');
    const name = layer.name.split(/[/.]/).pop() ?? 'image';
    const { start, end, step } = job.frames;
    return {
      executable: installed.executable,
      args: [job.scenePath, '-image', layer.name]
        .concat(['-start_frame', String(start), '-end_frame', String(end), '-frame_step', String(step)])
        .concat(['-output', join(job.outputDir, name), '-format', layer.format ?? 'exr16'])
        .concat(['-threads', String(job.threads)]),
      cwd: job.workDir,
    };
  },

  createParser: createPercentParser,
};
