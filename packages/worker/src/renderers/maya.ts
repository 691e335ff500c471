/**
 * Maya's batch renderer, `Render`:
 *   Render -r RENDERER -s START -e END -b STEP -rd OUTPUT_DIR [-proj PROJECT]
 *          [-rl LAYER] [-cam CAMERA] -x W -y H SCENE
 * The renderer, camera and resolution come from the layer's `common` block of
 * `scene_info_render` (keyed by render layer). This adapter builds the command
 * line and runs it where Maya is installed; this repository's tests only check
 * the command line, because Maya is not available to them.
 */
import { join } from 'node:path';
import type { RendererAdapter } from './adapter.js';
import { findExecutable, installDirs, versionFromPath } from './find-executable.js';
import { createPercentParser } from './percent-output.js';
import { asRecord, sceneInfo, str } from './scene-info.js';

/** `-r` names of Maya's renderers by the value analyzers write in `common.renderer`. */
const RENDERERS: Readonly<Record<string, string>> = {
  arnold: 'arnold',
  mayasoftware: 'sw',
  mayahardware2: 'hw2',
  vray: 'vray',
  renderman: 'renderman',
  redshift: 'redshift',
};

export const mayaAdapter: RendererAdapter = {
  cgName: 'Maya',

  async detect(env = process.env) {
    const dirs = [
      ...(env.MAYA_LOCATION ? [join(env.MAYA_LOCATION, 'bin')] : []),
      ...installDirs('/usr/autodesk', /^maya\d{4}/, 'bin'),
    ];
    const executable = findExecutable('Render', dirs, env);
    if (executable === undefined) return undefined;
    // Maya installs into a folder named after its version (maya2024); that is
    // the `cg_version` task.json carries.
    const version = versionFromPath(executable, /maya(\d{4})/) ?? env.MAYA_VERSION;
    return version === undefined ? undefined : { cgName: 'Maya', version, executable };
  },

  async prepare(job, installed) {
    const layers = sceneInfo(job);
    const layerName = job.layer ?? 'defaultRenderLayer';
    const common = asRecord(asRecord(layers[layerName])?.common) ?? {};
    const renderer = str(common.renderer);
    const camera = Array.isArray(common.render_camera) ? str(common.render_camera[0]) : undefined;
    const args: string[] = [];
    if (renderer !== undefined) args.push('-r', RENDERERS[renderer.toLowerCase()] ?? renderer);
    args.push('-s', String(job.frames.start), '-e', String(job.frames.end), '-b', String(job.frames.step));
    args.push('-rd', job.outputDir);
    const project = str(job.task.task_info.input_project_path);
    if (project !== undefined) args.push('-proj', project);
    if (job.layer !== undefined) args.push('-rl', job.layer);
    if (camera !== undefined) args.push('-cam', camera);
    const w = str(common.width);
    const h = str(common.height);
    if (w !== undefined && h !== undefined) args.push('-x', w, '-y', h);
    args.push(job.scenePath);
    return { executable: installed.executable, args, cwd: job.workDir };
  },

  createParser: createPercentParser,
};
