import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeHoudini, type HoudiniRop, type HoudiniScene, readHoudiniScene } from '../src/index.js';

/** Real scenes saved by Houdini itself, beside the repository; the facts asserted are those of its SOURCES.md. */
const corpus = fileURLToPath(new URL('../../../../shared/corpus/houdini', import.meta.url));
const present = existsSync(corpus);
const skip = present ? false : 'shared corpus not present';
const workspace = mkdtempSync(join(tmpdir(), 'openfarm-houdini-corpus-'));
after(() => rmSync(workspace, { recursive: true, force: true }));

function file(name: string): string {
  return join(corpus, name);
}

function read(name: string): HoudiniScene {
  return readHoudiniScene(readFileSync(file(name)), { hipFile: file(name), env: {} });
}

const HIP = corpus.replace(/\\/g, '/');

function rop(scene: HoudiniScene, node: string): HoudiniRop {
  const found = scene.rops.find((r) => r.node === node);
  assert.ok(found, `ROP ${node}`);
  return found;
}

function realFiles(scene: HoudiniScene): string[] {
  return scene.files.filter((f) => f.status === 'file').map((f) => f.path!);
}

describe('Houdini corpus', { skip }, () => {
  test('versions, global range and fps', () => {
    const expected: Record<string, [string, number, number]> = {
      'qlib__uv_pointcloud_ql_SOP_COP.hip': ['16.5.678', 1, 240],
      'qlib__aim_ql_OBJ.hip': ['17.5.556', 1, 240],
      'hutb__test_parameters.hipnc': ['18.0.562', 1, 240],
      'hutb__test_parameters.hip': ['18.5.732', 1, 240],
      'sfxlabs__ast_calculate_occlusion.hip': ['18.5.590', 1, 120],
      'sfxlabs__ast_measure_curvature.hip': ['19.0.428', 1, 240],
      'sfxlabs__extract_image_metadata.1.1.hip': ['19.5.534', 1, 240],
      'sfxlabs__karma_aovs_for_prman_denoiser.1.0.hip': ['20.0.653', 1, 240],
      'sfxlabs__loop_volume.1.0.hip': ['20.0.506', 1, 64],
      'sfxlabs__alicevision_demoscene.hip': ['20.5.332', 1, 240],
    };
    for (const [name, [version, start, end]] of Object.entries(expected)) {
      const scene = read(name);
      assert.deepEqual(
        [scene.version, scene.frameStart, scene.frameEnd, scene.fps],
        [version, start, end, 24],
        name,
      );
    }
  });

  test('Apprentice .hipnc: same Mantra ROP as the commercial re-save; $FSTART/$FEND and the output expression', () => {
    const nc = read('hutb__test_parameters.hipnc');
    const hip = read('hutb__test_parameters.hip');
    assert.equal(nc.container, 'apprentice');
    assert.equal(hip.container, 'cpio');
    const mantra = rop(nc, '/out/mantra1');
    assert.equal(mantra.type, 'ifd');
    assert.deepEqual(mantra.frames, { start: 1, end: 240, step: 1 });
    assert.equal(mantra.trange, 'off');
    assert.equal(mantra.camera, '/obj/cam1');
    assert.deepEqual(mantra.resolutionOverride, { enabled: false, width: 1280, height: 720 });
    // The channel expression wins over the cached, differently named value.
    assert.equal(mantra.outputRaw, '$HIP/render/$HIPNAME.$OS.$F4.exr');
    assert.equal(mantra.output, `${HIP}/render/hutb__test_parameters.mantra1.$F4.exr`);
    assert.deepEqual(hip.rops, nc.rops);
    // soho_diskfile ($HIP/mantra.ifd) is an inactive export target, neither output nor input.
    assert.deepEqual(realFiles(hip), []);
    assert.deepEqual(realFiles(nc), []);
  });

  test('qLib: Mantra ROPs render to MPlay with literal 1-240, overrides off; only built-in paths', () => {
    for (const name of ['qlib__uv_pointcloud_ql_SOP_COP.hip', 'qlib__aim_ql_OBJ.hip']) {
      const scene = read(name);
      const mantra = rop(scene, '/out/mantra1');
      assert.equal(mantra.outputToViewer, true, name);
      assert.equal(mantra.output, undefined, name);
      assert.deepEqual(mantra.frames, { start: 1, end: 240, step: 1 }, name);
      assert.deepEqual(mantra.cachedFrames, [1, 240, 1], name);
      assert.equal(mantra.trange, 'off', name);
      assert.deepEqual(mantra.resolutionOverride, { enabled: false, width: 640, height: 480 }, name);
      assert.deepEqual(realFiles(scene), [], name);
      assert.ok(
        scene.assetLibraries.every((l) => l.path.includes('/qLib-dev/otls/')),
        name,
      );
    }
    const uv = read('qlib__uv_pointcloud_ql_SOP_COP.hip');
    const builtins = uv.files.filter((f) => f.status === 'builtin').map((f) => f.raw);
    for (const raw of ['defcam.bgeo', 'circle.pic', 'temp:$OS.rat', 'DOSCH_CARB_04SN_lowres.rat']) {
      assert.ok(builtins.includes(raw), raw);
    }
    assert.ok(builtins.some((raw) => raw.startsWith('opdef:')));
    // The dopnet's $SF sim caches are only read in playback mode, which is off.
    assert.equal(
      uv.files.some((f) => f.raw.includes('$SF')),
      false,
    );
  });

  test('calculate_occlusion: four absolute Windows references, all missing → tip 50001', async () => {
    const scene = read('sfxlabs__ast_calculate_occlusion.hip');
    assert.deepEqual(scene.rops, []);
    assert.deepEqual(realFiles(scene).sort(), [
      'D:/SideFX/Files/Sketchfab/source/BigRock.obj',
      'D:/SideFX/Files/Sketchfab/textures/scene_lambert2_BaseColor.png',
      'D:/SideFX/Files/Sketchfab/textures/scene_lambert2_BaseColor.png',
      'D:/SideFX/Pics/Artstation_Labs/Occlusion/source/model/qunari.OBJ',
    ]);
    const analyzer = await new AnalyzeHoudini({
      cgFile: file('sfxlabs__ast_calculate_occlusion.hip'),
      workspace,
    }).analyse();
    const tips = analyzer.tipsInfo!['50001']!;
    assert.equal(tips.length, 3);
    assert.ok(tips.some((t) => t.includes('/obj/geo1/file1.file') && t.includes('qunari.OBJ')));
    assert.ok(tips.some((t) => t.includes('BigRock.obj')));
    const png = tips.find((t) => t.includes('scene_lambert2_BaseColor.png'))!;
    assert.match(png, /quickmaterial4\.pbr_basecolor_texture_1/);
    assert.match(png, /Material_1\.basecolor_texture/);
    // Built-in defaults (default.pic, uvgrid_grey.pic, opdef:) are never reported.
    assert.equal(
      tips.some((t) => /default\.pic|uvgrid_grey|opdef:/.test(t)),
      false,
    );
    assert.deepEqual(
      analyzer.uploadInfo!.asset.map((a) => a.local),
      [file('sfxlabs__ast_calculate_occlusion.hip').replace(/\\/g, '/')],
    );
  });

  test('measure_curvature: FBX ROP in a SOP network, Labs VAT ROPs in /out with $RFSTART/$RFEND over stale 0-0', () => {
    const scene = read('sfxlabs__ast_measure_curvature.hip');
    const fbx = rop(scene, '/obj/geo1/rop_fbx1');
    assert.equal(fbx.role, 'cache');
    assert.equal(fbx.output, `${HIP}/export/hardsurface.fbx`);
    assert.deepEqual(fbx.frames, { start: 1, end: 240, step: 1 });
    assert.equal(fbx.trange, 'off');
    for (const node of ['/out/vertex_animation_textures1', '/out/vertex_animation_textures2']) {
      const vat = rop(scene, node);
      assert.equal(vat.type, 'labs::vertex_animation_textures::3.0');
      assert.deepEqual(vat.cachedFrames, [0, 0]);
      assert.deepEqual(vat.frames, { start: 1, end: 240, step: 1 });
    }
    // The FBX written by the ROP is an output, not something to upload.
    assert.deepEqual(realFiles(scene), []);
  });

  test('extract_image_metadata: TOP filepattern is the one reference', () => {
    const scene = read('sfxlabs__extract_image_metadata.1.1.hip');
    assert.deepEqual(
      scene.files.map((f) => [f.node, f.parm, f.path]),
      [['/tasks/topnet1/filepattern1', 'pattern', `${HIP}/tex/example_image.png`]],
    );
  });

  test('Karma: usdrender ROP takes image, camera and resolution from the render settings LOP', () => {
    const scene = read('sfxlabs__karma_aovs_for_prman_denoiser.1.0.hip');
    const karma = rop(scene, '/stage/usdrender_rop3');
    assert.equal(karma.renderDelegate, 'BRAY_HdKarma');
    assert.equal(karma.renderSettingsNode, '/stage/karmarendersettings');
    assert.equal(karma.output, `${HIP}/render/denoiseme.$F4.exr`);
    assert.equal(karma.camera, '/cameras/camera1');
    assert.deepEqual(karma.resolution, { width: 1280, height: 720, source: 'render-settings' });
    assert.deepEqual(karma.frames, { start: 1, end: 240, step: 1 });
    assert.ok(scene.cameras.includes('/cameras/camera1'));
    const dome = scene.files.find((f) => f.node === '/stage/domelight1');
    assert.equal(dome?.status, 'builtin');
    assert.deepEqual(realFiles(scene), []);
  });

  test('loop_volume: File Cache 2.0 with Load from Disk is a per-frame dependency', () => {
    const scene = read('sfxlabs__loop_volume.1.0.hip');
    const cache = rop(scene, '/obj/bonfire/pyro_sim');
    assert.equal(cache.type, 'filecache::2.0');
    assert.equal(cache.trange, 'normal');
    assert.deepEqual(cache.frames, { start: 1, end: 240, step: 1 });
    const expected = `${HIP}/geo/sfxlabs__loop_volume.1.0.pyro_sim/v1/sfxlabs__loop_volume.1.0.pyro_sim.$F4.bgeo.sc`;
    assert.equal(cache.output, expected);
    const dependency = scene.files.find((f) => f.node === '/obj/bonfire/pyro_sim');
    assert.deepEqual([dependency?.status, dependency?.path, dependency?.sequence], ['file', expected, true]);
  });

  test('alicevision: six photos referenced by two nodes each and the doubled-backslash Windows path', () => {
    const scene = read('sfxlabs__alicevision_demoscene.hip');
    const files = realFiles(scene);
    for (let n = 9366; n <= 9371; n++) {
      assert.equal(files.filter((f) => f === `${HIP}/tex/IMG_${n}.jpg`).length, 2, `IMG_${n}`);
    }
    const windows = scene.files.filter((f) => f.path?.endsWith('texture_1001.png'));
    assert.ok(windows.length >= 1);
    for (const ref of windows) {
      assert.equal(
        ref.raw,
        'C:\\Users\\Danicka\\Downloads\\AV_Cache\\alicevision_demoscene\\11_Texturing\\texture_1001.png',
      );
      assert.equal(
        ref.path,
        'C:/Users/Danicka/Downloads/AV_Cache/alicevision_demoscene/11_Texturing/texture_1001.png',
      );
    }
    assert.ok(new Set(files).size >= 7);
    // The Labs photogrammetry HDAs come from the artist's Labs install, not from Houdini.
    assert.ok(scene.assetLibraries.some((l) => l.path.endsWith('SideFXLabs/otls/av_photogrammetry.5.0.hda')));
    assert.ok(scene.assetLibraries.every((l) => !l.path.includes('/houdini/otls/')));
    assert.equal(
      scene.files.some((f) => f.raw.includes('$HH')),
      true,
    );
    assert.equal(
      scene.files.filter((f) => f.raw.includes('$HH')).every((f) => f.status === 'builtin'),
      true,
    );
  });
});
