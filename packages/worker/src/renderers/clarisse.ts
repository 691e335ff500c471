/**
 * Clarisse through CNode, its headless application that reads `.project`
 * files itself (CRender only reads render archives exported from Clarisse, so
 * it cannot render what artists upload):
 *   cnode PROJECT -script REMAP.py -image LAYER -frames_list START:END%STEP
 *         -output OUTPUT_DIR/NAME -format FORMAT
 * The unit is an image layer (`layer`, or the first renderable layer of
 * `scene_info_render.image_node`). The remap script (clarisse-remap.ts) points
 * file attributes at the staged tree. Clarisse is not available to this
 * repository's tests: they check the command line and the script against
 * Isotropix's CNode documentation.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { canonicalVersion } from '@openfarm/protocol';
import { WorkerError } from '../errors.js';
import type { RendererAdapter, RenderJob } from './adapter.js';
import { clarisseRemapScript } from './clarisse-remap.js';
import { findExecutable, installDirs, versionFromPath } from './find-executable.js';
import { stagedPathMaps } from './path-map.js';
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

/** CNode's documented frame list: `start[:end][%step]`. */
export function clarisseFramesList(start: number, end: number, step: number): string {
  return `${start}:${end}%${step}`;
}

export const clarisseAdapter: RendererAdapter = {
  cgName: 'Clarisse',

  async detect(env = process.env) {
    const dirs = [
      ...(env.CLARISSE_HOME ? [env.CLARISSE_HOME] : []),
      ...installDirs('/opt', /^(isotropix|clarisse)/i, 'bin'),
    ];
    const executable = findExecutable('cnode', dirs, env);
    if (executable === undefined) return undefined;
    // Clarisse installs into a folder named after the release (clarisse_ifx_4.0_sp3); the node
    // advertises it as 4.0.3 so a project the analyzer read as Clarisse `4` matches it.
    const release = versionFromPath(executable, /(clarisse[\w.]*_\d[\w.]*)/i);
    return release === undefined
      ? undefined
      : { cgName: 'Clarisse', version: canonicalVersion(release), executable };
  },

  async prepare(job, installed) {
    const layer = layerOf(job);
    if (layer === undefined)
      throw new WorkerError('TASK_KEY_ERROR', 'task.json names no renderable Clarisse image layer');
    const name = layer.name.split(/[/.]/).pop() ?? 'image';
    const { start, end, step } = job.frames;
    const script = join(job.workDir, 'openfarm_clarisse_remap.py');
    await writeFile(script, clarisseRemapScript(stagedPathMaps(job.stagingRoot)));
    return {
      executable: installed.executable,
      args: [job.scenePath, '-script', script, '-image', layer.name]
        .concat(['-frames_list', clarisseFramesList(start, end, Math.max(1, step))])
        .concat(['-output', join(job.outputDir, name), '-format', layer.format ?? 'exr16']),
      cwd: job.workDir,
    };
  },

  createParser: createPercentParser,
};
