import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AnalyzeBlender, analyzerFor, analyzeScene } from '../src/index.js';
import { SAMPLE_CONTENT, writeSyntheticBlend, zstdStoreBlend } from './fixtures/blend/synthetic-blend.js';

/**
 * AnalyzeBlender end to end on a synthetic 32-bit big-endian .blend (zstd),
 * so the job files are tested without Blender or the corpus: `//` paths with
 * Windows separators, UDIM tiles found on disk, a packed image with a
 * foreign absolute path, a missing library, and the three Blender tips.
 */
const dir = mkdtempSync(join(tmpdir(), 'openfarm-blend-analyze-'));
const workspace = join(dir, 'jobs');
after(() => rmSync(dir, { recursive: true, force: true }));

function touch(rel: string) {
  const p = join(dir, ...rel.split('/'));
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, rel);
}

test('AnalyzeBlender writes the reference job files for a synthetic big-endian 32-bit zstd .blend', async () => {
  mkdirSync(workspace);
  touch('textures/wood.png');
  touch('tex/tiles.1001.exr');
  touch('tex/tiles.1002.exr');
  touch('tex/other.1001.exr');
  const cgFile = join(dir, 'shot.blend2');
  const layout = { pointerSize: 4, littleEndian: false, header: 'legacy', version: 279 } as const;
  writeFileSync(cgFile, zstdStoreBlend(writeSyntheticBlend(layout, SAMPLE_CONTENT)));

  assert.equal(analyzerFor(cgFile), AnalyzeBlender);
  const a = (await analyzeScene(cgFile, { workspace, projectName: 'synthetic' })) as AnalyzeBlender;
  assert.ok(a instanceof AnalyzeBlender);
  assert.equal(a.taskInfo?.software_config.cg_version, '2.79');
  assert.equal(a.taskInfo?.task_info.cg_id, '2007');
  const info = a.taskInfo?.scene_info as {
    common: Record<string, unknown>;
    scenes: Record<string, unknown>[];
  };
  assert.deepEqual(info.common, {
    frames: '10-90[1]',
    width: '2048',
    height: '858',
    Render_Format: 'OPEN_EXR',
    scene_name: ['Shot', 'Edit'],
    camera_name: 'ShotCam',
    Output_path: '//out/shot_####',
  });
  assert.deepEqual(
    info.scenes.map((s) => [
      s.name,
      s.active,
      s.frames,
      s.resolution_percentage,
      s.renderer,
      s.Render_Format,
    ]),
    [
      ['Shot', '1', '10-90[1]', '100', 'CYCLES', 'OPEN_EXR'],
      ['Edit', '0', '1-48[3]', '25', 'BLENDER_EEVEE', 'FFMPEG'],
    ],
  );

  const tips = a.tipsInfo!;
  assert.deepEqual(Object.keys(tips).sort(), ['10012', '46000', '46001', '46003']);
  assert.deepEqual(tips['46000'], ['scene "Edit": output format FFMPEG is a movie']);
  assert.deepEqual(tips['46001'], ['scene "Edit": frame step 3']);
  assert.deepEqual(tips['46003'], ['scene "Edit" has no camera']);
  // The library is missing; the packed image's foreign path is not.
  assert.equal(tips['10012']!.length, 1);
  assert.match(tips['10012']![0]!, /^Library "props\.blend": .*lib\/props\.blend/);

  const rel = a.uploadInfo!.asset.map((e) => e.local.slice(dir.split('\\').join('/').length + 1)).sort();
  assert.deepEqual(rel, ['shot.blend2', 'tex/tiles.1001.exr', 'tex/tiles.1002.exr', 'textures/wood.png']);
});
