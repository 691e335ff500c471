/**
 * Katana batch rendering. No analyzer reads `.katana` files yet, so the
 * task.json here is the rayvision reference's Katana shape
 * (`scene_info.rendernodes`). Checked: the command line uses only the
 * frame-range forms Katana's batch-mode documentation lists (`1-5`, `1,3,5`),
 * KATANA_RESOURCES leads with the farm's Startup/init.py, and that script's
 * own logic, run under Python 3 with a stand-in for Katana's modules, maps
 * Windows (drive, UNC) and macOS (/Volumes, /Users) parameter paths to the
 * staged tree and sends each RenderOutputDefine output into the output folder.
 * Katana itself is not installable here.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { InstalledRenderer, RenderJob, TaskJson } from '../src/renderers/adapter.js';
import { katanaAdapter, katanaFrameRange } from '../src/renderers/katana.js';
import { stagedAt } from './adapter-support.js';
import { pythonSkip, runWithStandIn } from './adapter-stand-in.js';

const KATANA: InstalledRenderer = {
  cgName: 'Katana',
  version: '4.0.5',
  executable: '/opt/Katana4.0v5/katana',
};
const root = mkdtempSync(join(tmpdir(), 'openfarm-katana-'));
after(() => rmSync(root, { recursive: true, force: true }));

const TASK: TaskJson = {
  task_info: { input_cg_file: 'D:/proj/shot/shot010.katana' },
  software_config: { cg_name: 'Katana', cg_version: '4.0v5' },
  scene_info: { rendernodes: { Render: { renderable: '1', frames: '1-10[1]', aov: {} } } },
};

const FOREIGN = [
  'D:\\proj\\assets\\hero.abc',
  '\\\\fileserver\\share\\lib\\rock.usd',
  '/Volumes/Projects/shot/cache.abc',
  '/Users/artist/textures/brick.tx',
];

function job(frames: RenderJob['frames']): RenderJob {
  const stagingRoot = join(root, 'stage');
  const scenePath = stagedAt(TASK.task_info.input_cg_file ?? '', stagingRoot);
  for (const p of [scenePath, ...FOREIGN.map((f) => stagedAt(f, stagingRoot))]) {
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, 'staged input');
  }
  const workDir = join(root, 'work');
  mkdirSync(workDir, { recursive: true });
  return { task: TASK, scenePath, stagingRoot, frames, outputDir: join(root, 'out'), workDir, threads: 2 };
}

describe('Katana adapter', () => {
  test('frame ranges in the documented forms only', () => {
    assert.equal(katanaFrameRange(1, 10, 1), '1-10');
    assert.equal(katanaFrameRange(5, 9, 2), '5,7,9');
    assert.equal(katanaFrameRange(7, 7, 1), '7');
    assert.equal(katanaFrameRange(7, 7, 3), '7');
  });

  test('batch command with the render node, frames and the farm startup script first in KATANA_RESOURCES', async () => {
    const j = job({ start: 5, end: 9, step: 2 });
    const saved = process.env.KATANA_RESOURCES;
    process.env.KATANA_RESOURCES = '/studio/katana/Resources';
    try {
      const cmd = await katanaAdapter.prepare(j, KATANA);
      assert.deepEqual(cmd.args, [
        '--batch',
        `--katana-file=${j.scenePath}`,
        '--render-node=Render',
        '-t',
        '5,7,9',
      ]);
      const resources = join(j.workDir, 'katana-resources');
      assert.equal(cmd.env?.KATANA_RESOURCES, `${resources}${delimiter}/studio/katana/Resources`);
      assert.ok(existsSync(join(resources, 'Startup', 'init.py')));
    } finally {
      if (saved === undefined) delete process.env.KATANA_RESOURCES;
      else process.env.KATANA_RESOURCES = saved;
    }
  });

  test('the startup script maps Windows and macOS paths and collects outputs', {
    skip: pythonSkip,
  }, async () => {
    const j = job({ start: 1, end: 1, step: 1 });
    await katanaAdapter.prepare(j, KATANA);
    const base = 'args.renderSettings.outputs.outputName.';
    const items = [
      ...FOREIGN.map((p, i) => [`Alembic_In${i}`, 'Alembic_In', 'abcAsset', p]),
      ['Alembic_Expr', 'Alembic_In', 'abcAsset', { expression: "project.dir + '/a.abc'" }],
      ['RenderOutputDefine1', 'RenderOutputDefine', 'outputName', 'primary'],
      ['RenderOutputDefine1', 'RenderOutputDefine', `${base}locationType.value`, 'local'],
      ['RenderOutputDefine1', 'RenderOutputDefine', `${base}locationType.enable`, 0],
      ['RenderOutputDefine1', 'RenderOutputDefine', `${base}locationSettings.renderLocation.value`, ''],
      ['RenderOutputDefine1', 'RenderOutputDefine', `${base}locationSettings.renderLocation.enable`, 0],
    ];
    const { values } = runWithStandIn(
      'katana',
      join(j.workDir, 'katana-resources', 'Startup', 'init.py'),
      items,
    );
    const value = (node: string, param: string) => values.find(([n, p]) => n === node && p === param)?.[2];
    FOREIGN.forEach((p, i) => {
      const now = value(`Alembic_In${i}`, 'abcAsset');
      assert.equal(now, stagedAt(p, j.stagingRoot), p);
      assert.ok(existsSync(String(now)));
    });
    assert.equal(value('Alembic_Expr', 'abcAsset'), "project.dir + '/a.abc'");
    assert.equal(value('RenderOutputDefine1', `${base}locationType.value`), 'file');
    assert.equal(value('RenderOutputDefine1', `${base}locationType.enable`), 1);
    assert.equal(
      value('RenderOutputDefine1', `${base}locationSettings.renderLocation.value`),
      join(j.outputDir, 'primary.####.exr'),
    );
  });
});
