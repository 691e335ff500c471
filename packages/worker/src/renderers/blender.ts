/**
 * Blender, run for real:
 *   blender -b --factory-startup SCENE [-S SCENE_NAME] --python-exit-code 3 --python STARTUP.py
 *           -o OUTPUT_DIR/PREFIX#### [-F FORMAT] -x 1 -t THREADS -s START -e END -j STEP -a
 * `--factory-startup` keeps the node's own preferences and add-ons out of the
 * render; the startup snippet (blender-startup.ts) remaps paths to the staged
 * inputs and turns denoising off when the build lacks OpenImageDenoise. Render
 * options are order-sensitive in Blender: the scene and `-S` come first, `-a` last.
 */
import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { captureOutput, type SupervisedCommand } from '../process/supervise.js';
import type { InstalledRenderer, RendererAdapter, RenderJob } from './adapter.js';
import { createBlenderParser } from './blender-output.js';
import { blenderStartupScript } from './blender-startup.js';
import { BLENDER_WARM_SERVER } from './blender-warm-server.js';
import { findExecutable, installDirs } from './find-executable.js';

/** Output formats Blender's `-F` accepts, keyed by the names task.json uses (`Render_Format`). */
const FORMATS: Readonly<Record<string, string>> = {
  png: 'PNG',
  jpeg: 'JPEG',
  jpg: 'JPEG',
  open_exr: 'OPEN_EXR',
  exr: 'OPEN_EXR',
  open_exr_multilayer: 'OPEN_EXR_MULTILAYER',
  multilayer: 'OPEN_EXR_MULTILAYER',
  tiff: 'TIFF',
  tif: 'TIFF',
  bmp: 'BMP',
  targa: 'TGA',
  tga: 'TGA',
};

const PROBE =
  'import bpy, json\ntry:\n import _cycles; oidn = bool(_cycles.with_openimagedenoise)\nexcept Exception:\n oidn = False\nprint("OPENFARM_BLENDER " + json.dumps({"version": bpy.app.version_string, "oidn": oidn}))';

function requestedFormat(job: RenderJob): string | undefined {
  const common = (job.task.scene_info_render ?? job.task.scene_info)?.common as
    | Readonly<Record<string, unknown>>
    | undefined;
  const f = common?.Render_Format;
  return typeof f === 'string' ? FORMATS[f.trim().toLowerCase()] : undefined;
}

/**
 * Output file prefix: the scene file's stem. The Blender scene is not part of
 * it: each scene of a multi-scene file is its own child task with its own
 * output folder (`<taskId>_<sceneName>`), so names cannot collide.
 */
export function blenderOutputPrefix(scenePath: string): string {
  return `${basename(scenePath, extname(scenePath))}_`;
}

/** Blender's `-o` pattern: the output folder, the prefix, one `#` per frame-number digit. */
function outputPattern(job: RenderJob): string {
  return join(job.outputDir, `${blenderOutputPrefix(job.scenePath)}####`);
}

export const blenderAdapter: RendererAdapter = {
  cgName: 'Blender',

  async detect(env = process.env) {
    const executable =
      (env.OPENFARM_BLENDER && env.OPENFARM_BLENDER !== '' ? env.OPENFARM_BLENDER : undefined) ??
      findExecutable('blender', installDirs('/opt', /^blender/i, ''), env);
    if (executable === undefined) return undefined;
    // One start of Blender answers both questions: its version and whether
    // Cycles was built with OpenImageDenoise (Debian's 3.4 is not).
    const { exit, stdout } = await captureOutput({
      executable,
      args: ['-b', '--factory-startup', '--python-exit-code', '3', '--python-expr', PROBE],
      env,
    }).catch(() => ({ exit: undefined, stdout: '' }));
    const line = stdout.split('\n').find((l) => l.startsWith('OPENFARM_BLENDER '));
    if (exit?.code !== 0 || line === undefined) return undefined;
    const probe = JSON.parse(line.slice('OPENFARM_BLENDER '.length)) as { version: string; oidn: boolean };
    return {
      cgName: 'Blender',
      version: probe.version,
      executable,
      features: { openimagedenoise: probe.oidn },
    };
  },

  async prepare(job: RenderJob, installed: InstalledRenderer): Promise<SupervisedCommand> {
    const command = await sceneCommand(job, installed);
    const args = [...command.args];
    const { start, end, step } = job.frames;
    if (start === end) args.push('-f', String(start));
    else args.push('-s', String(start), '-e', String(end), '-j', String(step), '-a');
    return { ...command, args };
  },

  async prepareWarm(job: RenderJob, installed: InstalledRenderer): Promise<SupervisedCommand> {
    const command = await sceneCommand(job, installed);
    const server = join(job.workDir, 'openfarm_warm_server.py');
    await writeFile(server, BLENDER_WARM_SERVER);
    return { ...command, args: [...command.args, '--python', server] };
  },

  warmOutput: outputPattern,

  createParser: createBlenderParser,
};

/**
 * Everything of the command line but the frames: the scene, the startup snippet and the
 * output settings. A warm session starts with exactly this, so its frames are set up as cold ones.
 */
async function sceneCommand(job: RenderJob, installed: InstalledRenderer): Promise<SupervisedCommand> {
  const startup = join(job.workDir, 'openfarm_startup.py');
  await writeFile(
    startup,
    blenderStartupScript({
      stagingRoot: job.stagingRoot,
      disableDenoising: installed.features?.openimagedenoise !== true,
    }),
  );
  const format = requestedFormat(job);
  const args = ['-b', '--factory-startup', job.scenePath];
  if (job.layer !== undefined) args.push('-S', job.layer);
  args.push('--python-exit-code', '3', '--python', startup);
  args.push('-o', outputPattern(job));
  if (format !== undefined) args.push('-F', format);
  args.push('-x', '1', '-t', String(job.threads));
  return { executable: installed.executable, args, cwd: job.workDir };
}
