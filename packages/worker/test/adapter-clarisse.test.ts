/**
 * Clarisse through CNode, built from what AnalyzeClarisse writes for the
 * corpus projects (saved by Clarisse 4) and the repo's fixture project:
 * CNode reads `.project` files (CRender needs a render archive), takes the
 * image layer, the documented `-frames_list START:END%STEP`, `-output` and
 * `-format`, and runs the remap script first. The script's own logic runs
 * under Python 3 with a stand-in for Clarisse's `ix` module: Windows (drive
 * and UNC) and macOS (/Volumes, /Users) paths of file attributes end in the
 * staged tree; output and `$PDIR` paths are left alone. Clarisse itself is
 * not installable here.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { AnalyzeClarisse } from '@openfarm/analyzers';
import type { InstalledRenderer } from '../src/renderers/adapter.js';
import { clarisseAdapter } from '../src/renderers/clarisse.js';
import { analyze, CORPUS, corpusSkip, FIXTURES, nodeDirs, stagedAt, stageJob } from './adapter-support.js';
import { pythonSkip, runWithStandIn } from './adapter-stand-in.js';

const CNODE: InstalledRenderer = {
  cgName: 'Clarisse',
  version: '4.0.3',
  executable: '/opt/isotropix/clarisse_ifx_4.0_sp3/cnode',
};
async function staged(scene: string, frames: { start: number; end: number; step: number }) {
  const d = nodeDirs('clarisse');
  const analyzed = await analyze(AnalyzeClarisse, scene, join(d.root, 'analysis'));
  return { analyzed, job: stageJob(analyzed, d, frames) };
}

/** Paths of the artist's machine, each as a file attribute would hold it. */
const FOREIGN = [
  'D:\\proj\\tex\\wood.png',
  '\\\\fileserver\\share\\lib\\rock.abc',
  '/Volumes/Projects/shot/cache.abc',
  '/Users/artist/textures/brick.tx',
];

describe('Clarisse adapter from AnalyzeClarisse output', () => {
  test('a Clarisse 4 project renders through CNode with the layer, frame list and output', {
    skip: corpusSkip,
  }, async () => {
    const { analyzed, job } = await staged(join(CORPUS, 'clarisse', 'r2c__kubix_demo.project'), {
      start: 0,
      end: 50,
      step: 5,
    });
    assert.equal(analyzed.task.software_config.cg_version, '4');
    const cmd = await clarisseAdapter.prepare(job, CNODE);
    assert.equal(cmd.executable, CNODE.executable);
    assert.deepEqual(cmd.args, [
      job.scenePath,
      '-script',
      join(job.workDir, 'openfarm_clarisse_remap.py'),
      '-image',
      'project://scene/image.kubix_layer',
      '-frames_list',
      '0:50%5',
      '-output',
      join(job.outputDir, 'kubix_layer'),
      '-format',
      'exr16',
    ]);
  });

  test("the fixture project's renderable layer and its format", async () => {
    const { analyzed, job } = await staged(join(FIXTURES, 'clarisse', 'shot.project'), {
      start: 1,
      end: 1,
      step: 1,
    });
    const layers = (
      analyzed.task.scene_info_render as {
        image_node: { layers: { name: string; renderable: string; format: string }[] }[];
      }
    ).image_node.flatMap((i) => i.layers);
    const first = layers.find((l) => l.renderable === '1');
    assert.ok(first);
    const cmd = await clarisseAdapter.prepare(job, CNODE);
    assert.equal(cmd.args[cmd.args.indexOf('-image') + 1], first.name);
    assert.equal(cmd.args[cmd.args.indexOf('-frames_list') + 1], '1:1%1');
    assert.equal(cmd.args[cmd.args.indexOf('-format') + 1], first.format || 'exr16');
  });

  test('the remap script sends Windows and macOS file paths to the staged tree', {
    skip: pythonSkip,
  }, async () => {
    const { job } = await staged(join(FIXTURES, 'clarisse', 'shot.project'), { start: 1, end: 1, step: 1 });
    for (const p of FOREIGN) {
      const at = stagedAt(p, job.stagingRoot);
      mkdirSync(dirname(at), { recursive: true });
      writeFileSync(at, 'staged input');
    }
    await clarisseAdapter.prepare(job, CNODE);
    const items = [
      ...FOREIGN.map((p, i) => ['project://scene/file' + i, 'filename', 'open', p]),
      ['project://scene/image.hero', 'save_as', 'save', 'D:/renders/hero.####.exr'],
      ['project://scene/wood', 'filename', 'open', '$PDIR/textures/wood.png'],
    ];
    const { values, stdout } = runWithStandIn(
      'clarisse',
      join(job.workDir, 'openfarm_clarisse_remap.py'),
      items,
    );
    FOREIGN.forEach((p, i) => {
      const now = values.find(([o]) => o === `project://scene/file${i}`)?.[2];
      assert.equal(now, stagedAt(p, job.stagingRoot), p);
      assert.ok(existsSync(String(now)));
    });
    assert.equal(values.find(([o]) => o === 'project://scene/image.hero')?.[2], 'D:/renders/hero.####.exr');
    assert.equal(values.find(([o]) => o === 'project://scene/wood')?.[2], '$PDIR/textures/wood.png');
    assert.match(stdout, /OPENFARM remap project:\/\/scene\/file0\.filename/);
  });
});
