/**
 * Maya's batch renderer, `Render`:
 *   Render -r RENDERER -s START -e END -b STEP -rd OUTPUT_DIR [-proj PROJECT]
 *          [-rl LAYER] [-cam CAMERA] [-x W -y H] -preRender "source \"DIRMAP.mel\"" SCENE
 * The renderer, camera and resolution come from the layer's `common` block of
 * `scene_info_render` (keyed by render layer). The project (`-proj`) is the
 * analyzer's `input_project_path` moved into the staged tree, or the staged
 * scene's folder; the scene's absolute paths are mapped by `dirmap` in a
 * pre-render MEL (maya-dirmap.ts), and those Redshift reads from inside its
 * proxies or Arnold from inside Alembic archives by their own path maps
 * (redshift-path-override.ts, arnold-path-map.ts). Maya
 * is not available to this repository's tests: they check the command line
 * and the MEL against Maya's documentation.
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { RendererAdapter } from './adapter.js';
import { arnoldPathmapEnv } from './arnold-path-map.js';
import { findExecutable, installDirs, versionFromPath } from './find-executable.js';
import { dirmapMel, melString } from './maya-dirmap.js';
import { stagedPathMaps, stagedPathOf } from './path-map.js';
import { createPercentParser } from './percent-output.js';
import { redshiftPathOverrideEnv } from './redshift-path-override.js';
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
    // The analyzer's project path is a folder of the artist's machine (D:\\proj, /Users/…); on this
    // node it sits in the staged tree. With none, the scene's own folder keeps relative paths working.
    const project = str(job.task.task_info.input_project_path);
    args.push('-proj', (project && stagedPathOf(project, job.stagingRoot)) ?? dirname(job.scenePath));
    if (job.layer !== undefined) args.push('-rl', job.layer);
    if (camera !== undefined) args.push('-cam', camera);
    const w = str(common.width);
    const h = str(common.height);
    if (w !== undefined && h !== undefined) args.push('-x', w, '-y', h);
    const mel = join(job.workDir, 'openfarm_dirmap.mel');
    await writeFile(mel, dirmapMel(stagedPathMaps(job.stagingRoot)));
    args.push('-preRender', `source ${melString(mel)}`);
    args.push(job.scenePath);
    // dirmap does not reach the paths the renderer reads from inside Redshift proxies and Alembic
    // archives; Redshift's override file and Arnold's path map do.
    const rendererMaps = { ...(await redshiftPathOverrideEnv(job)), ...(await arnoldPathmapEnv(job)) };
    return {
      executable: installed.executable,
      args,
      cwd: job.workDir,
      ...(Object.keys(rendererMaps).length === 0 ? {} : { env: { ...process.env, ...rendererMaps } }),
    };
  },

  createParser: createPercentParser,
};
