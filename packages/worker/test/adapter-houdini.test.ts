/**
 * Houdini's command line and path remapping built from what AnalyzeHoudini
 * writes for real scenes: a Mantra ROP scene, a Solaris (usdrender) ROP
 * scene, and two scenes whose file parms name Windows paths (`D:/…`,
 * `C:/Users/…`). HOUDINI_PATHMAP is checked against Houdini's documented
 * format (a JSON-style object of source → destination directories); the ROP
 * script's own logic ($JOB saved as a UNC or macOS folder, the output parm)
 * runs under Python 3 with a stand-in for `hou`. Houdini itself is not
 * installable here.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { AnalyzeHoudini } from '@openfarm/analyzers';
import { WorkerError } from '../src/errors.js';
import type { InstalledRenderer } from '../src/renderers/adapter.js';
import { houdiniAdapter, houdiniPathmapEnv } from '../src/renderers/houdini.js';
import { pythonSkip, runWithStandIn } from './adapter-stand-in.js';
import {
  analyze,
  CORPUS,
  corpusSkip,
  mapLikeTheDcc,
  nodeDirs,
  stagedAt,
  stageJob,
} from './adapter-support.js';

const HOUDINI: InstalledRenderer = {
  cgName: 'Houdini',
  version: '19.5.303',
  executable: '/opt/hfs19.5/bin/hython',
};
async function staged(name: string, frames = { start: 1, end: 1, step: 1 }) {
  const d = nodeDirs(`houdini-${name.slice(0, 20)}`);
  const analyzed = await analyze(AnalyzeHoudini, join(CORPUS, 'houdini', name), join(d.root, 'analysis'));
  return { analyzed, job: stageJob(analyzed, d, frames) };
}

function analyzedScene(job: { task: { task_info: Readonly<Record<string, string | undefined>> } }): string {
  return job.task.task_info.input_cg_file ?? '';
}

function pathmapOf(env: NodeJS.ProcessEnv | undefined): [string, string][] {
  return Object.entries(JSON.parse(env?.HOUDINI_PATHMAP ?? '{}') as Record<string, string>);
}

describe('Houdini adapter from AnalyzeHoudini output', { skip: corpusSkip }, () => {
  test('a Mantra ROP renders its frames through hython into the output folder', async () => {
    const { job } = await staged('hutb__test_parameters.hip', { start: 5, end: 9, step: 2 });
    const cmd = await houdiniAdapter.prepare(job, HOUDINI);
    const script = join(job.workDir, 'openfarm_render_rop.py');
    assert.deepEqual(cmd.args, [script, job.scenePath, '/out/mantra1', '5', '9', '2', job.outputDir]);
    assert.equal(cmd.env?.HOUDINI_MAXTHREADS, '2');
    const py = readFileSync(script, 'utf8');
    assert.match(py, /hou\.hipFile\.load\(scene/);
    // $JOB saved with the scene is a folder of the artist's machine: mapped like any path.
    assert.match(py, /hou\.putenv\("JOB"/);
    assert.match(py, /varchange JOB/);
    // The staged tree's roots are in HOUDINI_PATHMAP: the scene's path on the artist's machine maps to the staged scene.
    assert.equal(mapLikeTheDcc(analyzedScene(job), pathmapOf(cmd.env)), job.scenePath);
  });

  for (const job of ['\\\\fileserver\\projects\\job', '/Volumes/Projects/job']) {
    test(`the ROP script maps a saved $JOB of ${job} and sends the picture to the output folder`, {
      skip: pythonSkip,
    }, async () => {
      const { job: j } = await staged('hutb__test_parameters.hip', { start: 5, end: 9, step: 2 });
      for (const root of ['fileserver', 'Volumes']) mkdirSync(join(j.stagingRoot, root), { recursive: true });
      const cmd = await houdiniAdapter.prepare(j, HOUDINI);
      const { values } = runWithStandIn<{
        loaded: string;
        vars: Record<string, string>;
        hscript: string[];
        render: number[];
        parms: Record<string, string>;
      }>(
        'houdini',
        cmd.args[0]!,
        { vars: { JOB: job }, rop: '/out/mantra1', parm: ['vm_picture', '$HIP/render/$HIPNAME.$OS.$F4.exr'] },
        { args: cmd.args.slice(1), env: { HOUDINI_PATHMAP: cmd.env?.HOUDINI_PATHMAP } },
      );
      assert.equal(values.loaded, j.scenePath);
      assert.equal(values.vars.JOB, stagedAt(job, j.stagingRoot));
      assert.deepEqual(values.hscript, ['varchange JOB']);
      assert.equal(values.parms.vm_picture, join(j.outputDir, '$HIPNAME.$OS.$F4.exr'));
      assert.deepEqual(values.render, [5, 9, 2]);
    });
  }

  test('a Solaris usdrender ROP is the unit the analyzer chose', async () => {
    const { job } = await staged('sfxlabs__karma_aovs_for_prman_denoiser.1.0.hip', {
      start: 1,
      end: 3,
      step: 1,
    });
    const cmd = await houdiniAdapter.prepare(job, HOUDINI);
    assert.equal(cmd.args[2], '/stage/usdrender_rop3');
    assert.deepEqual(cmd.args.slice(3), ['1', '3', '1', job.outputDir]);
  });

  for (const [name, prefix] of [
    ['sfxlabs__ast_calculate_occlusion.hip', 'D:/'],
    ['sfxlabs__alicevision_demoscene.hip', 'C:/Users/'],
  ] as const) {
    test(`${name}: its ${prefix} file parms map into the staged tree; no ROP is a clear error`, async () => {
      const { analyzed, job } = await staged(name);
      const foreign = analyzed.foreignPaths.filter((p) => p.startsWith(prefix));
      assert.ok(foreign.length > 0, `the scene names ${prefix} paths`);
      const maps = pathmapOf(houdiniPathmapEnv(job));
      for (const p of foreign) {
        const mapped = mapLikeTheDcc(p, maps);
        assert.equal(mapped, stagedAt(p, job.stagingRoot), p);
        assert.ok(existsSync(mapped), `${p} → ${mapped} is staged`);
      }
      // Both scenes hold no render ROP (the analyzer writes rop_node: []): refused, not guessed.
      await assert.rejects(houdiniAdapter.prepare(job, HOUDINI), (err: unknown) => {
        assert.ok(err instanceof WorkerError);
        assert.match(err.message, /names no ROP/);
        return true;
      });
    });
  }

  test("a node's own HOUDINI_PATHMAP is kept, ours added", async () => {
    const { job } = await staged('sfxlabs__ast_calculate_occlusion.hip');
    const saved = process.env.HOUDINI_PATHMAP;
    process.env.HOUDINI_PATHMAP = '{"/studio/lib/": "/mnt/lib/"}';
    try {
      const map = JSON.parse(houdiniPathmapEnv(job).HOUDINI_PATHMAP ?? '{}') as Record<string, string>;
      assert.equal(map['/studio/lib/'], '/mnt/lib/');
      assert.equal(map['D:/'], `${job.stagingRoot}/D/`);
    } finally {
      if (saved === undefined) delete process.env.HOUDINI_PATHMAP;
      else process.env.HOUDINI_PATHMAP = saved;
    }
  });
});
