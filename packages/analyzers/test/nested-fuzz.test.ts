import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import {
  bytesSource,
  dependencyReaderFor,
  readAssDependencies,
  readMtlxDependencies,
  readOcioDependencies,
  readUsdaDependencies,
  readUsdLayer,
  readVrsceneDependencies,
  readXgenDependencies,
} from '../src/index.js';
import {
  flipBits,
  insertRandomBytes,
  mulberry32,
  mutateText,
  overwriteBytes,
  type Rng,
  randomInt,
  resultOrAnalyzeError,
  spliceBytes,
  truncateRandomly,
} from './support/fuzz.js';
import { crateBytes } from './support/usd-crate-writer.js';
import { storedZip } from './support/usdz-writer.js';

/**
 * Every nested-dependency reader, 1 000 mutated inputs each: a list of
 * references or an AnalyzeError, each within a CPU budget. Byte mutations
 * for the binary formats (crate, USDZ), text mutations with the format's
 * syntax for the others. Seeds are fixed per format.
 */
const CASES = 1000;
const MAX_MS_PER_INPUT = 500;

const CRATE = crateBytes([
  {
    path: '/',
    specType: 7,
    fields: {
      subLayers: { stringVector: ['./a.usda', './b.usdc'] },
      customLayerData: { dictionary: { x: { asset: 'x.png' } } },
    },
  },
  {
    path: '/W',
    specType: 6,
    fields: {
      references: { references: ['./r.usd'], deleted: ['./d.usd'] },
      payload: { payloads: ['./p.usdc'] },
    },
  },
  { path: '/W{v=a}', specType: 10, fields: {} },
  { path: '/W{v=a}/T.inputs:file', specType: 1, fields: { default: { string: 't.<UDIM>.png' } } },
  {
    path: '/W.m',
    specType: 1,
    fields: { default: { assets: ['m1.png', 'm2.png'] }, timeSamples: { timeSamples: [{ asset: 's.png' }] } },
  },
  {
    path: '/W/C',
    specType: 6,
    fields: {
      clips: { dictionary: { default: { dictionary: { templateAssetPath: { string: './c.###.usd' } } } } },
    },
  },
]);

const USDA = `#usda 1.0
(
    subLayers = [@./anim.usdc@, @@@./odd.usda@@@]
)
def Xform "World" (prepend references = @./set.usda@</Set> variantSets = ["look"])
{
    asset inputs:file = @tex/<UDIM>.png@
    string inputs:filename = "tex/a.png"
    asset t.timeSamples = { 1: @s1.exr@, 2: @s2.exr@ }
    variantSet "look" = { "red" { over "T" { asset inputs:file = @red.png@ } } }
    def "C" (clips = { dictionary default = { string templateAssetPath = "./c.###.usd" } }) {}
}
`;

const TEXTS = {
  usda: {
    base: USDA,
    pieces: [
      '@',
      '@@@',
      '"',
      '"""',
      "'",
      '{',
      '}',
      '(',
      ')',
      '[',
      ']',
      '<',
      '>',
      '#',
      '\n',
      '=',
      'def "X" {',
      'variantSet "v" = {',
      'string inputs:file = ',
      '\\',
    ],
    read: (t: string) => readUsdaDependencies(t, 'f.usda'),
  },
  ass: {
    base: `options\n{\n texture_searchpath "/t:maps"\n}\nimage\n{\n name a\n filename "a.<UDIM>.tx"\n}\nprocedural\n{\n name p\n filename "p.ass"\n}\ndriver_exr\n{\n name d\n filename "out.exr"\n}\n`,
    pieces: ['{', '}', '"', '\n', 'filename "', 'image\n{', ' name ', '#', '0 1 2 3', '\\'],
    read: (t: string) => readAssDependencies(new TextEncoder().encode(t), '/s/f.ass'),
  },
  mtlx: {
    base: `<?xml version="1.0"?>\n<materialx fileprefix="t/"><xi:include href="x.mtlx"/><nodegraph name="n"><image name="i"><input name="file" type="filename" value="a.&lt;UDIM&gt;.png"/></image></nodegraph></materialx>\n`,
    pieces: [
      '<',
      '>',
      '/>',
      '</',
      '"',
      "'",
      '<!--',
      '-->',
      '<![CDATA[',
      '&',
      '&#x41;',
      'type="filename" value="',
      '<input ',
    ],
    read: (t: string) => readMtlxDependencies(t, '/m/f.mtlx'),
  },
  ocio: {
    base: `ocio_profile_version: 2\nsearch_path:\n  - luts\n  - "more"\ncolorspaces:\n  - !<ColorSpace>\n    name: film\n    from_reference: !<FileTransform> {src: film.cube}\n`,
    pieces: [':', '-', '"', "'", '\n', '  ', '{', '}', 'src: ', 'search_path: ', '#', '[', ']', ','],
    read: (t: string) => readOcioDependencies(t, '/c/config.ocio'),
  },
  vrscene: {
    base: `#include "l.vrscene"\nBitmapBuffer b { file="t/<UDIM>.exr"; }\nGeomMeshFile m { file="p.vrmesh"; }\n`,
    pieces: ['{', '}', '"', ';', '=', '\n', '#include "', 'file="', 'Plugin p {', '\\'],
    read: (t: string) => readVrsceneDependencies(new TextEncoder().encode(t), '/v/f.vrscene'),
  },
  xgen: {
    base: `Palette\n\tname\t\th\n\txgDataPath\t\t\${PROJECT}xgen/collections/h\n\txgProjectPath\t\t/p/\n\nDescription\n\tname\t\td\n\tdensity\t\t$a=map('\${DESC}/paintmaps/density');\n\nSplinePrimitive\n\tCacheFileName\t\t\${PROJECT}cache/g.abc\n`,
    pieces: ['\t', '\n', '${', '}', "map('", "'", ';', 'Palette\n', '.abc', '$'],
    read: (t: string) => readXgenDependencies(t, '/x/f.xgen'),
  },
} as const;

function mutateBytes(rng: Rng, base: Uint8Array): Uint8Array {
  const bytes = base.slice();
  switch (randomInt(rng, 6)) {
    case 0:
      flipBits(rng, bytes, 16);
      return bytes;
    case 1:
      overwriteBytes(rng, bytes, 8);
      return bytes;
    case 2:
      return truncateRandomly(rng, bytes);
    case 3:
      return insertRandomBytes(rng, bytes, randomInt(rng, bytes.length), 32);
    case 4: {
      // A structural byte of the tail (tables, table of contents) set to an extreme.
      const at = bytes.length - 1 - randomInt(rng, Math.min(bytes.length, 400));
      bytes[at] = rng() < 0.5 ? 0xff : 0x7f;
      return bytes;
    }
    default: {
      const at = randomInt(rng, bytes.length);
      return spliceBytes(bytes, at, randomInt(rng, 64));
    }
  }
}

describe('nested-dependency readers fuzz', () => {
  for (const [format, base, seed] of [
    ['usdc', CRATE, 0x05dc0001],
    ['usdz', storedZip({ 'a.usda': USDA, 'b.usdc': CRATE, 'tex.png': 'png' }), 0x05dc0002],
    [
      'usdc 0.0.1',
      crateBytes(
        [
          { path: '/', specType: 7, fields: { subLayers: { stringVector: ['./a.usd'] } } },
          { path: '/W', specType: 6, fields: { references: { references: ['./r.usd'] } } },
          { path: '/W/T.inputs:file', specType: 1, fields: { default: { string: 't.png' } } },
          { path: '/V', specType: 6, fields: { customData: { dictionary: { x: { asset: 'x.png' } } } } },
        ],
        { legacyVersion: [0, 0, 1] },
      ),
      0x05dc0003,
    ],
  ] as const) {
    test(`${CASES} mutated ${format} files: references or an AnalyzeError, each fast`, () => {
      const rng = mulberry32(seed);
      let results = 0;
      let errors = 0;
      for (let i = 0; i < CASES; i++) {
        const input = mutateBytes(rng, base);
        const outcome = resultOrAnalyzeError(`${format} case ${i}`, MAX_MS_PER_INPUT, () => {
          assert.ok(Array.isArray(readUsdLayer(bytesSource(input, `fuzz.${format}`))));
        });
        if (outcome === 'result') results++;
        else errors++;
      }
      assert.ok(results > 50 && errors > 50, `results ${results}, errors ${errors}`);
    });
  }

  let seed = 0x7e570000;
  for (const [format, { base, pieces, read }] of Object.entries(TEXTS)) {
    const formatSeed = ++seed;
    test(`${CASES} mutated ${format} texts: references or an AnalyzeError, each fast`, () => {
      const rng = mulberry32(formatSeed);
      let results = 0;
      let errors = 0;
      for (let i = 0; i < CASES; i++) {
        const text = mutateText(rng, base, {
          pieces,
          maxEdits: 5,
          maxDeleted: 30,
          maxRepeats: 300,
          keepAtLeast: 6,
        });
        const outcome = resultOrAnalyzeError(`${format} case ${i}`, MAX_MS_PER_INPUT, () => {
          assert.ok(Array.isArray(read(text)));
        });
        if (outcome === 'result') results++;
        else errors++;
      }
      // Line-oriented formats (OCIO, V-Ray, XGen) have no syntax to break: only results.
      assert.ok(results > 50, `results ${results}, errors ${errors}`);
    });
  }

  test('200 damaged .ass.gz files: references or an AnalyzeError', () => {
    const rng = mulberry32(0x6a5);
    const gz = gzipSync(TEXTS.ass.base);
    const dir = mkdtempSync(join(tmpdir(), 'openfarm-ass-fuzz-'));
    const file = join(dir, 'f.ass.gz');
    const reader = dependencyReaderFor(file)!;
    let errors = 0;
    try {
      for (let i = 0; i < 200; i++) {
        writeFileSync(file, mutateBytes(rng, gz));
        if (resultOrAnalyzeError(`ass.gz case ${i}`, MAX_MS_PER_INPUT, () => reader.read(file)) === 'error')
          errors++;
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.ok(errors > 20, `errors ${errors}`);
  });
});
