import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { validateJobFile } from '@openfarm/protocol';
import { AnalyzeMaya, type MayaScene, readMayaScene } from '../src/index.js';

/** The shared corpus of real DCC-saved scenes (see its SOURCES.md); skipped when absent. */
const corpus = fileURLToPath(new URL('../../../../shared/corpus/maya', import.meta.url));
const skip = existsSync(corpus) ? false : 'shared corpus not present';
const work = mkdtempSync(join(tmpdir(), 'openfarm-maya-corpus-'));
after(() => rmSync(work, { recursive: true, force: true }));

function read(name: string) {
  return readMayaScene(join(corpus, name));
}
function master(scene: MayaScene) {
  return scene.layers.find((l) => l.name === 'defaultRenderLayer')!;
}
function renderableCameras(scene: MayaScene): string[] {
  return scene.cameras.filter((c) => c.renderable).map((c) => c.shape);
}
/** External references as (kind, status, pattern), builtins excluded. */
function external(deps: ReturnType<typeof read>['dependencies']): string[] {
  return deps
    .all()
    .filter((d) => d.status !== 'builtin')
    .map((d) => `${d.kind} ${d.status} ${d.pattern}`);
}

describe('Maya corpus conformance (SOURCES.md facts)', { skip }, () => {
  test('cube.ma: 2023, mtoa 5.1.0, default renderer, 4 cameras, timeline, 2 ext refs', () => {
    const { scene, dependencies } = read('adlmaya__cube.ma');
    assert.equal(scene.version, '2023');
    assert.equal(scene.plugins.mtoa, '5.1.0');
    assert.equal(master(scene).renderer, 'mayaSoftware');
    assert.equal(scene.cameras.length, 4);
    assert.deepEqual(renderableCameras(scene), ['perspShape']);
    assert.deepEqual(scene.timeline, { min: 537, max: 583, animationStart: 0, animationEnd: 3000 });
    assert.deepEqual(external(dependencies), [
      'texture missing D:/deadline-clients/deadline-cloud-for-maya/job_bundle_output_tests/cube/deadline_logo_48x48.png',
      'reference missing D:/deadline-clients/deadline-cloud-for-maya/job_bundle_output_tests/cube/scene_file_to_reference.mb',
    ]);
    assert.equal(scene.references[0]?.fileType, 'mayaBinary');
  });

  test('layers.ma: Arnold globals, 7 cameras, Render Setup layers with per-layer overrides', () => {
    const { scene, dependencies } = read('adlmaya__layers.ma');
    const m = master(scene);
    assert.deepEqual(
      [m.renderer, m.imageFormatCode, m.imageFormatKey, m.animation, m.imageFilePrefix],
      ['arnold', 51, 'exr', true, ''],
    );
    assert.equal(scene.cameras.length, 7);
    assert.deepEqual(renderableCameras(scene), ['perspShape', 'cameraShape1']);
    assert.equal(scene.renderLayerSystem, 'renderSetup');
    const layers = Object.fromEntries(scene.layers.map((l) => [l.renderSetupLayer ?? l.name, l]));
    assert.deepEqual(Object.keys(layers), [
      'defaultRenderLayer',
      'layerFrameRange1',
      'renderSetupLayer2',
      'layerDefaultFrames',
      'renderSetupLayer4',
      'notRenderableLayer',
    ]);
    const frames = (k: string) => `${layers[k]!.startFrame}-${layers[k]!.endFrame}`;
    // Frame ranges Maya itself reports for these layers (the file's own job bundle test).
    assert.equal(frames('defaultRenderLayer'), '1-10');
    assert.equal(frames('layerFrameRange1'), '1-10');
    assert.equal(frames('renderSetupLayer2'), '20-30');
    assert.equal(frames('layerDefaultFrames'), '1-10');
    assert.equal(frames('renderSetupLayer4'), '1-20');
    assert.equal(frames('notRenderableLayer'), '5-10');
    // Cameras per layer, also as Maya reports them.
    assert.deepEqual(layers.renderSetupLayer2!.renderCameras, [
      'cameraShape1',
      'cameraShape2',
      'cameraShape3',
    ]);
    assert.deepEqual(layers.layerDefaultFrames!.renderCameras, ['cameraShape1']);
    assert.deepEqual(layers.layerFrameRange1!.renderCameras, ['perspShape', 'cameraShape1']);
    assert.deepEqual(layers.renderSetupLayer4!.renderCameras, ['perspShape', 'cameraShape1']);
    assert.equal(layers.layerDefaultFrames!.imageFilePrefix, 'layer_specific_file_prefix_');
    assert.equal(layers.notRenderableLayer!.imageFilePrefix, 'image_file_prefix_');
    assert.deepEqual([layers.renderSetupLayer4!.width, layers.renderSetupLayer4!.height], [1920, 1080]);
    assert.deepEqual([layers.notRenderableLayer!.width, layers.notRenderableLayer!.height], [1920, 1080]);
    assert.deepEqual([m.width, m.height], [960, 540]);
    assert.equal(layers.notRenderableLayer!.renderable, false);
    assert.ok(scene.layers.filter((l) => l.name !== 'rs_notRenderableLayer').every((l) => l.renderable));
    assert.equal(external(dependencies).length, 1);
    assert.match(
      external(dependencies)[0]!,
      /^reference missing D:\/.*layers\/scene\/scene_file_to_reference\.mb$/,
    );
  });

  test('renderman.ma: RenderMan renderer, 3 ext refs (reference, file, PxrTexture)', () => {
    const { scene, dependencies } = read('adlmaya__renderman.ma');
    assert.equal(master(scene).renderer, 'renderman');
    assert.ok(Object.keys(scene.plugins).some((p) => p.startsWith('RenderMan_for_Maya')));
    assert.deepEqual(scene.timeline?.min, 537);
    const ext = dependencies.all().filter((d) => d.status !== 'builtin');
    assert.deepEqual(
      ext.map((d) => `${d.owner} ${d.kind}`),
      ['file1.ftn texture', 'PxrTexture1.filename texture', 'scene_file_to_referenceRN reference'],
    );
    assert.ok(ext.every((d) => d.status === 'missing' && d.path.startsWith('/Users/rmvh/')));
  });

  test('referenced_layers.ma + ref.ma: 2 render layers, 2 references, ref.ma followed recursively', () => {
    const { scene } = read('adlmaya__referenced_layers.ma');
    assert.equal(master(scene).renderer, 'arnold');
    assert.equal(master(scene).imageFormatCode, 51);
    assert.deepEqual(scene.renderLayerNodes, ['defaultRenderLayer', 'imported_scene_defaultRenderLayer']);
    assert.deepEqual(scene.timeline?.max, 120);
    const paths = scene.references.map((r) => r.path);
    assert.equal(paths.length, 2);
    assert.equal(paths[0], 'ref.ma');
    // The second is the author's absolute macOS path, kept as written.
    assert.ok(paths[1]!.startsWith('/Users/rmvh/'), paths[1]);
    assert.ok(
      paths[1]!.endsWith(
        '/deadline-cloud-for-maya/job_bundle_output_tests/renderman/scene/scene_file_to_reference.ma',
      ),
      paths[1],
    );

    // Saved side by side under their original names, ref.ma is found and read.
    const dir = join(work, 'referenced_layers');
    mkdirSync(dir, { recursive: true });
    copyFileSync(join(corpus, 'adlmaya__referenced_layers.ma'), join(dir, 'referenced_layers.ma'));
    copyFileSync(join(corpus, 'adlmaya__ref.ma'), join(dir, 'ref.ma'));
    const again = readMayaScene(join(dir, 'referenced_layers.ma'));
    const ref = again.scene.references.find((r) => r.path === 'ref.ma')!;
    assert.equal(ref.status, 'found');
    assert.equal(ref.resolved, join(dir, 'ref.ma'));
    assert.ok(again.dependencies.files().includes(join(dir, 'ref.ma')));
    assert.equal(again.scene.notes.length, 0);
  });

  test('ref.ma: Maya 2023, Arnold, no external references', () => {
    const { scene, dependencies } = read('adlmaya__ref.ma');
    assert.equal(scene.version, '2023');
    assert.equal(master(scene).renderer, 'arnold');
    assert.deepEqual(external(dependencies), []);
  });

  test('maya-test.ma: 2018ff09, mtoa 3.1.1.1, default renderer, .outf 8, 4 cameras, timeline 1-120', () => {
    const { scene, dependencies } = read('adlmaya__maya-test.ma');
    assert.equal(scene.version, '2018ff09');
    assert.equal(scene.majorVersion, '2018');
    assert.equal(scene.plugins.mtoa, '3.1.1.1');
    assert.equal(master(scene).renderer, 'mayaSoftware');
    assert.equal(master(scene).imageFormatCode, 8);
    assert.equal(master(scene).imageFormat, 'jpg');
    assert.equal(scene.cameras.length, 4);
    assert.deepEqual([scene.timeline?.min, scene.timeline?.max], [1, 120]);
    assert.deepEqual(external(dependencies), []);
  });

  test('scene_file_to_reference.mb: binary, partial, 2023, plugins, Arnold + exr, 4 cameras', () => {
    const { scene, dependencies } = read('adlmaya__scene_file_to_reference.mb');
    assert.equal(scene.format, 'mb');
    assert.equal(scene.partial, true);
    assert.equal(scene.version, '2023');
    assert.deepEqual(scene.plugins, { stereoCamera: '10.0', mtoa: '5.1.0' });
    assert.equal(master(scene).renderer, 'arnold');
    assert.equal(master(scene).imageFormatKey, 'exr');
    assert.equal(scene.cameras.length, 4);
    assert.deepEqual(renderableCameras(scene), ['perspShape']);
    assert.deepEqual(external(dependencies), []);
    assert.equal(dependencies.all().find((d) => d.kind === 'color-config')?.status, 'builtin');
  });

  test('Ball.ma: Maya 2015, renderManRIS, one relative PxrTexture', () => {
    const { scene, dependencies } = read('mayausd__Ball.ma');
    assert.equal(scene.version, '2015');
    assert.equal(master(scene).renderer, 'renderManRIS');
    assert.deepEqual(external(dependencies), ['texture missing ./tex/ball1.tex']);
  });

  test('PxrUsdPreviewSurfaceExportTest.ma: 2016, no renderer, 2 file textures', () => {
    const { scene, dependencies } = read('mayausd__PxrUsdPreviewSurfaceExportTest.ma');
    assert.equal(scene.version, '2016');
    assert.equal(master(scene).renderer, 'mayaSoftware');
    assert.deepEqual(external(dependencies), [
      'texture missing ./Brazilian_rosewood_pxr128.png',
      'texture missing ./Brazilian_rosewood_pxr128_bmp.png',
    ]);
  });

  test('simpleAnimatedCamera1.ma: 2017ff04, 5 cameras (cameraShape1 not renderable), timeline 1-120 / 200', () => {
    const { scene } = read('mayausd__simpleAnimatedCamera1.ma');
    assert.equal(scene.version, '2017ff04');
    assert.equal(scene.cameras.length, 5);
    assert.equal(scene.cameras.find((c) => c.shape === 'cameraShape1')?.renderable, false);
    assert.deepEqual(scene.timeline, { min: 1, max: 120, animationStart: 1, animationEnd: 200 });
  });

  test('UsdExportUDIMTest.ma: .uvt 3 turns the 1001 tile into <UDIM>', () => {
    const { scene, dependencies } = read('mayausd__UsdExportUDIMTest.ma');
    assert.equal(scene.version, '2018');
    assert.deepEqual(external(dependencies), ['texture missing UdimTest_<UDIM>_color.png']);
  });

  test('treeRef.ma: 2020, mayaUsdPlugin, one USD stage', () => {
    const { scene, dependencies } = read('mayausd__treeRef.ma');
    assert.equal(scene.version, '2020');
    assert.ok('mayaUsdPlugin' in scene.plugins);
    assert.deepEqual(external(dependencies), ['usd missing ./treeRef.usda']);
  });

  test('anim_001.ma: 2022, stale Mayatomr, timeline 2-300, one missing project-rooted reference', () => {
    const { scene, dependencies } = read('mayausd__anim_001.ma');
    assert.equal(scene.version, '2022');
    assert.equal(scene.plugins.Mayatomr, '2013.0 - 3.10.1.4');
    assert.deepEqual([scene.timeline?.min, scene.timeline?.max], [2, 300]);
    assert.deepEqual(external(dependencies), [
      'reference missing /scenes/rhino_model_textured/waking_animation/rhino_rig_001.ma',
    ]);
    assert.equal(scene.references[0]?.fileType, 'mayaAscii');
  });

  test('RfMLightsTest.ma: 2022, px_render, .outf 3, IES profile and two light color maps', () => {
    const { scene, dependencies } = read('mayausd__RfMLightsTest.ma');
    assert.equal(master(scene).renderer, 'px_render');
    assert.equal(master(scene).imageFormatCode, 3);
    assert.deepEqual(external(dependencies), [
      'ies missing ./DiskLight_profile.ies',
      'texture missing ./DomeLight_texture.tex',
      'texture missing ./RectLight_texture.tex',
    ]);
  });

  test('ColorTestStandardSurface.ma: 2024, no renderer, only the builtin OCIO config', () => {
    const { scene, dependencies } = read('mayausd__ColorTestStandardSurface.ma');
    assert.equal(scene.version, '2024');
    assert.equal(master(scene).renderer, 'mayaSoftware');
    assert.deepEqual(external(dependencies), []);
  });

  test('color_management.ma: 2025ff01, mayaHardware2, 7 relative exr textures', () => {
    const { scene, dependencies } = read('mayausd__color_management.ma');
    assert.equal(scene.version, '2025ff01');
    assert.equal(scene.majorVersion, '2025');
    assert.equal(master(scene).renderer, 'mayaHardware2');
    const ext = external(dependencies);
    assert.equal(ext.length, 7);
    assert.ok(ext.every((e) => /^texture missing textures\/color_palette_\w+\.exr$/.test(e)));
  });

  test('every corpus file analyzes into four valid job files', async () => {
    const ws = join(work, 'ws');
    mkdirSync(ws, { recursive: true });
    const { readdirSync, readFileSync } = await import('node:fs');
    for (const name of readdirSync(corpus).filter((n) => /\.m[ab]$/.test(n))) {
      const a = await new AnalyzeMaya({ cgFile: join(corpus, name), workspace: ws }).analyse();
      for (const kind of ['task', 'upload', 'asset', 'tips'] as const) {
        const path = { task: a.taskJson, upload: a.uploadJson, asset: a.assetJson, tips: a.tipsJson }[kind];
        validateJobFile(kind, JSON.parse(readFileSync(path, 'utf8')), `${name} ${kind}.json`);
      }
      const missing = a.dependencies.filter((d) => d.status === 'missing').length;
      assert.equal(a.tipsInfo?.['10012'] !== undefined, missing > 0, name);
    }
  });
});
