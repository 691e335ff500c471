/**
 * Katana batch rendering:
 *   katana --batch --katana-file=SCENE --render-node=NODE -t START-END
 * The render node is the child task's unit (`layer`) or the first renderable
 * entry of `scene_info.rendernodes`; outputs go where the node's AOV paths say,
 * with the staged tree making those paths valid. Where Katana is installed the
 * command runs; this repository's tests only check the command line.
 */
import { join } from 'node:path';
import { WorkerError } from '../errors.js';
import type { RendererAdapter, RenderJob } from './adapter.js';
import { findExecutable, installDirs, versionFromPath } from './find-executable.js';
import { createPercentParser } from './percent-output.js';
import { asRecord, sceneInfo } from './scene-info.js';

function renderNodeOf(job: RenderJob): string | undefined {
  if (job.layer !== undefined) return job.layer;
  const nodes = asRecord(sceneInfo(job).rendernodes) ?? {};
  return Object.keys(nodes).find((k) => asRecord(nodes[k])?.renderable !== '0');
}

export const katanaAdapter: RendererAdapter = {
  cgName: 'Katana',

  async detect(env = process.env) {
    const dirs = [...(env.KATANA_ROOT ? [env.KATANA_ROOT] : []), ...installDirs('/opt', /^katana/i, '')];
    const executable = findExecutable('katana', dirs, env);
    if (executable === undefined) return undefined;
    const version = versionFromPath(executable, /katana[_-]?(\d+\.\d+v\d+)/i);
    return version === undefined ? undefined : { cgName: 'Katana', version, executable };
  },

  async prepare(job, installed) {
    const node = renderNodeOf(job);
    if (node === undefined)
      throw new WorkerError('TASK_KEY_ERROR', 'task.json names no renderable Katana render node');
    const { start, end, step } = job.frames;
    const range = step === 1 ? `${start}-${end}` : `${start}-${end}x${step}`;
    return {
      executable: installed.executable,
      args: ['--batch', `--katana-file=${job.scenePath}`, `--render-node=${node}`, '-t', range],
      cwd: job.workDir,
      env: { ...process.env, KATANA_TMPDIR: join(job.workDir, 'katana-tmp') },
    };
  },

  createParser: createPercentParser,
};
