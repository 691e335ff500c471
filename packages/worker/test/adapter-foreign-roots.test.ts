/**
 * A Windows UNC share and a macOS volume, as each DCC's scene holds them, from
 * analyzer output to the adapter's remapping. No corpus scene names these
 * roots, so the tests write their own small scenes (foreign-root-scenes.ts),
 * run the analyzers on them, stage the scene and every path the analyzer
 * reported as a node does, and check that the adapter's mechanism sends each
 * of those exact paths to its staged copy: Maya's dirmap MEL (by Maya's
 * documented longest-prefix rule), Houdini's HOUDINI_PATHMAP and ROP script,
 * and Clarisse's remap script (the Python scripts run under Python 3 with the
 * DCC stand-ins).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AnalyzeClarisse, AnalyzeHoudini, AnalyzeMaya } from '@openfarm/analyzers';
import { clarisseAdapter } from '../src/renderers/clarisse.js';
import { houdiniAdapter } from '../src/renderers/houdini.js';
import { mayaAdapter } from '../src/renderers/maya.js';
import { analyze, mapLikeTheDcc, nodeDirs, stagedAt, stageJob } from './adapter-support.js';
import { pythonSkip, runWithStandIn } from './adapter-stand-in.js';
import {
  MAC_CACHE,
  MAC_REFERENCE,
  MAC_TEXTURE,
  UNC_JOB_HOUDINI,
  UNC_REFERENCE,
  UNC_TEXTURE,
  writeClarisseProject,
  writeHoudiniScene,
  writeMayaScene,
} from './foreign-root-scenes.js';

const scenes = mkdtempSync(join(tmpdir(), 'openfarm-foreign-roots-'));
after(() => {
  rmSync(scenes, { recursive: true, force: true });
});

/** The paths as the analyzers write them: forward slashes, UNC as `//server/share/…`. */
const slashed = (p: string): string => p.replace(/\\/g, '/');

async function staged(
  Analyzer: Parameters<typeof analyze>[0],
  scene: string,
  frames = { start: 1, end: 3, step: 1 },
) {
  const d = nodeDirs('foreign-roots');
  const analyzed = await analyze(Analyzer, scene, join(d.root, 'analysis'));
  return { analyzed, job: stageJob(analyzed, d, frames) };
}

function assertStaged(path: string, mapped: string, stagingRoot: string): void {
  assert.equal(mapped, stagedAt(path, stagingRoot), path);
  assert.ok(mapped.startsWith(`${stagingRoot}/`), `${path} → ${mapped} is inside the staged tree`);
  assert.ok(existsSync(mapped), `${path} → ${mapped} is staged`);
}

describe('adapters remap a UNC share and a /Volumes path from analyzer output', () => {
  test('Maya: file textures and references on \\\\fileserver and /Volumes go through dirmap', async () => {
    const { analyzed, job } = await staged(AnalyzeMaya, writeMayaScene(scenes));
    const wanted = [UNC_TEXTURE, UNC_REFERENCE, MAC_TEXTURE, MAC_REFERENCE].map(slashed);
    assert.deepEqual([...analyzed.foreignPaths].sort(), [...wanted].sort());
    const cmd = await mayaAdapter.prepare(job, {
      cgName: 'Maya',
      version: analyzed.task.software_config.cg_version,
      executable: '/usr/autodesk/maya2023/bin/Render',
    });
    const preRender = cmd.args[cmd.args.indexOf('-preRender') + 1] ?? '';
    const mel = readFileSync(/^source "(.*)"$/.exec(preRender)?.[1] ?? '', 'utf8');
    const maps = [...mel.matchAll(/^dirmap -mapDirectory "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)";$/gm)].map(
      (m) => [m[1]!.replace(/\\(.)/g, '$1'), m[2]!.replace(/\\(.)/g, '$1')] as const,
    );
    assert.ok(
      maps.some(([from]) => from === '//fileserver/'),
      'the UNC server is a dirmap source',
    );
    assert.ok(
      maps.some(([from]) => from === '/Volumes/'),
      'the macOS volume root is a dirmap source',
    );
    // Maya's dirmap compares with forward slashes; the scene holds the UNC path with backslashes.
    for (const p of [UNC_TEXTURE, UNC_REFERENCE, MAC_TEXTURE, MAC_REFERENCE]) {
      assertStaged(p, mapLikeTheDcc(p, maps), job.stagingRoot);
    }
  });

  test('Houdini: file parms under /Volumes and under the UNC $JOB through HOUDINI_PATHMAP', async () => {
    const { analyzed, job } = await staged(AnalyzeHoudini, writeHoudiniScene(scenes));
    const jobFile = `${UNC_JOB_HOUDINI}/geo/wood.bgeo.sc`;
    assert.deepEqual([...analyzed.foreignPaths].sort(), [MAC_CACHE, jobFile].sort());
    const cmd = await houdiniAdapter.prepare(job, {
      cgName: 'Houdini',
      version: analyzed.task.software_config.cg_version,
      executable: '/opt/hfs19.5/bin/hython',
    });
    assert.equal(cmd.args[2], '/out/mantra1', 'the ROP the analyzer found');
    const maps = Object.entries(JSON.parse(cmd.env?.HOUDINI_PATHMAP ?? '{}') as Record<string, string>);
    for (const p of [MAC_CACHE, jobFile]) assertStaged(p, mapLikeTheDcc(p, maps), job.stagingRoot);
  });

  test('Houdini: the ROP script maps the $JOB saved as a UNC share, so $JOB/… parms land in the staged tree', {
    skip: pythonSkip,
  }, async () => {
    const { job } = await staged(AnalyzeHoudini, writeHoudiniScene(scenes), { start: 1, end: 10, step: 1 });
    const cmd = await houdiniAdapter.prepare(job, {
      cgName: 'Houdini',
      version: '19.5.303',
      executable: '/opt/hfs19.5/bin/hython',
    });
    // Loading the .hip restores $JOB from its .variables section: the value the scene was saved with.
    const { values, stdout } = runWithStandIn<{
      loaded: string;
      vars: Record<string, string>;
      render: number[];
    }>(
      'houdini',
      cmd.args[0]!,
      {
        vars: { JOB: UNC_JOB_HOUDINI },
        rop: '/out/mantra1',
        parm: ['vm_picture', '$HIP/render/$HIPNAME.$OS.$F4.exr'],
      },
      { args: cmd.args.slice(1), env: { HOUDINI_PATHMAP: cmd.env?.HOUDINI_PATHMAP } },
    );
    assert.equal(values.loaded, job.scenePath);
    assert.equal(values.vars.JOB, stagedAt(UNC_JOB_HOUDINI, job.stagingRoot));
    assert.match(stdout, /OPENFARM remap \$JOB/);
    // What the file SOP's `$JOB/geo/wood.bgeo.sc` now expands to is the staged copy.
    assertStaged(
      `${UNC_JOB_HOUDINI}/geo/wood.bgeo.sc`,
      `${values.vars.JOB}/geo/wood.bgeo.sc`,
      job.stagingRoot,
    );
    assert.deepEqual(values.render, [1, 10, 1]);
  });

  test('Clarisse: file attributes on \\\\fileserver and /Volumes through the remap script', {
    skip: pythonSkip,
  }, async () => {
    const { analyzed, job } = await staged(AnalyzeClarisse, writeClarisseProject(scenes));
    assert.deepEqual([...analyzed.foreignPaths].sort(), [slashed(UNC_TEXTURE), MAC_CACHE].sort());
    const cmd = await clarisseAdapter.prepare(job, {
      cgName: 'Clarisse',
      version: analyzed.task.software_config.cg_version,
      executable: '/opt/isotropix/clarisse_ifx_4.0_sp3/cnode',
    });
    assert.equal(cmd.args[cmd.args.indexOf('-image') + 1], 'project://scene/beauty.hero');
    const script = cmd.args[cmd.args.indexOf('-script') + 1] ?? '';
    // The attributes hold what the project file holds: the UNC path with Windows backslashes.
    const { values } = runWithStandIn('clarisse', script, [
      ['project://scene/wood_tex', 'filename', 'open', UNC_TEXTURE],
      ['project://scene/rock', 'filename', 'open', MAC_CACHE],
      ['project://scene/beauty.hero', 'save_as', 'save', '$PDIR/render/hero.####.exr'],
    ]);
    const now = (o: string) => String(values.find(([item]) => item === o)?.[2]);
    assertStaged(UNC_TEXTURE, now('project://scene/wood_tex'), job.stagingRoot);
    assertStaged(MAC_CACHE, now('project://scene/rock'), job.stagingRoot);
    assert.equal(now('project://scene/beauty.hero'), '$PDIR/render/hero.####.exr');
  });
});
