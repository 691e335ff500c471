import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { AnalyzeBlender, type BlendInfo, effectiveEngine, readBlend, readBlendFile } from '../src/index.js';
import {
  type BlenderDump,
  blenderDumps,
  findBlender,
  makeBlendFixtures,
} from './fixtures/blend/blender-run.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

/**
 * Tests that need a real Blender: our own fixtures written by
 * fixtures/blend/make-fixtures.py, and the comparison of our reader with
 * Blender's own answer (fixtures/blend/dump-scene.py) for every file this
 * Blender opens. Skipped with a message when `blender` is not installed.
 */
const blender = findBlender();
const corpus = fileURLToPath(new URL('../../../../shared/corpus/blender', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'openfarm-blend-fixtures-'));
const workspace = mkdtempSync(join(tmpdir(), 'openfarm-blend-ws-'));
after(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(workspace, { recursive: true, force: true });
});

const SCENE = join(dir, 'scene.blend');
const SCENE_ZSTD = join(dir, 'scene-zstd.blend');
const SCENE_GZIP = join(dir, 'scene-gzip.blend');

/** The reader's facts in the shape of Blender's dump, as the given Blender version shows them. */
function asBlenderShows(info: BlendInfo, blenderVersion: string) {
  // Blender shows Windows separators as `/` on Linux; the reader keeps the stored text.
  const slash = (p: string) => p.replace(/\\/g, '/');
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    active: info.activeScene,
    scenes: byName(info.scenes).map((s) => ({
      name: s.name,
      start: s.frameStart,
      end: s.frameEnd,
      step: s.frameStep,
      x: s.resolutionX,
      y: s.resolutionY,
      pct: s.resolutionPercentage,
      engine: effectiveEngine(s.engine, blenderVersion),
      fmt: s.fileFormat,
      out: slash(s.outputPath),
      camera: s.camera,
      markers: s.markerCameras,
      view_layers: s.viewLayers.map((v) => ({ name: v.name, use: v.render })),
    })),
    cameras: [...info.cameras].sort(),
    images: byName(
      info.images
        .filter((i) => ['FILE', 'SEQUENCE', 'MOVIE', 'TILED'].includes(i.source))
        .map((i) => ({
          name: i.name,
          path: slash(i.path),
          packed: i.packed,
          source: i.source,
          tiles: i.tiles ?? [],
        })),
    ),
    libraries: info.libraries.map((l) => slash(l.path)),
    // Blender lists a disk cache by its empty `path` field; the reader names the folder Blender uses.
    paths: info.externalFiles
      .filter((f) => !f.packed && !(f.kind === 'point_cache' && f.path.startsWith('//blendcache_')))
      .map((f) => slash(f.path))
      .sort(),
  };
}

function blenderAnswer(d: BlenderDump) {
  const byName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => (a.name < b.name ? -1 : 1));
  return {
    active: d.active,
    scenes: byName(d.scenes),
    cameras: [...d.cameras].sort(),
    images: byName(d.images),
    libraries: d.libraries,
    paths: d.paths.filter((p) => p !== ''),
  };
}

describe('with Blender', {
  skip: requireProgram('blender', { found: blender !== undefined }),
}, () => {
  before(() => {
    makeBlendFixtures(dir);
    writeFileSync(SCENE_GZIP, gzipSync(readFileSync(SCENE)));
  });

  test('our fixture reads the same uncompressed, zstd and gzip', async () => {
    const plain = await readBlendFile(SCENE);
    // Same name on disk, so that the disk-cache folder (blendcache_<name>) is the same too.
    const zstd = readBlend(readFileSync(SCENE_ZSTD), { fileName: 'scene.blend' });
    const gzip = readBlend(readFileSync(SCENE_GZIP), { fileName: 'scene.blend' });
    assert.equal(plain.compression, 'none');
    assert.equal(zstd.compression, 'zstd');
    assert.equal(gzip.compression, 'gzip');
    assert.equal(plain.version, blender!.version);
    const strip = (i: BlendInfo) => ({ ...i, compression: undefined });
    assert.deepEqual(strip(zstd), strip(plain));
    assert.deepEqual(strip(gzip), strip(plain));
    assert.equal(plain.activeScene, 'Main');
    assert.deepEqual(
      plain.scenes.map((s) => [s.name, s.frameStep, s.camera, s.fileFormat, s.movieOutput]),
      [
        ['Main', 2, 'MainCam', 'PNG', false],
        ['Second', 1, null, 'FFMPEG', true],
      ],
    );
    assert.deepEqual(plain.scenes[0]!.markerCameras, [{ frame: 12, camera: 'SideCam' }]);
    assert.deepEqual(plain.scenes[0]!.viewLayers, [
      { name: 'Beauty', render: true },
      { name: 'Mask', render: false },
    ]);
  });

  test('AnalyzeBlender on our fixture: dependencies, sequences, UDIM, packed, library, tips', async () => {
    const a = await new AnalyzeBlender({ cgFile: SCENE_ZSTD, workspace, projectName: 'fixture' }).analyse();
    const task = a.taskInfo!;
    assert.equal(task.software_config.cg_name, 'Blender');
    assert.equal(task.software_config.cg_version, blender!.version);
    assert.equal(task.task_info.cg_id, '2007');
    assert.equal(task.task_info.project_name, 'fixture');
    const info = task.scene_info as { common: Record<string, unknown>; scenes: Record<string, unknown>[] };
    assert.deepEqual(info.common, {
      frames: '5-20[2]',
      width: '320',
      height: '240',
      Render_Format: 'PNG',
      scene_name: ['Main', 'Second'],
      camera_name: 'MainCam',
      Output_path: '//render/main_####',
    });
    assert.deepEqual(task.scene_info_render, task.scene_info);
    assert.deepEqual(
      info.scenes.map((s) => [s.name, s.active, s.frames, s.camera_name, s.Render_Format, s.renderer]),
      [
        ['Main', '1', '5-20[2]', 'MainCam', 'PNG', 'CYCLES'],
        ['Second', '0', '1-3[1]', 'None', 'FFMPEG', 'BLENDER_WORKBENCH'],
      ],
    );
    assert.deepEqual(info.scenes[0]!.marker_cameras, [{ frame: '12', camera_name: 'SideCam' }]);
    assert.deepEqual(info.scenes[0]!.view_layers, [
      { name: 'Beauty', renderable: '1' },
      { name: 'Mask', renderable: '0' },
    ]);

    const tips = a.tipsInfo!;
    assert.deepEqual(Object.keys(tips).sort(), ['10012', '46000', '46001', '46003']);
    assert.equal(tips['10012']!.length, 2);
    assert.match(tips['10012']![0]!, /^Image "missing\.png": .*textures\/missing\.png/);
    assert.match(tips['10012']![1]!, /^Image "udim": .*udim\/tile\.1003\.png/);
    assert.deepEqual(tips['46001'], ['scene "Main": frame step 2']);
    assert.deepEqual(tips['46003'], ['scene "Second" has no camera']);
    assert.equal(tips['46000']!.length, 1);

    const local = (p: string) => p.split('\\').join('/');
    const uploaded = a.uploadInfo!.asset.map((e) => local(e.local));
    const rel = uploaded.map((p) => p.slice(local(dir).length + 1)).sort();
    assert.deepEqual(rel, [
      'abs/absolute.png',
      'audio/beep.wav',
      'cache_ext/sim_000001_00.bphys',
      'ies/spot.ies',
      'lib/library.blend',
      'lib/libtex/lib_only.png',
      'osl/noise.osl',
      'scene-zstd.blend',
      'seq/frame_0001.png',
      'seq/frame_0002.png',
      'seq/frame_0003.png',
      'textures/wood.png',
      'udim/tile.1001.png',
      'udim/tile.1002.png',
      'vdb/smoke_0001.vdb',
      'vdb/smoke_0002.vdb',
    ]);
    assert.ok(!uploaded.some((p) => p.includes('packed')), 'a packed image is not uploaded');
    // The particle bake sits in blendcache_scene/, named after scene.blend: this copy has no bake of its own.
    assert.ok(!uploaded.some((p) => p.includes('blendcache')));
    assert.ok(
      existsSync(a.taskJson) && existsSync(a.tipsJson) && existsSync(a.uploadJson) && existsSync(a.assetJson),
    );
  });

  test('a baked disk cache is uploaded from blendcache_<file name>/', async () => {
    const a = await new AnalyzeBlender({ cgFile: SCENE, workspace }).analyse();
    const bake = a.uploadInfo!.asset.map((e) => e.local).filter((p) => p.includes('/blendcache_scene/'));
    assert.ok(bake.length > 0 && bake.every((p) => p.endsWith('.bphys')), `bake files: ${bake}`);
    const info = await readBlendFile(SCENE);
    assert.deepEqual(
      info.externalFiles.filter((f) => f.kind === 'point_cache').map((f) => [f.path, f.expansion]),
      [
        ['//blendcache_scene/', 'directory'],
        ['//cache_ext', 'directory'],
      ],
    );
  });

  test('Blender agrees with the reader (frame range, resolution, engine, cameras, images, libraries, every external path)', async () => {
    const files = [SCENE, SCENE_ZSTD, join(dir, 'lib', 'library.blend')];
    if (existsSync(corpus)) {
      for (const name of readdirSync(corpus).sort()) {
        if (!/\.blend\d*$/.test(name)) continue;
        const info = await readBlendFile(join(corpus, name));
        // Blender 3.4 cannot open files from 4.x/5.x (crash or "not a blend file").
        if (info.fileVersion <= 306) files.push(join(corpus, name));
      }
    }
    const dumps = blenderDumps(files);
    for (const file of files) {
      const dump = dumps.get(file);
      assert.ok(dump && !dump.error, `Blender gave no answer for ${file}: ${dump?.error}`);
      const ours = asBlenderShows(await readBlendFile(file), blender!.version);
      assert.deepEqual(ours, blenderAnswer(dump), file);
    }
  });
});
