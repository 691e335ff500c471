/**
 * Houdini: a ROP render through `hython`, or `husk` for a USD stage.
 *   hython RENDER_ROP.py SCENE ROP START END STEP OUTPUT_DIR
 *   husk --frame START --frame-count N --frame-inc STEP -o OUTPUT_DIR/PREFIX.$F4.exr SCENE.usd
 * The ROP is the child task's unit (`layer`) or the first `rop_node` of
 * `scene_info_render` marked `render: "1"`. Where Houdini is installed the
 * command runs; this repository's tests only check the command lines.
 */
import { writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { WorkerError } from '../errors.js';
import { captureOutput } from '../process/supervise.js';
import type { InstalledRenderer, RendererAdapter, RenderJob } from './adapter.js';
import { arnoldPathmapEnv } from './arnold-path-map.js';
import { findExecutable, installDirs } from './find-executable.js';
import { stagedPathMaps } from './path-map.js';
import { createPercentParser } from './percent-output.js';
import { redshiftPathOverrideEnv } from './redshift-path-override.js';
import { asRecords, sceneInfo, str } from './scene-info.js';

const USD = new Set(['.usd', '.usda', '.usdc', '.usdz']);

/**
 * HOUDINI_PATHMAP: Houdini's documented directory map, a JSON-style object of
 * `"source dir": "destination dir"` that Houdini applies to every file path it
 * opens (the `pathmap` HScript command shows and edits it). A map the node's
 * own environment already sets is kept and extended, never replaced.
 */
export function houdiniPathmapEnv(job: RenderJob): { HOUDINI_PATHMAP?: string } {
  const maps = stagedPathMaps(job.stagingRoot);
  if (maps.length === 0) return {};
  let own: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(process.env.HOUDINI_PATHMAP ?? '{}');
    if (typeof parsed === 'object' && parsed !== null) own = parsed as Record<string, string>;
  } catch {
    // An unreadable node map is Houdini's to report; ours still applies.
  }
  const map: Record<string, string> = { ...own };
  for (const m of maps) map[m.from] = m.to;
  return { HOUDINI_PATHMAP: JSON.stringify(map) };
}

/**
 * Renders one ROP over a frame range, sending its images to the output folder.
 * `$HIP` is set by Houdini to the loaded file's folder, which is already the
 * staged one; file parms with absolute paths go through HOUDINI_PATHMAP; a
 * `$JOB` saved with the scene names a folder of the artist's machine, so it is
 * mapped the same way (hou.putenv, then `varchange` so parms re-evaluate).
 */
const ROP_SCRIPT = String.raw`
import json, os, sys
import hou
scene, rop, start, end, step, out_dir = sys.argv[1:7]
hou.hipFile.load(scene, suppress_save_prompt=True, ignore_load_warnings=True)
maps = sorted(json.loads(os.environ.get("HOUDINI_PATHMAP") or "{}").items(), key=lambda kv: -len(kv[0]))
job = (hou.getenv("JOB") or "").replace("\\", "/")
for src, dst in maps:
    if job.startswith(src):
        hou.putenv("JOB", dst + job[len(src):])
        hou.hscript("varchange JOB")
        print("OPENFARM remap $JOB %r -> %r" % (job, dst + job[len(src):]))
        break
node = hou.node(rop)
if node is None:
    sys.stderr.write("Error: no ROP %s in %s\n" % (rop, scene))
    sys.exit(2)
for parm in ("vm_picture", "picture", "RS_outputFileNamePrefix", "ar_picture", "outputimage"):
    p = node.parm(parm)
    if p is not None:
        p.set(os.path.join(out_dir, os.path.basename(p.unexpandedString()) or (node.name() + ".$F4.exr")))
        break
node.render(frame_range=(float(start), float(end), float(step)), verbose=True, output_progress=True)
`;

function ropOf(job: RenderJob): string | undefined {
  if (job.layer !== undefined) return job.layer;
  const rops = asRecords(sceneInfo(job).rop_node);
  return str(rops.find((r) => r.render === '1')?.node ?? rops[0]?.node);
}

export const houdiniAdapter: RendererAdapter = {
  cgName: 'Houdini',

  async detect(env = process.env) {
    const dirs = [...(env.HFS ? [join(env.HFS, 'bin')] : []), ...installDirs('/opt', /^hfs\d/, 'bin')];
    const executable = findExecutable('hython', dirs, env);
    if (executable === undefined) return undefined;
    const { exit, stdout } = await captureOutput({
      executable,
      args: ['-c', 'import hou; print("OPENFARM_HOUDINI " + hou.applicationVersionString())'],
      env,
    }).catch(() => ({ exit: undefined, stdout: '' }));
    const line = stdout.split('\n').find((l) => l.startsWith('OPENFARM_HOUDINI '));
    if (exit?.code !== 0 || line === undefined) return undefined;
    return { cgName: 'Houdini', version: line.slice('OPENFARM_HOUDINI '.length).trim(), executable };
  },

  async prepare(job: RenderJob, installed: InstalledRenderer) {
    const { start, end, step } = job.frames;
    if (USD.has(extname(job.scenePath).toLowerCase())) {
      const husk = join(installed.executable, '..', 'husk');
      const count = Math.floor((end - start) / step) + 1;
      const out = join(job.outputDir, `${basename(job.scenePath, extname(job.scenePath))}.$F4.exr`);
      return {
        executable: husk,
        args: ['--frame', String(start), '--frame-count', String(count), '--frame-inc', String(step)].concat([
          '--threads',
          String(job.threads),
          '-o',
          out,
          job.scenePath,
        ]),
        cwd: job.workDir,
        env: {
          ...process.env,
          ...houdiniPathmapEnv(job),
          ...(await redshiftPathOverrideEnv(job)),
          ...(await arnoldPathmapEnv(job)),
        },
      };
    }
    const rop = ropOf(job);
    if (rop === undefined)
      throw new WorkerError(
        'TASK_KEY_ERROR',
        'task.json names no ROP to render (scene_info_render.rop_node)',
      );
    const script = join(job.workDir, 'openfarm_render_rop.py');
    await writeFile(script, ROP_SCRIPT);
    return {
      executable: installed.executable,
      args: [script, job.scenePath, rop, String(start), String(end), String(step), job.outputDir],
      cwd: job.workDir,
      env: {
        ...process.env,
        HOUDINI_MAXTHREADS: String(job.threads),
        ...houdiniPathmapEnv(job),
        // HOUDINI_PATHMAP covers what Houdini opens, not what Redshift reads inside its proxies
        // or Arnold inside an Alembic archive.
        ...(await redshiftPathOverrideEnv(job)),
        ...(await arnoldPathmapEnv(job)),
      },
    };
  },

  createParser: createPercentParser,
};
