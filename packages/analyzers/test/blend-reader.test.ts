import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  AnalyzeError,
  type BlendInfo,
  effectiveEngine,
  readBlend,
  resolveBlenderPath,
} from '../src/index.js';
import {
  gzipBlend,
  SAMPLE_CONTENT,
  type SyntheticLayout,
  writeSyntheticBlend,
  zstdStoreBlend,
} from './fixtures/blend/synthetic-blend.js';

const LAYOUTS: SyntheticLayout[] = [
  { pointerSize: 8, littleEndian: true, header: 'legacy', version: 279 },
  { pointerSize: 4, littleEndian: true, header: 'legacy', version: 249 },
  { pointerSize: 8, littleEndian: false, header: 'legacy', version: 300 },
  { pointerSize: 4, littleEndian: false, header: 'legacy', version: 262 },
  { pointerSize: 8, littleEndian: true, header: '5.x', version: 502 },
  { pointerSize: 8, littleEndian: false, header: '5.x', version: 500 },
];

const WRAPPERS = {
  none: (b: Uint8Array) => b,
  gzip: gzipBlend,
  zstd: (b: Uint8Array) => zstdStoreBlend(b, 1000),
} as const;

function assertSampleContent(info: BlendInfo) {
  assert.deepEqual(
    info.scenes.map((s) => [s.name, s.frameStart, s.frameEnd, s.frameStep, s.resolutionX, s.resolutionY]),
    [
      ['Shot', 10, 90, 1, 2048, 858],
      ['Edit', 1, 48, 3, 1280, 720],
    ],
  );
  const [shot, edit] = info.scenes;
  assert.equal(shot!.resolutionPercentage, 100);
  assert.equal(edit!.resolutionPercentage, 25);
  assert.equal(shot!.fileFormat, 'OPEN_EXR');
  assert.equal(shot!.movieOutput, false);
  assert.equal(edit!.fileFormat, 'FFMPEG');
  assert.equal(edit!.movieOutput, true);
  assert.equal(shot!.engine, 'CYCLES');
  assert.equal(shot!.outputPath, '//out/shot_####');
  assert.equal(edit!.outputPath, '/tmp\\edit');
  assert.equal(shot!.camera, 'ShotCam');
  assert.equal(edit!.camera, null);
  assert.deepEqual(shot!.viewLayers, [
    { name: 'Beauty', render: true },
    { name: 'Holdout', render: false },
  ]);
  assert.deepEqual(info.cameras, ['ShotCam', 'WitnessCam']);
  assert.deepEqual(info.images, [
    { name: 'wood.png', path: '//textures\\wood.png', source: 'FILE', packed: false },
    { name: 'baked.png', path: 'C:\\bake\\baked.png', source: 'FILE', packed: true },
    { name: 'tiles', path: '//tex/tiles.<UDIM>.exr', source: 'TILED', packed: false },
  ]);
  assert.deepEqual(info.libraries, [{ name: 'props.blend', path: '//lib/props.blend', packed: false }]);
  assert.equal(info.activeScene, 'Shot');
  assert.equal(info.subversion, 3);
  assert.deepEqual(
    info.externalFiles.map((f) => [f.kind, f.path, f.packed, f.expansion]),
    [
      ['image', '//textures\\wood.png', false, 'none'],
      ['image', 'C:\\bake\\baked.png', true, 'none'],
      ['image', '//tex/tiles.<UDIM>.exr', false, 'udim'],
      ['library', '//lib/props.blend', false, 'none'],
    ],
  );
}

describe('synthetic .blend files: every header, pointer size, byte order and compression', () => {
  for (const layout of LAYOUTS) {
    for (const [compression, wrap] of Object.entries(WRAPPERS)) {
      const label = `${layout.header} ${layout.pointerSize * 8}-bit ${layout.littleEndian ? 'LE' : 'BE'} v${layout.version} ${compression}`;
      test(label, () => {
        const info = readBlend(wrap(writeSyntheticBlend(layout, SAMPLE_CONTENT)));
        assert.equal(info.compression, compression);
        assert.equal(info.pointerSize, layout.pointerSize);
        assert.equal(info.littleEndian, layout.littleEndian);
        assert.equal(info.headerFormat, layout.header);
        assert.equal(info.fileVersion, layout.version);
        assertSampleContent(info);
      });
    }
  }
  test('version text', () => {
    const v = (version: number, header: SyntheticLayout['header'] = 'legacy') =>
      readBlend(writeSyntheticBlend({ pointerSize: 8, littleEndian: true, header, version }, SAMPLE_CONTENT))
        .version;
    assert.equal(v(278), '2.78');
    assert.equal(v(280), '2.80');
    assert.equal(v(304), '3.4');
    assert.equal(v(402), '4.2');
    assert.equal(v(502, '5.x'), '5.2');
  });
});

function expectError(bytes: Uint8Array, code: AnalyzeError['code'], message: RegExp, limits = {}) {
  assert.throws(
    () => readBlend(bytes, { limits }),
    (e: unknown) => e instanceof AnalyzeError && e.code === code && message.test(e.message),
  );
}

describe('bad input gives a clear AnalyzeError', () => {
  const good = writeSyntheticBlend(LAYOUTS[0]!, SAMPLE_CONTENT);
  test('not a blend file', () => {
    expectError(new TextEncoder().encode('PK\u0003\u0004 zip file'), 'WRONG_FORMAT', /not a Blender file/);
    expectError(new Uint8Array(0), 'WRONG_FORMAT', /not a Blender file/);
  });
  test('bad header fields', () => {
    const bad = good.slice();
    bad[8] = 'x'.charCodeAt(0);
    expectError(bad, 'WRONG_FORMAT', /endianness/);
    const badVersion = good.slice();
    badVersion[10] = 'z'.charCodeAt(0);
    expectError(badVersion, 'WRONG_FORMAT', /version/);
    expectError(new TextEncoder().encode('BLENDER17-02v0502'), 'WRONG_FORMAT', /file format version 2/);
  });
  test('truncated anywhere', () => {
    // Everything up to the ENDB block matters; a file cut inside ENDB's own header still has all its data.
    for (const cut of [11, 12, 30, 500, good.length - 30, good.length - 24]) {
      assert.throws(
        () => readBlend(good.subarray(0, cut)),
        (e: unknown) => e instanceof AnalyzeError && /\.blend|Blender file/.test(e.message),
        `cut at ${cut}`,
      );
    }
  });
  test('block length inflated past the end', () => {
    const bad = good.slice();
    // First BHead after the 12-byte header: code[4] then int32 len.
    new DataView(bad.buffer).setInt32(16, 0x7fffff00, true);
    expectError(bad, 'TRUNCATED', /declares \d+ bytes past the end/);
  });
  test('no DNA1 block', () => {
    const text = Buffer.from(good);
    const at = text.indexOf('DNA1');
    text.write('XXXX', at, 'latin1');
    expectError(text, 'CORRUPT', /no DNA1/);
  });
  test('limits: size, blocks', () => {
    expectError(good, 'LIMIT_EXCEEDED', /larger than the 1000-byte limit/, { maxBytes: 1000 });
    expectError(gzipBlend(good), 'LIMIT_EXCEEDED', /gzip data decompresses to more than/, { maxBytes: 1000 });
    expectError(zstdStoreBlend(good), 'LIMIT_EXCEEDED', /zstd frame at byte 0 declares more/, {
      maxBytes: 1000,
    });
    expectError(good, 'LIMIT_EXCEEDED', /more than 3 blocks/, { maxBlocks: 3 });
  });
  test('corrupt compressed data', () => {
    const gz = gzipBlend(good);
    expectError(gz.subarray(0, gz.length - 20), 'CORRUPT', /gzip data does not decompress/);
    const zs = zstdStoreBlend(good);
    expectError(zs.subarray(0, 100), 'TRUNCATED', /zstd stream/);
  });
});

describe('pointers', () => {
  test('a ListBase that loops back on itself ends instead of hanging', () => {
    for (const pointerSize of [4, 8] as const) {
      const bytes = writeSyntheticBlend(
        { pointerSize, littleEndian: true, header: 'legacy', version: 300 },
        SAMPLE_CONTENT,
      );
      // ViewLayer: *next, *prev, name[64]. Point the last layer's `next` back at the first one.
      const at = Buffer.from(bytes).indexOf('Holdout\0');
      bytes.copyWithin(at - 2 * pointerSize, at - pointerSize, at);
      const info = readBlend(bytes);
      assert.deepEqual(
        info.scenes[0]!.viewLayers.map((l) => l.name),
        ['Beauty', 'Holdout'],
      );
    }
  });
  test('a pointer to no block reads as absent', () => {
    const bytes = writeSyntheticBlend(LAYOUTS[0]!, SAMPLE_CONTENT);
    const at = Buffer.from(bytes).indexOf('Holdout\0');
    // The first layer's `next` (found through the second layer's `prev`) now points nowhere.
    const first = new DataView(bytes.buffer).getBigUint64(at - 8, true);
    const firstAt = Buffer.from(bytes).indexOf('Beauty\0');
    new DataView(bytes.buffer).setBigUint64(firstAt - 16, first + 12345n, true);
    assert.deepEqual(
      readBlend(bytes).scenes[0]!.viewLayers.map((l) => l.name),
      ['Beauty'],
    );
  });
});

describe('engine names and Blender paths', () => {
  test('effectiveEngine follows Blender versioning', () => {
    assert.equal(effectiveEngine('BLENDER_RENDER', '3.4'), 'BLENDER_EEVEE');
    assert.equal(effectiveEngine('BLENDER_RENDER', '2.79'), 'BLENDER_RENDER');
    assert.equal(effectiveEngine('BLENDER_EEVEE', '4.2'), 'BLENDER_EEVEE_NEXT');
    assert.equal(effectiveEngine('BLENDER_EEVEE_NEXT', '5.0'), 'BLENDER_EEVEE');
    assert.equal(effectiveEngine('CYCLES', '4.2'), 'CYCLES');
  });
  test('resolveBlenderPath', () => {
    assert.equal(resolveBlenderPath('//textures\\a.png', '/p/shots'), '/p/shots/textures/a.png');
    assert.equal(resolveBlenderPath('//..\\env\\field.hdr', '/p/shots'), '/p/env/field.hdr');
    assert.equal(resolveBlenderPath('C:\\x\\a.png', '/p'), 'C:\\x\\a.png');
    assert.equal(resolveBlenderPath('/abs/a.png', '/p'), '/abs/a.png');
  });
});
