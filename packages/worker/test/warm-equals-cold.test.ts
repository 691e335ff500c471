/**
 * A frame rendered in a warm Blender (scene loaded once, frames asked over its
 * stdin) is pixel for pixel the frame a cold `blender -b … -f N` renders, on the
 * sample scene and on a scene whose frames differ through an image-sequence
 * texture and drivers (generated here with the node's own Blender). Frames are
 * rendered warm out of order and one after another in one process, so state
 * carried over from an earlier frame would show. Compared with oiiotool --diff
 * (PNG metadata holds render times, so bytes may differ where pixels do not).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  blenderAdapter,
  groupAlive,
  type InstalledRenderer,
  type RenderJob,
  runRender,
  WarmSession,
} from '@openfarm/worker';
import { generateSampleScene } from '../../../scripts/sample-scene/generate.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

let root: string;
let blender: InstalledRenderer | undefined;
const ANIMATED = fileURLToPath(new URL('fixtures/make_animated_scene.py', import.meta.url));

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'openfarm-warm-equals-'));
  blender = await blenderAdapter.detect();
});
after(() => rm(root, { recursive: true, force: true }));

function job(scenePath: string, name: string, frame: number): RenderJob {
  return {
    task: { task_info: {}, software_config: { cg_name: 'Blender', cg_version: '3.4' } },
    scenePath,
    stagingRoot: join(root, 'nothing-staged'),
    frames: { start: frame, end: frame, step: 1 },
    outputDir: join(root, name, 'out'),
    workDir: join(root, name, 'work'),
    threads: 1,
  };
}

function samePixels(a: string, b: string): { same: boolean; report: string } {
  const r = spawnSync('oiiotool', [a, b, '--diff'], { encoding: 'utf8' });
  return { same: r.status === 0, report: `${r.stdout}${r.stderr}` };
}

async function compareWarmAndCold(
  scenePath: string,
  label: string,
  frames: readonly number[],
): Promise<void> {
  const installed = blender!;
  // Cold: one Blender per frame, exactly as a node without warm sessions runs it.
  for (const f of frames) {
    const r = await runRender(blenderAdapter, installed, job(scenePath, `${label}-cold-${f}`, f));
    assert.ok(r.ok, `cold frame ${f}: ${r.errors.join('; ')}`);
  }
  const first = job(scenePath, `${label}-warm`, frames[0]!);
  const { mkdir } = await import('node:fs/promises');
  await mkdir(first.workDir, { recursive: true });
  const lines: string[] = [];
  const session = await WarmSession.start(await blenderAdapter.prepareWarm!(first, installed), {
    onLine: (l) => lines.push(l),
  });
  try {
    for (const f of frames) {
      const j = job(scenePath, `${label}-warm`, f);
      const r = await session.render(blenderAdapter.warmOutput!(j), j.frames, {
        onLine: (l) => lines.push(l),
      });
      assert.ok(r.ok, `warm frame ${f}: ${r.error}\n${lines.slice(-20).join('\n')}`);
    }
    assert.equal(session.requests, frames.length);
  } finally {
    await session.close();
  }
  assert.ok(!groupAlive(session.pid!), 'the warm Blender is gone after close');
  const name = (f: number) =>
    `${scenePath.split('/').pop()!.replace('.blend', '')}_${String(f).padStart(4, '0')}.png`;
  for (const f of frames) {
    const cold = join(root, `${label}-cold-${f}`, 'out', name(f));
    const warm = join(root, `${label}-warm`, 'out', name(f));
    assert.ok(existsSync(cold) && existsSync(warm), `both renders of frame ${f} exist`);
    const { same, report } = samePixels(cold, warm);
    assert.ok(same, `frame ${f}: warm differs from cold\n${report}`);
  }
  // The frames really differ from each other, so equality above is not trivially true.
  const a = join(root, `${label}-cold-${frames[0]}`, 'out', name(frames[0]!));
  const b = join(root, `${label}-cold-${frames[1]}`, 'out', name(frames[1]!));
  assert.ok(!samePixels(a, b).same, `frames ${frames[0]} and ${frames[1]} differ`);
}

test('sample scene: warm frames equal cold frames', async (t) => {
  const skip =
    requireProgram('blender', { found: blender !== undefined }) ||
    requireProgram('oiiotool', { probeArgs: ['--help'] });
  if (skip || !blender) return t.skip(skip || undefined);
  const scene = generateSampleScene({ outDir: join(root, 'sample'), size: 48, frames: 6 });
  await compareWarmAndCold(scene.blendPath, 'sample', [4, 1]);
});

test('image-sequence texture and drivers: warm frames equal cold frames', async (t) => {
  const skip =
    requireProgram('blender', { found: blender !== undefined }) ||
    requireProgram('oiiotool', { probeArgs: ['--help'] });
  if (skip || !blender) return t.skip(skip || undefined);
  const out = join(root, 'animated');
  const made = spawnSync(
    blender.executable,
    ['-b', '--factory-startup', '--python-exit-code', '3', '--python', ANIMATED, '--', out],
    { encoding: 'utf8' },
  );
  assert.equal(made.status, 0, made.stdout + made.stderr);
  await compareWarmAndCold(join(out, 'anim.blend'), 'animated', [3, 1, 2]);
});
