/**
 * Generates openfarm's sample scene with Blender (make_sample_scene.py beside
 * this file): an animated .blend whose first texture is referenced by a relative
 * path (`//textures/checker.png`) and whose second by an absolute path, which
 * may be another machine's (`C:\Projects\demo\textures\stripes.png`).
 *
 *   node --import tsx scripts/sample-scene/generate.ts OUT_DIR [ABS_TEXTURE_REF] [SIZE] [FRAMES]
 */
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface SampleSceneOptions {
  readonly outDir: string;
  /**
   * The absolute path written into the scene for the second texture. Default:
   * where the generator puts its bytes (`OUT_DIR/elsewhere/stripes.png`), so an
   * analyzer on this machine finds and uploads it.
   */
  readonly absoluteTextureRef?: string;
  /** Square resolution in pixels. */
  readonly size?: number;
  readonly frames?: number;
  readonly blender?: string;
}

export interface SampleScene {
  readonly blendPath: string;
  readonly relativeTexture: string;
  /** The file holding the absolute-path texture's bytes. */
  readonly absoluteTextureFile: string;
  /** The path the scene stores for it. */
  readonly absoluteTextureRef: string;
  readonly size: number;
  readonly frames: number;
}

export const SAMPLE_SCENE_SCRIPT = fileURLToPath(new URL('make_sample_scene.py', import.meta.url));

export function generateSampleScene(opts: SampleSceneOptions): SampleScene {
  const outDir = resolve(opts.outDir);
  const size = opts.size ?? 64;
  const frames = opts.frames ?? 24;
  const absoluteTextureFile = join(outDir, 'elsewhere', 'stripes.png');
  const absoluteTextureRef = opts.absoluteTextureRef ?? absoluteTextureFile;
  const r = spawnSync(
    opts.blender ?? process.env.OPENFARM_BLENDER ?? 'blender',
    ['-b', '--factory-startup', '--python-exit-code', '3', '--python', SAMPLE_SCENE_SCRIPT, '--'].concat([
      outDir,
      absoluteTextureRef,
      String(size),
      String(frames),
    ]),
    { encoding: 'utf8' },
  );
  if (r.error) throw new Error(`cannot run Blender to generate the sample scene: ${r.error.message}`);
  if (r.status !== 0 || !r.stdout.includes('SAMPLE_SCENE ')) {
    throw new Error(
      `Blender failed to generate the sample scene (exit ${r.status}):\n${r.stdout}\n${r.stderr}`,
    );
  }
  return {
    blendPath: join(outDir, 'sample.blend'),
    relativeTexture: join(outDir, 'textures', 'checker.png'),
    absoluteTextureFile,
    absoluteTextureRef,
    size,
    frames,
  };
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [outDir, absRef, size, frames] = process.argv.slice(2);
  if (outDir === undefined) {
    console.error('usage: generate.ts OUT_DIR [ABS_TEXTURE_REF] [SIZE] [FRAMES]');
    process.exit(2);
  }
  const scene = generateSampleScene({
    outDir,
    absoluteTextureRef: absRef,
    size: size === undefined ? undefined : Number(size),
    frames: frames === undefined ? undefined : Number(frames),
  });
  console.log(scene.blendPath);
}
