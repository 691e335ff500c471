import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateJobFile } from '@openfarm/protocol';
import { AnalyzeMaya, analyzeScene, type MayaScene } from '../src/index.js';

const fixture = fileURLToPath(new URL('./fixtures/maya/project', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'openfarm-maya-fixture-'));
const project = join(root, 'project');
const workspace = join(root, 'ws');
const scenePath = join(project, 'scenes', 'shot010.ma');

function touch(rel: string): string {
  const p = join(project, rel);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, rel);
  return p;
}

let analyzer: AnalyzeMaya;
let scene: MayaScene;
const created: Record<string, string> = {};

before(async () => {
  cpSync(fixture, project, { recursive: true });
  mkdirSync(workspace);
  for (const rel of [
    'sourceimages/wood_color.png',
    'sourceimages/moved.png',
    'sourceimages/hero/skin_1001.exr',
    'sourceimages/hero/skin_1002.exr',
    'sourceimages/hero/skin_1011.exr',
    'sourceimages/hero/skin_1001_old.exr',
    'sourceimages/flicker/flicker.0001.jpg',
    'sourceimages/flicker/flicker.0002.jpg',
    'sourceimages/flicker/flicker.0003.jpg',
    'cache/alembic/crowd.abc',
    'cache/rocks.abc',
    'assets/layout.usda',
    'assets/brick.png',
    'sourceimages/moss.png',
    'assets/crate_1001.png',
    'assets/crate_1002.png',
  ]) {
    created[rel] = touch(rel);
  }
  // The stage is followed for its own files (none here): it must be a USD layer.
  writeFileSync(created['assets/layout.usda']!, '#usda 1.0\n');
  analyzer = await new AnalyzeMaya({ cgFile: scenePath, workspace, projectName: 'fixture' }).analyse();
  scene = analyzer.scene!;
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('AnalyzeMaya on a project fixture', () => {
  test('header, plugins and fileInfo strings with escapes and semicolons', () => {
    assert.equal(scene.format, 'ma');
    assert.equal(scene.partial, false);
    assert.equal(scene.version, '2024');
    assert.equal(scene.majorVersion, '2024');
    assert.deepEqual(scene.plugins, { mtoa: '5.3.4.1', AbcImport: '1.0', mayaUsdPlugin: '0.25.0' });
    assert.equal(scene.fileInfo.note, 'a string; with "quotes" and a semicolon');
    assert.deepEqual(scene.timeline, { min: 1001, max: 1100, animationStart: 1001, animationEnd: 1100 });
    assert.equal(scene.projectRoot, project);
  });

  test('legacy render layers: adjustments per layer, manager membership, renderable flag', () => {
    assert.equal(scene.renderLayerSystem, 'legacy');
    const byName = Object.fromEntries(scene.layers.map((l) => [l.name, l]));
    assert.deepEqual(Object.keys(byName), ['defaultRenderLayer', 'beauty', 'matte']);
    const master = byName.defaultRenderLayer!;
    assert.equal(master.renderer, 'arnold');
    assert.equal(master.imageFormat, 'exr');
    assert.equal(master.imageFilePrefix, '<RenderLayer>/<Scene>');
    assert.deepEqual(
      [master.startFrame, master.endFrame, master.byFrame, master.animation],
      [1001, 1100, 2, true],
    );
    assert.deepEqual([master.width, master.height], [2048, 858]);
    assert.deepEqual(master.renderCameras, ['shotCamShape']);
    assert.equal(byName.beauty!.startFrame, 1010);
    assert.deepEqual(byName.beauty!.renderCameras, ['witnessCamShape']);
    assert.equal(byName.matte!.renderable, false);
    assert.deepEqual(byName.matte!.renderCameras, ['perspShape']);
  });

  test('dependencies: project-relative, UDIM, frame sequences, Alembic layers, USD, gpuCache, builtin', () => {
    const deps = analyzer.dependencies;
    const find = (owner: string) => deps.find((d) => d.owner === owner);
    assert.deepEqual(find('woodColor.ftn')?.files, [created['sourceimages/wood_color.png']]);
    const skin = find('heroSkin.ftn')!;
    assert.equal(skin.pattern, 'sourceimages/hero/skin_<UDIM>.exr');
    assert.deepEqual(
      skin.files,
      ['1001', '1002', '1011'].map((t) => created[`sourceimages/hero/skin_${t}.exr`]),
    );
    const flicker = find('flicker.ftn')!;
    assert.equal(flicker.pattern, 'sourceimages/flicker/flicker.####.jpg');
    assert.equal(flicker.files.length, 3);
    assert.equal(find('absentMap.fileTextureName')?.status, 'missing');
    // An absolute path from another machine is found where the project now lives.
    assert.deepEqual(find('movedMap.ftn')?.files, [created['sourceimages/moved.png']]);
    assert.equal(find('crowdCache.fn')?.status, 'found');
    assert.equal(deps.filter((d) => d.owner === 'crowdCache.fns').length, 2);
    assert.equal(find('treeStandInShape.dso')?.status, 'missing');
    assert.deepEqual(find('layoutShape.fp')?.files, [created['assets/layout.usda']]);
    assert.equal(find('rocksShape.cfn')?.status, 'found');
    assert.equal(find('defaultColorMgtGlobals.cfp')?.status, 'builtin');
    assert.equal(find('groundShape.ftn'), undefined, 'a mesh attribute is not a texture');
    assert.ok(
      !deps.some((d) => d.path.includes('fake.png') || d.path.includes('never/')),
      'script text is not run',
    );
  });

  test('references are followed recursively with cycle protection and copy suffixes', () => {
    const refs = scene.references.map((r) => `${r.depth} ${r.status} ${r.path}`);
    assert.deepEqual(refs, [
      '1 found assets/set.ma',
      '2 found scenes/shot010.ma',
      '2 found props.ma',
      '3 found assets/set.ma',
      '1 missing D:/old_server/props/gone.mb',
    ]);
    const owners = analyzer.dependencies.map((d) => d.owner);
    assert.ok(owners.includes('set:brick.ftn'));
    assert.ok(owners.includes('set:moss.ftn'));
    assert.ok(owners.includes('props:crate.ftn'));
    const crate = analyzer.dependencies.find((d) => d.owner === 'props:crate.ftn')!;
    assert.equal(crate.files.length, 2);
  });

  test('the four job files are written and valid', () => {
    const task = validateJobFile('task', JSON.parse(readFileSync(analyzer.taskJson, 'utf8')));
    const upload = validateJobFile('upload', JSON.parse(readFileSync(analyzer.uploadJson, 'utf8')));
    const tips = validateJobFile('tips', JSON.parse(readFileSync(analyzer.tipsJson, 'utf8')));
    validateJobFile('asset', JSON.parse(readFileSync(analyzer.assetJson, 'utf8')));
    assert.equal(task.task_info.cg_id, '2000');
    assert.equal(task.task_info.render_layer_type, '0');
    assert.equal(task.task_info.input_project_path, project.replace(/\\/g, '/'));
    assert.equal(task.software_config.cg_name, 'Maya');
    assert.equal(task.software_config.cg_version, '2024');
    const info = task.scene_info_render as Record<
      string,
      { renderable: string; common: Record<string, unknown> }
    >;
    assert.deepEqual(Object.keys(info), ['defaultRenderLayer', 'beauty', 'matte']);
    assert.equal(info.defaultRenderLayer!.common.frames, '1001-1100[2]');
    assert.equal(info.defaultRenderLayer!.common.animation, 'True');
    assert.equal(info.defaultRenderLayer!.common.renderer, 'arnold');
    assert.equal(info.defaultRenderLayer!.common.image_format, 'exr');
    assert.deepEqual(
      [info.defaultRenderLayer!.common.width, info.defaultRenderLayer!.common.height],
      ['2048', '858'],
    );
    assert.equal(info.beauty!.common.frames, '1010-1100[2]');
    assert.equal(info.matte!.renderable, '0');
    assert.deepEqual(info.defaultRenderLayer!.common.render_camera, ['shotCamShape']);
    assert.deepEqual(info.defaultRenderLayer!.common.all_camera, [
      'perspShape',
      'topShape',
      'shotCamShape',
      'witnessCamShape',
    ]);

    const locals = upload.asset.map((a) => a.local);
    assert.equal(locals.at(-1), scenePath.replace(/\\/g, '/'));
    for (const rel of Object.keys(created).filter((r) => !r.endsWith('_old.exr'))) {
      assert.ok(locals.includes(created[rel]!.replace(/\\/g, '/')), `${rel} is uploaded`);
    }
    assert.ok(!locals.some((l) => l.endsWith('_old.exr')));
    assert.equal(new Set(locals).size, locals.length, 'no duplicate uploads');
    assert.ok(locals.includes(join(project, 'assets', 'set.ma').replace(/\\/g, '/')));
    assert.ok(locals.includes(join(project, 'assets', 'props.ma').replace(/\\/g, '/')));

    const missing = tips['10012'] as string[];
    assert.equal(missing.length, 4);
    assert.ok(missing.some((m) => m.startsWith('absentMap.fileTextureName: sourceimages/absent.tif')));
    assert.ok(missing.some((m) => m.includes('crowd_fix.abc')));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Maya's ${VAR} path syntax, not a template
    assert.ok(missing.some((m) => m.startsWith('treeStandInShape.dso: ${SHOT_ASSETS}/tree.ass')));
    assert.ok(missing.some((m) => m.startsWith('goneRN: D:/old_server/props/gone.mb')));
  });

  test('inputProjectPath overrides workspace.mel, and a version mismatch is a warning', async () => {
    const other = join(root, 'elsewhere');
    mkdirSync(join(other, 'sourceimages'), { recursive: true });
    const a = await new AnalyzeMaya({
      cgFile: scenePath,
      workspace,
      inputProjectPath: other,
      softwareVersion: '2025',
    }).analyse();
    assert.equal(a.taskInfo?.task_info.input_project_path, other.replace(/\\/g, '/'));
    assert.equal(a.taskInfo?.software_config.cg_version, '2025');
    assert.equal(a.tipsInfo?.['15013']?.length, 1);
    // Relative paths now try the other project first, then the scene folder: the textures are gone.
    assert.equal(a.dependencies.find((d) => d.owner === 'woodColor.ftn')?.status, 'missing');
  });

  test('analyzeScene picks AnalyzeMaya by extension', async () => {
    const a = await analyzeScene(scenePath, { workspace });
    assert.ok(a instanceof AnalyzeMaya);
  });
});
