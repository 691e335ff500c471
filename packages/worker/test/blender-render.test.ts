/**
 * Blender renders for real: the generated sample scene, staged as a farm node
 * stages it, with its absolute texture path from another machine remapped.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { localToServerPath } from '@openfarm/protocol';
import {
  blenderAdapter,
  type InstalledRenderer,
  type RenderEvent,
  runRender,
  type TaskJson,
} from '@openfarm/worker';
import { PNG } from 'pngjs';
import { generateSampleScene, type SampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

const ABS_REF = 'C:\\Projects\\demo\\textures\\stripes.png';
const root = mkdtempSync(join(tmpdir(), 'openfarm-blender-'));
let installed: InstalledRenderer | undefined;
let scene: SampleScene;

const task: TaskJson = {
  task_info: { task_id: '1', frames_per_task: '1' },
  software_config: { cg_name: 'Blender', cg_version: '3.4', plugins: {} },
  scene_info: { common: { frames: '1-4[1]', width: '64', height: '64', Render_Format: 'PNG' } },
};

/** Lay the scene out as a node stages it: at its server path (`D:\projects\demo` → `/D/projects/demo`). */
function stage(name: string, withAbsoluteTexture: boolean): { stagingRoot: string; scenePath: string } {
  const stagingRoot = join(root, name, 'stage');
  const sceneDir = join(stagingRoot, 'D', 'projects', 'demo');
  mkdirSync(join(sceneDir, 'textures'), { recursive: true });
  copyFileSync(scene.blendPath, join(sceneDir, 'sample.blend'));
  copyFileSync(scene.relativeTexture, join(sceneDir, 'textures', 'checker.png'));
  if (withAbsoluteTexture) {
    const abs = join(stagingRoot, 'C', 'Projects', 'demo', 'textures');
    mkdirSync(abs, { recursive: true });
    copyFileSync(scene.absoluteTextureFile, join(abs, 'stripes.png'));
  }
  return { stagingRoot, scenePath: join(sceneDir, 'sample.blend') };
}

function pixel(png: PNG, x: number, y: number): [number, number, number] {
  const i = (png.width * y + x) * 4;
  return [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!];
}

/** Blender's missing-texture colour is pure magenta. */
function isMagenta([r, g, b]: [number, number, number]): boolean {
  return r > 200 && g < 60 && b > 200;
}

before(async () => {
  installed = await blenderAdapter.detect();
  if (installed)
    scene = generateSampleScene({ outDir: join(root, 'scene'), absoluteTextureRef: ABS_REF, frames: 4 });
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('Blender adapter, real renders', () => {
  test('detect reads the version from Blender itself', (t) => {
    const skip = requireProgram('blender', { found: installed !== undefined });
    if (skip || !installed) return t.skip(skip || undefined);
    assert.match(installed.version, /^\d+\.\d+(\.\d+)?/);
    assert.equal(typeof installed.features?.openimagedenoise, 'boolean');
  });

  test('renders frames 1-2 of the sample scene with both textures found', async (t) => {
    const skip = requireProgram('blender', { found: installed !== undefined });
    if (skip || !installed) return t.skip(skip || undefined);
    const { stagingRoot, scenePath } = stage('ok', true);
    const events: RenderEvent[] = [];
    const lines: string[] = [];
    const result = await runRender(
      blenderAdapter,
      installed,
      {
        task,
        scenePath,
        stagingRoot,
        frames: { start: 1, end: 2, step: 1 },
        outputDir: join(root, 'ok', 'out'),
        workDir: join(root, 'ok', 'work'),
        threads: 1,
      },
      { onEvent: (e) => events.push(e), onLine: (l) => lines.push(l) },
    );
    assert.equal(result.ok, true, lines.join('\n'));
    assert.deepEqual(
      result.outputs.map((p) => p.slice(p.lastIndexOf('/') + 1)),
      ['sample_0001.png', 'sample_0002.png'],
    );
    assert.deepEqual(
      events.filter((e) => e.kind === 'frame').map((e) => (e.kind === 'frame' ? e.frame : 0)),
      [1, 2],
    );
    assert.ok(
      events.some((e) => e.kind === 'progress' && e.fraction === 1),
      'sample progress reached 4/4',
    );
    assert.ok(
      lines.some((l) => l.includes('OPENFARM remap images') && l.includes('stripes.png')),
      'the absolute path was remapped',
    );
    const images = result.outputs.map((p) => PNG.sync.read(readFileSync(p)));
    for (const png of images) {
      assert.equal(png.width, 64);
      assert.equal(png.height, 64);
      // Right plane: the absolute-path texture (orange/white stripes), never magenta.
      for (const x of [36, 40, 44, 52, 60]) {
        const p = pixel(png, x, 40);
        assert.ok(!isMagenta(p), `absolute texture missing at (${x},40): ${p}`);
        assert.ok(p[0] > 200, `stripes are orange or white at (${x},40): ${p}`);
      }
      // Left plane: the relative texture (green/blue checker).
      for (const x of [4, 12, 20, 28]) {
        const p = pixel(png, x, 40);
        assert.ok(!isMagenta(p) && p[0] < 100, `relative texture at (${x},40): ${p}`);
      }
    }
    // The moving cube is at a different place in frames 1 and 2.
    assert.notDeepEqual(images[0]!.data, images[1]!.data);
  });

  test('without the remapped texture staged the same pixels are magenta (the check can fail)', async (t) => {
    const skip = requireProgram('blender', { found: installed !== undefined });
    if (skip || !installed) return t.skip(skip || undefined);
    const { stagingRoot, scenePath } = stage('missing', false);
    const lines: string[] = [];
    const result = await runRender(
      blenderAdapter,
      installed,
      {
        task,
        scenePath,
        stagingRoot,
        frames: { start: 3, end: 3, step: 1 },
        outputDir: join(root, 'missing', 'out'),
        workDir: join(root, 'missing', 'work'),
        threads: 1,
      },
      { onLine: (l) => lines.push(l) },
    );
    assert.equal(result.ok, true);
    assert.ok(lines.some((l) => l.startsWith('OPENFARM missing images')));
    const png = PNG.sync.read(readFileSync(result.outputs[0]!));
    assert.ok(isMagenta(pixel(png, 44, 40)));
  });

  // The same scene with its absolute texture saved on a Mac and on a Windows share: the copy is
  // staged where the farm's path rule (the SDK uploads with it) puts that path, and Blender finds it.
  for (const [label, ref] of [
    ['macOS', '/Users/artist/demo/textures/stripes.png'],
    ['UNC', '\\\\srv\\share\\demo\\textures\\stripes.png'],
  ] as const) {
    test(`a texture saved at a ${label} path (${ref}) is remapped to its staged copy`, async (t) => {
      const skip = requireProgram('blender', { found: installed !== undefined });
      if (skip || !installed) return t.skip(skip || undefined);
      const other = generateSampleScene({
        outDir: join(root, `${label}-scene`),
        absoluteTextureRef: ref,
        frames: 1,
      });
      const stagingRoot = join(root, label, 'stage');
      const sceneDir = join(stagingRoot, 'D', 'projects', 'demo');
      mkdirSync(join(sceneDir, 'textures'), { recursive: true });
      copyFileSync(other.blendPath, join(sceneDir, 'sample.blend'));
      copyFileSync(other.relativeTexture, join(sceneDir, 'textures', 'checker.png'));
      const staged = join(stagingRoot, localToServerPath(ref));
      mkdirSync(join(staged, '..'), { recursive: true });
      copyFileSync(other.absoluteTextureFile, staged);
      const lines: string[] = [];
      const result = await runRender(
        blenderAdapter,
        installed,
        {
          task,
          scenePath: join(sceneDir, 'sample.blend'),
          stagingRoot,
          frames: { start: 1, end: 1, step: 1 },
          outputDir: join(root, label, 'out'),
          workDir: join(root, label, 'work'),
          threads: 1,
        },
        { onLine: (l) => lines.push(l) },
      );
      assert.equal(result.ok, true, lines.join('\n'));
      assert.ok(
        lines.some((l) => l.includes('OPENFARM remap images') && l.includes(staged)),
        lines.join('\n'),
      );
      const png = PNG.sync.read(readFileSync(result.outputs[0]!));
      for (const x of [36, 40, 44, 52, 60]) {
        const p = pixel(png, x, 40);
        assert.ok(!isMagenta(p) && p[0] > 200, `the staged texture at (${x},40): ${p}`);
      }
    });
  }
});
