import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AnalyzeError, readUsdaDependencies } from '../src/index.js';

const LAYER = `#usda 1.0
(
    doc = """a "triple" quoted @not an asset@ string"""
    subLayers = [
        @./anim.usdc@ (offset = 10),
        @@@./odd@name.usda@@@
    ]
)

# a comment with @./commented.usda@ in it
def Xform "World" (
    prepend references = @./set.usda@</Set>
    payload = [@./heavy.usdc@]
    variantSets = ["look"]
)
{
    def Shader "Tex"
    {
        uniform token info:id = "UsdUVTexture"
        asset inputs:file = @textures/wood.<UDIM>.png@
        string inputs:filename = "textures/legacy.<UVTILE0>.tx"
        string inputs:label = "label.png"
        asset inputs:anim.timeSamples = {
            1: @seq/f.0001.exr@,
            2: @seq/f.0002.exr@,
        }
    }

    variantSet "look" = {
        "red" {
            over "Tex" { asset inputs:file = @textures/red.png@ }
        }
        "blue" (
            references = @./blue_look.usda@
        ) {
            over "Tex" { string inputs:file.timeSamples = { 1: "textures/blue.1.png" } }
        }
    }

    def "Crowd" (
        clips = {
            dictionary default = {
                asset[] assetPaths = [@./clips/crowd.001.usd@]
                string templateAssetPath = "./clips/crowd.###.usd"
            }
        }
    )
    {
    }
}
`;

describe('text layer (.usda) dependency reader', () => {
  const refs = readUsdaDependencies(LAYER, 'shot.usda');
  const by = (path: string) => refs.find((r) => r.path === path);

  test('every asset path once, none from comments or ordinary strings', () => {
    assert.deepEqual(
      refs.map((r) => r.path),
      [
        './anim.usdc',
        './odd@name.usda',
        './set.usda',
        './heavy.usdc',
        'textures/wood.<UDIM>.png',
        'textures/legacy.<UVTILE0>.tx',
        'seq/f.0001.exr',
        'seq/f.0002.exr',
        'textures/red.png',
        './blue_look.usda',
        'textures/blue.1.png',
        './clips/crowd.001.usd',
        './clips/crowd.###.usd',
      ],
    );
  });

  test('kinds and owners (prim paths with variant selections, metadata keys)', () => {
    assert.equal(by('./anim.usdc')?.kind, 'sublayer');
    assert.equal(by('./anim.usdc')?.owner, '</> subLayers');
    assert.equal(by('./set.usda')?.kind, 'reference');
    assert.equal(by('./set.usda')?.owner, '</World> references');
    assert.equal(by('./heavy.usdc')?.kind, 'payload');
    assert.equal(by('textures/wood.<UDIM>.png')?.owner, '</World/Tex.inputs:file>');
    assert.equal(by('textures/legacy.<UVTILE0>.tx')?.kind, 'string');
    assert.equal(by('textures/red.png')?.owner, '</World{look=red}/Tex.inputs:file>');
    assert.equal(by('./blue_look.usda')?.owner, '</World{look=blue}> references');
    assert.equal(by('textures/blue.1.png')?.owner, '</World{look=blue}/Tex.inputs:file>');
    assert.equal(by('./clips/crowd.001.usd')?.kind, 'clip');
    assert.equal(by('./clips/crowd.###.usd')?.kind, 'clip-template');
  });

  test('damage is an AnalyzeError naming the line', () => {
    assert.throws(() => readUsdaDependencies('#usda 1.0\ndef "A" {\n', 'x.usda'), /missing '}'/);
    assert.throws(
      () => readUsdaDependencies('#usda 1.0\nasset a = @x.png\n', 'x.usda'),
      /unclosed asset path at line 2/,
    );
    assert.throws(() => readUsdaDependencies('#usda 1.0\n}\n', 'x.usda'), /unbalanced '}' at line 2/);
    assert.throws(
      () => readUsdaDependencies('PXR-USDC', 'x.usda'),
      (e: unknown) => e instanceof AnalyzeError && e.code === 'WRONG_FORMAT',
    );
  });
});
