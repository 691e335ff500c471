import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AnalyzeBlender } from '../src/index.js';
import { findBlender, makeBlendCacheFixture } from './fixtures/blend/blender-run.js';
import { requireProgram } from '../../../scripts/test-support/require-program.js';

/**
 * A .blend written by the real Blender whose object reads a USD stage
 * through a CacheFile (Mesh Sequence Cache modifier): the analyzer hands
 * the stage to the nested follower, which uploads the stage, the layer it
 * sublayers and the texture that layer names, and reports a missing texture
 * with the chain back to the CacheFile in the .blend.
 */
const blender = findBlender();
const root = mkdtempSync(join(tmpdir(), 'openfarm-blend-usd-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

describe('Blender with a USD cache', { skip: requireProgram('blender', { found: blender !== undefined }) }, () => {
  test('the CacheFile stage, its sublayer and their textures are uploaded; a missing texture names its chain', async () => {
    const shot = join(root, 'shot');
    mkdirSync(join(shot, 'caches', 'tex'), { recursive: true });
    writeFileSync(
      join(shot, 'caches', 'shot.usda'),
      '#usda 1.0\n(\n    subLayers = [@./look.usda@]\n)\n\ndef Xform "Shot"\n{\n    def Mesh "geo" {}\n}\n',
    );
    writeFileSync(
      join(shot, 'caches', 'look.usda'),
      [
        '#usda 1.0',
        'def Shader "Wood"',
        '{',
        '    asset inputs:file = @./tex/wood.png@',
        '}',
        'def Shader "Rust"',
        '{',
        '    asset inputs:file = @./tex/rust.png@',
        '}',
        '',
      ].join('\n'),
    );
    writeFileSync(join(shot, 'caches', 'tex', 'wood.png'), 'png');
    const blend = join(shot, 'shot.blend');
    makeBlendCacheFixture(blend, '//caches/shot.usda');

    const workspace = join(root, 'ws');
    mkdirSync(workspace);
    const analyzer = new AnalyzeBlender({ cgFile: blend, workspace });
    await analyzer.analyse();
    const uploaded = analyzer.uploadInfo!.asset.map((a) => a.local.slice(a.local.lastIndexOf('/shot/') + 6));
    for (const file of ['caches/shot.usda', 'caches/look.usda', 'caches/tex/wood.png', 'shot.blend'])
      assert.ok(uploaded.includes(file), `${file} uploaded (got ${uploaded.join(', ')})`);
    assert.equal(uploaded.length, new Set(uploaded).size, 'each file once');
    const missing = analyzer.tipsInfo!['10012']!;
    assert.equal(missing.length, 1, JSON.stringify(missing));
    assert.match(
      missing[0]!,
      /^look\.usda <\/Rust\.inputs:file>, named by shot\.usda <\/> subLayers, named by CacheFile "shot\.usda" in shot\.blend: \.\/tex\/rust\.png/,
    );
  });
});
