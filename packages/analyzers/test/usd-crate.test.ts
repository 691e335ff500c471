import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AnalyzeError,
  bytesSource,
  decodeCompressedInts,
  decompressFast,
  decompressLz4Block,
  readCrateTables,
  readUsdLayer,
} from '../src/index.js';
import { compressFast, compressLz4Block, encodeInts } from './support/lz4-writer.js';
import { type CrateSpecInput, crateBytes } from './support/usd-crate-writer.js';

describe('LZ4 block and USD fast compression', () => {
  test('round trips literals, matches, overlapping copies and long lengths', () => {
    const inputs = [
      new Uint8Array(0).length === 0 ? Uint8Array.of(7) : new Uint8Array(0),
      new TextEncoder().encode('abcabcabcabcabcabcabcabcabcabc'.repeat(20)),
      new Uint8Array(70_000).fill(42), // one run: an overlapping copy with a length over 255 bytes
      Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 251), // few matches: long literal runs
    ];
    for (const input of inputs) {
      const block = compressLz4Block(input);
      const { bytes, length } = decompressLz4Block(block, input.length);
      assert.equal(length, input.length);
      assert.deepEqual(bytes.subarray(0, length), input);
      assert.deepEqual(decompressFast(compressFast(input, 3), input.length, true), input);
    }
    assert.ok(compressLz4Block(inputs[2]!).length < 400, 'the run is really compressed');
  });

  test('a hand-made block with an offset-1 match (the byte repeated)', () => {
    // token: 1 literal, match length 4+3; literal 'x'; offset 1; then 'yz' as the last literals.
    const block = Uint8Array.of(0x13, 0x78, 1, 0, 0x20, 0x79, 0x7a);
    const { bytes, length } = decompressLz4Block(block, 64);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, length)), 'xxxxxxxxyz');
  });

  test('damaged blocks are AnalyzeErrors, output never past the declared size', () => {
    const cases: Uint8Array[] = [
      Uint8Array.of(0x10), // a literal promised, none there
      Uint8Array.of(0x11, 0x61, 9, 0), // offset 9 before the start
      Uint8Array.of(0x10, 0x61, 0, 0), // offset 0
      Uint8Array.of(0xf0, 255, 255), // length runs off the end
    ];
    for (const block of cases) {
      assert.throws(() => decompressLz4Block(block, 1 << 16), AnalyzeError);
    }
    assert.throws(
      () => decompressLz4Block(compressLz4Block(new Uint8Array(100)), 50),
      /larger than declared/,
    );
    assert.throws(() => decompressFast(compressFast(new Uint8Array(10)), 11, true), /10 bytes, 11 declared/);
  });

  test("USD's compressed integers: common delta, int8, int16 and int32 deltas", () => {
    const values = [0, 1, 2, 3, 4, 200, -5, 40_000, -2_000_000_000, 2_000_000_000, 5, 6, 7, -1];
    const encoded = compressFast(encodeInts(values));
    assert.deepEqual([...decodeCompressedInts(encoded, values.length)], values);
    assert.throws(() => decodeCompressedInts(encoded, values.length + 40), AnalyzeError);
  });

  test('a count far beyond what the codes cover is TRUNCATED before a result is allocated for it', () => {
    // 2^33 ints: allocating first threw a RangeError (no catalogue code) instead.
    const encoded = compressFast(encodeInts([1, 2, 3]));
    assert.throws(
      () => decodeCompressedInts(encoded, 2 ** 33),
      (e: unknown) => e instanceof AnalyzeError && e.code === 'TRUNCATED',
    );
  });
});

describe('crate (.usdc) dependency reader', () => {
  const specs: CrateSpecInput[] = [
    {
      path: '/',
      specType: 7,
      fields: {
        subLayers: { stringVector: ['./shot_fx.usda', './shot_anim.usdc'] },
        customLayerData: { dictionary: { renderSettings: { asset: './settings.usda' } } },
      },
    },
    {
      path: '/World',
      specType: 6,
      fields: {
        references: { references: ['./set.usdc'], deleted: ['./old_set.usd'] },
        payload: { payloads: ['./heavy.usdc'] },
      },
    },
    { path: '/World{look=red}', specType: 10, fields: {} },
    {
      path: '/World{look=red}/Tex.inputs:file',
      specType: 1,
      fields: { default: { string: 'tex/red.<UDIM>.png' } },
    },
    { path: '/World{look=blue}', specType: 10, fields: {} },
    {
      path: '/World{look=blue}/Tex.inputs:file',
      specType: 1,
      fields: { default: { string: 'tex/blue.png' } },
    },
    { path: '/World/Tex.inputs:label', specType: 1, fields: { default: { string: 'not a file.png' } } },
    {
      path: '/World.maps',
      specType: 1,
      fields: {
        default: { assets: ['a.png', 'b.png'] },
        timeSamples: { timeSamples: [{ asset: 'frame1.exr' }, { asset: 'frame2.exr' }] },
      },
    },
    {
      path: '/World/Clip',
      specType: 6,
      fields: {
        clips: {
          dictionary: {
            default: {
              dictionary: {
                templateAssetPath: { string: './clip.###.usd' },
                assetPaths: { assets: ['./clip.001.usd'] },
                manifestAssetPath: { asset: './manifest.usda' },
              },
            },
          },
        },
      },
    },
  ];

  test('tables: tokens, strings, paths (with variant selections and properties), specs', () => {
    const tables = readCrateTables(bytesSource(crateBytes(specs, { tokenChunks: 2 })));
    assert.deepEqual(tables.version, { major: 0, minor: 8, patch: 0 });
    assert.ok(tables.paths.includes('/World{look=red}/Tex.inputs:file'));
    assert.deepEqual(
      tables.specs.map((s) => s.path),
      specs.map((s) => s.path),
    );
  });

  test('every asset path: sublayers, references (not deleted ones), payloads, variants, arrays, samples, dictionaries, clips', () => {
    const refs = readUsdLayer(bytesSource(crateBytes(specs)));
    const by = (path: string) => refs.find((r) => r.path === path);
    assert.deepEqual(refs.map((r) => r.path).sort(), [
      './clip.###.usd',
      './clip.001.usd',
      './heavy.usdc',
      './manifest.usda',
      './set.usdc',
      './settings.usda',
      './shot_anim.usdc',
      './shot_fx.usda',
      'a.png',
      'b.png',
      'frame1.exr',
      'frame2.exr',
      'tex/blue.png',
      'tex/red.<UDIM>.png',
    ]);
    assert.equal(by('./shot_fx.usda')?.kind, 'sublayer');
    assert.equal(by('./set.usdc')?.owner, '</World> references');
    assert.equal(by('./heavy.usdc')?.kind, 'payload');
    assert.equal(by('tex/red.<UDIM>.png')?.owner, '</World{look=red}/Tex.inputs:file>');
    assert.equal(by('tex/red.<UDIM>.png')?.kind, 'string');
    assert.equal(by('./clip.###.usd')?.kind, 'clip-template');
    assert.equal(by('./clip.001.usd')?.owner, '</World/Clip> clips default assetPaths');
    assert.equal(by('./settings.usda')?.owner, '</> customLayerData renderSettings');
  });

  test('bad headers and versions are named', () => {
    const good = crateBytes(specs);
    assert.throws(() => readUsdLayer(bytesSource(good.subarray(0, 40))), /TRUNCATED|shorter|#usda/);
    const future = good.slice();
    future[8] = 1;
    assert.throws(() => readCrateTables(bytesSource(future)), /crate version 1\.8\.0 is not read/);
    const badToc = good.slice();
    new DataView(badToc.buffer).setBigUint64(16, BigInt(good.length + 10), true);
    assert.throws(
      () => readCrateTables(bytesSource(badToc)),
      (e: unknown) => e instanceof AnalyzeError && e.code === 'TRUNCATED',
    );
  });
});

describe('crate files before 0.4.0 (uncompressed tables, path tree of headers)', () => {
  const specs: CrateSpecInput[] = [
    { path: '/', specType: 7, fields: { subLayers: { stringVector: ['./old_anim.usd'] } } },
    { path: '/Set', specType: 6, fields: { references: { references: ['./props.usd'] } } },
    { path: '/Set/Chair', specType: 6, fields: { references: { references: ['./chair.usd'] } } },
    { path: '/Set/Chair.inputs:file', specType: 1, fields: { default: { string: 'tex/chair.png' } } },
    { path: '/Set/Table', specType: 6, fields: {} },
    { path: '/Set/Table{look=oak}', specType: 10, fields: {} },
    { path: '/Set/Table{look=oak}.tex', specType: 1, fields: { default: { asset: 'tex/oak.<UDIM>.png' } } },
    {
      path: '/Lights',
      specType: 6,
      fields: { customData: { dictionary: { ies: { asset: 'ies/spot.ies' } } } },
    },
  ];
  for (const version of [
    [0, 3, 0],
    [0, 1, 0],
    [0, 0, 1],
  ] as const) {
    test(`version ${version.join('.')}: paths and every asset path`, () => {
      const bytes = crateBytes(specs, { legacyVersion: version });
      const tables = readCrateTables(bytesSource(bytes));
      assert.deepEqual(tables.version, { major: version[0], minor: version[1], patch: version[2] });
      assert.deepEqual(
        tables.specs.map((s) => s.path),
        specs.map((s) => s.path),
      );
      assert.deepEqual(
        readUsdLayer(bytesSource(bytes)).map((r) => [r.path, r.owner]),
        [
          ['./old_anim.usd', '</> subLayers'],
          ['./props.usd', '</Set> references'],
          ['./chair.usd', '</Set/Chair> references'],
          ['tex/chair.png', '</Set/Chair.inputs:file>'],
          ['tex/oak.<UDIM>.png', '</Set/Table{look=oak}.tex>'],
          ['ies/spot.ies', '</Lights> customData ies'],
        ],
      );
    });
  }
});
