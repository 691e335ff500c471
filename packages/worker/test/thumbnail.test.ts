import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { canThumbnail, makeThumbnail } from '@openfarm/worker';
import sharp from 'sharp';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-thumb-test-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('thumbnails', () => {
  test('a PNG frame becomes a JPEG no larger than the limit', async () => {
    const png = join(root, 'frame.png');
    await sharp({ create: { width: 640, height: 360, channels: 3, background: { r: 200, g: 40, b: 10 } } })
      .png()
      .toFile(png);
    const out = join(root, 'frame.jpg');
    await makeThumbnail(png, out, 160);
    const meta = await sharp(out).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 160);
    assert.equal(meta.height, 90);
    const { data } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.ok(Math.abs(data[0]! - 200) < 10 && data[1]! < 60, `colour kept: ${[...data.subarray(0, 3)]}`);
  });

  test('an EXR frame goes through oiiotool with linear → sRGB', async (t) => {
    const skip = requireProgram('oiiotool');
    if (skip) return t.skip(skip);
    const exr = join(root, 'frame.exr');
    // Linear 0.214 is sRGB ~0.5 (128): the conversion, not a raw copy, must show.
    const r = spawnSync('oiiotool', [
      '--pattern',
      'constant:color=0.214,0.214,0.214',
      '64x32',
      '3',
      '-d',
      'half',
      '-o',
      exr,
    ]);
    assert.equal(r.status, 0, String(r.stderr));
    const out = join(root, 'exr.jpg');
    await makeThumbnail(exr, out);
    const { data, info } = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    assert.equal(info.width, 64);
    assert.ok(Math.abs(data[0]! - 128) < 8, `sRGB encoded: ${data[0]}`);
  });

  test('formats without a reader are refused', async () => {
    assert.equal(canThumbnail('a.mov'), false);
    assert.equal(canThumbnail('a.EXR'), true);
    await assert.rejects(makeThumbnail(join(root, 'a.mov'), join(root, 'a.jpg')), /no thumbnail reader/);
  });
});
