import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeBlender, type BlendInfo, readBlendFile } from '../src/index.js';

/**
 * Conformance over the real .blend files of the shared corpus: every fact
 * its SOURCES.md lists per file (version, compression, scenes with range,
 * resolution, percentage, engine, output and camera, cameras, view layers,
 * images with packed status, libraries, UDIM).
 */
const corpus = fileURLToPath(new URL('../../../../shared/corpus/blender', import.meta.url));
const present = existsSync(corpus);

interface SceneFact {
  name: string;
  range: [number, number, number];
  res: [number, number, number];
  engine: string;
  out?: string;
  camera: string | null;
  layers?: string[];
}

interface Fact {
  version: string;
  compression: BlendInfo['compression'];
  header?: BlendInfo['headerFormat'];
  scenes: SceneFact[];
  cameras?: string[];
  /** path → packed */
  images?: Record<string, boolean>;
  libraries?: string[];
  /** External, unpacked references an analyzer reports. */
  extRefs: number;
}

const FACTS: Record<string, Fact> = {
  'b2bam__edit_mode.blend': {
    version: '2.79',
    compression: 'gzip',
    scenes: [
      {
        name: 'Scene',
        range: [1, 250, 1],
        res: [1920, 1080, 50],
        engine: 'BLENDER_RENDER',
        out: '/tmp/',
        camera: null,
      },
    ],
    cameras: [],
    extRefs: 0,
  },
  'gltfio__02_suzanne.blend': {
    version: '2.78',
    compression: 'none',
    scenes: [
      { name: 'Scene', range: [1, 250, 1], res: [1920, 1080, 50], engine: 'CYCLES', camera: 'Camera' },
    ],
    cameras: ['Camera'],
    images: {
      '//02_Suzanne_BaseColor.png': false,
      '//02_suzanne_Normal.png': false,
      '//02_Suzanne_OcclusionRoughnessMetallic.png': false,
      '//..\\environments\\field.hdr': false,
    },
    libraries: ['//..\\pbr_node\\glTF2.blend'],
    extRefs: 5,
  },
  'godotexp__just_cameras.blend': {
    version: '2.80',
    compression: 'gzip',
    scenes: [
      { name: 'Scene', range: [1, 250, 1], res: [1920, 1080, 50], engine: 'BLENDER_EEVEE', camera: 'Camera' },
    ],
    cameras: ['Camera', 'Camera.001', 'Camera.002', 'Camera.003', 'Camera.004'],
    extRefs: 0,
  },
  'armory__material_bake.blend': {
    version: '2.93',
    compression: 'gzip',
    scenes: [
      { name: 'Scene', range: [1, 250, 1], res: [1920, 1080, 50], engine: 'CYCLES', camera: 'Camera' },
    ],
    images: {
      'C:/Users/lubos/Documents/Armory/armory_examples/material_baked/build_baked/compiled/Assets/unpacked/Box_baked.jpg': true,
      'C:/Users/lubos/Documents/Armory/armory_examples/material_baked/build_baked/compiled/Assets/unpacked/Cube_baked.jpg': true,
      'C:/Users/lubos/Documents/Armory/armory_examples/material_baked/build_baked/compiled/Assets/unpacked/Sphere_baked.jpg': true,
    },
    extRefs: 0,
  },
  'armory__game_bowling.blend': {
    version: '3.3',
    compression: 'zstd',
    scenes: [
      {
        name: 'Game',
        range: [1, 250, 1],
        res: [1280, 720, 100],
        engine: 'BLENDER_EEVEE',
        out: '/tmp\\',
        camera: 'Camera',
      },
      {
        name: 'Menu',
        range: [1, 250, 1],
        res: [1280, 720, 100],
        engine: 'BLENDER_EEVEE',
        out: '//',
        camera: 'CameraMenu',
      },
    ],
    images: {
      '//Assets\\floor_base.jpg': false,
      '//Assets\\floor_nor.jpg': false,
      '//Assets\\floor_occ.jpg': false,
      '//Assets\\floor_rough.jpg': false,
    },
    libraries: ['//pin.blend'],
    extRefs: 5,
  },
  'adlblend__Monkay.blend': {
    version: '3.6',
    compression: 'none',
    scenes: [
      {
        name: 'Scene',
        range: [1, 2, 1],
        res: [640, 480, 100],
        engine: 'BLENDER_EEVEE',
        out: '/tmp\\',
        camera: 'Camera',
      },
      {
        name: 'Scene.001',
        range: [1, 5, 1],
        res: [1920, 1080, 100],
        engine: 'BLENDER_EEVEE',
        out: '//',
        camera: 'Camera.001',
        layers: ['ViewLayer', 'ViewLayer_001', 'ViewLayer_002', 'ViewLayer_003'],
      },
    ],
    cameras: ['Camera', 'Camera.001', 'Camera.002', 'Camera.003', 'Camera.004'],
    extRefs: 0,
  },
  'adlblend__suzanne_cameras_and_viewlayers.blend1': {
    version: '4.0',
    compression: 'none',
    scenes: [
      {
        name: 'Scene',
        range: [1, 4, 1],
        res: [1920, 1080, 100],
        engine: 'CYCLES',
        out: '/tmp\\',
        camera: 'CameraRight',
        layers: ['ViewLayerNoBG', 'ViewLayer_NoBacklight'],
      },
    ],
    cameras: ['CameraRight', 'CamFront', 'CamFrontLeft'],
    images: { '//textures\\pexels-fwstudio-129733.jpg': false, '//textures\\wood.jpg': false },
    extRefs: 2,
  },
  'gltfio__33_udim_merged.blend': {
    version: '4.2',
    compression: 'none',
    scenes: [
      {
        name: 'Scene',
        range: [1, 250, 1],
        res: [1920, 1080, 100],
        engine: 'BLENDER_EEVEE_NEXT',
        camera: 'Camera',
      },
    ],
    images: { '//test_merged.<UDIM>.png': false, '//test_merged_2.<UDIM>.png': false },
    extRefs: 2,
  },
  'armory__navmesh.blend': {
    version: '4.3',
    compression: 'zstd',
    scenes: [
      {
        name: 'Scene',
        range: [1, 250, 1],
        res: [1920, 1080, 50],
        engine: 'BLENDER_EEVEE_NEXT',
        out: '/tmp\\',
        camera: 'Camera',
      },
    ],
    images: { '//checker_rough.png': true, '//gridbox2.png': false },
    extRefs: 1,
  },
  'gltfio__37_lamp_Cycles.blend': {
    version: '5.2',
    compression: 'zstd',
    header: '5.x',
    scenes: [
      { name: 'Scene', range: [1, 250, 1], res: [1920, 1080, 100], engine: 'CYCLES', camera: 'Camera' },
    ],
    cameras: ['Camera'],
    extRefs: 0,
  },
};

const workspace = mkdtempSync(join(tmpdir(), 'openfarm-blend-corpus-'));
after(() => rmSync(workspace, { recursive: true, force: true }));

describe('corpus .blend conformance', { skip: present ? false : 'shared corpus not present' }, () => {
  for (const [file, fact] of Object.entries(FACTS)) {
    test(file, async () => {
      const info = await readBlendFile(join(corpus, file));
      assert.equal(info.version, fact.version);
      assert.equal(info.compression, fact.compression);
      assert.equal(info.headerFormat, fact.header ?? 'legacy');
      assert.deepEqual(
        info.scenes.map((s) => ({
          name: s.name,
          range: [s.frameStart, s.frameEnd, s.frameStep],
          res: [s.resolutionX, s.resolutionY, s.resolutionPercentage],
          engine: s.engine,
          camera: s.camera,
        })),
        fact.scenes.map(({ name, range, res, engine, camera }) => ({ name, range, res, engine, camera })),
      );
      fact.scenes.forEach((want, i) => {
        const got = info.scenes[i]!;
        if (want.out !== undefined) assert.equal(got.outputPath, want.out);
        if (want.layers !== undefined)
          assert.deepEqual(
            got.viewLayers.map((l) => l.name),
            want.layers,
          );
      });
      if (fact.cameras) assert.deepEqual(info.cameras, fact.cameras);
      const images = Object.fromEntries(
        info.images.filter((im) => im.source !== 'VIEWER').map((im) => [im.path, im.packed]),
      );
      assert.deepEqual(images, fact.images ?? {});
      assert.deepEqual(
        info.libraries.map((l) => l.path),
        fact.libraries ?? [],
      );
      const external = info.externalFiles.filter((f) => !f.packed && f.kind !== 'text');
      assert.equal(external.length, fact.extRefs);
    });
  }

  test('UDIM images expand as tiles; packed images are never missing', async () => {
    const udim = await readBlendFile(join(corpus, 'gltfio__33_udim_merged.blend'));
    assert.deepEqual(
      udim.externalFiles.map((f) => [f.path, f.expansion, f.tiles]),
      [
        ['//test_merged.<UDIM>.png', 'udim', [1001, 1002]],
        ['//test_merged_2.<UDIM>.png', 'udim', [1001, 1002]],
      ],
    );
    // Each listed tile is a file of its own; none is next to the corpus copy.
    const a = await new AnalyzeBlender({
      cgFile: join(corpus, 'gltfio__33_udim_merged.blend'),
      workspace,
    }).analyse();
    assert.equal(a.tipsInfo?.['10012']?.length, 4);
    assert.ok(a.tipsInfo?.['10012']?.some((t) => t.includes('test_merged_2.1002.png')));
    const bake = await new AnalyzeBlender({
      cgFile: join(corpus, 'armory__material_bake.blend'),
      workspace,
    }).analyse();
    assert.equal(bake.tipsInfo?.['10012'], undefined);
  });

  test('softwareVersion: the renderer the chosen Blender uses, 15013 when it differs from the saved version', async () => {
    const file = join(corpus, 'b2bam__edit_mode.blend');
    const renderer = (a: AnalyzeBlender) =>
      (a.taskInfo!.scene_info as { scenes: { renderer: string }[] }).scenes[0]!.renderer;
    const asSaved = await new AnalyzeBlender({ cgFile: file, workspace }).analyse();
    assert.equal(asSaved.taskInfo?.software_config.cg_version, '2.79');
    assert.equal(renderer(asSaved), 'BLENDER_RENDER');
    assert.equal(asSaved.tipsInfo?.['15013'], undefined);
    assert.deepEqual(asSaved.tipsInfo?.['46003'], ['scene "Scene" has no camera']);
    const on34 = await new AnalyzeBlender({ cgFile: file, workspace, softwareVersion: '3.4' }).analyse();
    assert.equal(on34.taskInfo?.software_config.cg_version, '3.4');
    assert.equal(renderer(on34), 'BLENDER_EEVEE');
    assert.equal(on34.tipsInfo?.['15013']?.length, 1);
  });

  test('AnalyzeBlender on a two-scene zstd file: every scene, missing files as 10012', async () => {
    const a = await new AnalyzeBlender({
      cgFile: join(corpus, 'armory__game_bowling.blend'),
      workspace,
    }).analyse();
    assert.equal(a.taskInfo?.software_config.cg_version, '3.3');
    assert.equal(a.taskInfo?.task_info.cg_id, '2007');
    const info = a.taskInfo?.scene_info as {
      common: Record<string, unknown>;
      scenes: Record<string, unknown>[];
    };
    // `common` describes the scene the file opens with (Menu), as the reference's check.py does.
    assert.deepEqual(info.common, {
      frames: '1-250[1]',
      width: '1280',
      height: '720',
      Render_Format: 'PNG',
      scene_name: ['Game', 'Menu'],
      camera_name: 'CameraMenu',
      Output_path: '//',
    });
    assert.deepEqual(
      info.scenes.map((s) => [s.name, s.active, s.camera_name, s.Output_path]),
      [
        ['Game', '0', 'Camera', '/tmp\\'],
        ['Menu', '1', 'CameraMenu', '//'],
      ],
    );
    const missing = a.tipsInfo?.['10012'] ?? [];
    assert.equal(missing.length, 5);
    assert.ok(missing.some((m) => m.startsWith('Library "Lib"') && m.includes('pin.blend')));
    assert.ok(missing.some((m) => m.includes('Assets/floor_base.jpg')));
  });
});
