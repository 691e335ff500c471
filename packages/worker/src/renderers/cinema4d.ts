/**
 * Cinema 4D's command-line renderer:
 *   Commandline -nogui -render SCENE -frame START END STEP -oimage OUTPUT_DIR/PREFIX
 *               [-take TAKE] -threads N
 * The take is the child task's unit (`layer`). Where Cinema 4D is installed the
 * command runs; this repository's tests only check the command line.
 */
import { basename, extname, join } from 'node:path';
import type { RendererAdapter } from './adapter.js';
import { findExecutable, installDirs, versionFromPath } from './find-executable.js';
import { createPercentParser } from './percent-output.js';

export const cinema4dAdapter: RendererAdapter = {
  cgName: 'CINEMA 4D',

  async detect(env = process.env) {
    const dirs = [
      ...(env.C4D_ROOT ? [join(env.C4D_ROOT, 'bin'), env.C4D_ROOT] : []),
      ...installDirs('/opt/maxon', /^cinema4d/i, 'bin'),
    ];
    const executable = findExecutable('Commandline', dirs, env);
    if (executable === undefined) return undefined;
    // Maxon names its folders after the release: cinema4d2024.1.0 → "2024", cinema4dR23 → "R23".
    const version = versionFromPath(executable, /cinema4d[_-]?(R\d+|\d{4})/i);
    return version === undefined ? undefined : { cgName: 'CINEMA 4D', version, executable };
  },

  async prepare(job, installed) {
    const { start, end, step } = job.frames;
    const prefix = basename(job.scenePath, extname(job.scenePath));
    const args = ['-nogui', '-render', job.scenePath]
      .concat(['-frame', String(start), String(end), String(step)])
      .concat(['-oimage', join(job.outputDir, prefix)]);
    if (job.layer !== undefined) args.push('-take', job.layer);
    args.push('-threads', String(job.threads));
    return { executable: installed.executable, args, cwd: job.workDir };
  },

  createParser: createPercentParser,
};
