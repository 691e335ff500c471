import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { attrText } from '../src/maya/maya-document.js';
import { parseMayaBinary, readMayaScene } from '../src/index.js';
import { crea, dble, encode, mayaBinaryNumbers, timeChunk } from './fixtures/maya/maya-binary-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'openfarm-maya-binary-numbers-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Maya binary numbers', () => {
  for (const base of [
    { unit: 'film', fps: 24, ticksPerSecond: 141_120_000 },
    { unit: 'pal', fps: 25, ticksPerSecond: 141_120_000 },
    { unit: '23.976fps', fps: 23.976, ticksPerSecond: 141_120_000 },
    { unit: 'ntsc', fps: 30, ticksPerSecond: 6000 },
  ]) {
    test(`time attributes are tick counts (${base.unit}, ${base.ticksPerSecond} ticks/s); bools, enums and ints are doubles`, () => {
      const folder = join(dir, base.unit);
      mkdirSync(join(folder, 'tex'), { recursive: true });
      for (const name of ['rock.1001.exr', 'rock.1002.exr', 'smoke.1001.exr', 'smoke.1002.exr'])
        writeFileSync(join(folder, 'tex', name), 'x');
      const file = join(folder, 'scene.mb');
      writeFileSync(file, mayaBinaryNumbers(base));
      const doc = parseMayaBinary(readFileSync(file));
      assert.equal(attrText(doc.nodes.get('time1'), 'o'), '1001');
      assert.equal(attrText(doc.nodes.get('startOverride'), 'atv'), '1010');
      const rg = doc.nodes.get('defaultRenderGlobals');
      assert.deepEqual(
        ['fs', 'ef', 'bfs', 'an', 'outf', 'pff', 'peie', 'pad'].map((a) => attrText(rg, a)),
        ['1001', '1100', '2', '1', '40', '1', '2', '4'],
      );
      assert.deepEqual(rg?.attrs.find((a) => a.name === 'otfva')?.value.values, ['0', '1', '1', '-7']);

      const { scene, dependencies } = readMayaScene(file);
      const layer = scene.layers[0]!;
      assert.deepEqual(
        [layer.animation, layer.startFrame, layer.endFrame, layer.byFrame, layer.imageFormat],
        [true, 1001, 1100, 2, 'exr'],
      );
      const found = dependencies.all().flatMap((d) => d.files.map((f) => f.replace(/\\/g, '/')));
      assert.deepEqual(found.map((p) => p.slice(p.lastIndexOf('/') + 1)).sort(), [
        'rock.1001.exr',
        'rock.1002.exr',
        'smoke.1001.exr',
        'smoke.1002.exr',
      ]);
    });
  }

  test('a time value on any other attribute is read as frames: a relative override offset, a by-frame step stored as ticks, a cache start', () => {
    const fps = 24;
    const file = join(dir, 'times.mb');
    writeFileSync(
      file,
      encode(
        {
          group: 'FOR8',
          form: 'Maya',
          children: [
            { group: 'FOR8', form: 'HEAD', children: [{ tag: 'VERS', data: Buffer.from('2023') }] },
            // A relative Render Setup override (plugin node) on a time attribute: offset 10 frames.
            {
              group: 'FOR8',
              form: '\u0058\u0000\u0003\u0073',
              children: [crea('startShift'), dble('mul', 1), timeChunk('ofs', 10, fps)],
            },
            // A node no table names, with a time attribute, a negative one, and a plain double.
            {
              group: 'FOR8',
              form: 'CACH',
              children: [
                crea('cache1'),
                timeChunk('st', 1001, fps),
                timeChunk('so', -12, fps),
                dble('sc', 0.5),
              ],
            },
            {
              group: 'FOR8',
              form: 'SLCT',
              children: [
                { tag: 'SLCT', data: Buffer.from(':defaultRenderGlobals') },
                timeChunk('bfs', 2, fps),
              ],
            },
          ],
        },
        true,
      ),
    );
    const doc = parseMayaBinary(readFileSync(file));
    assert.equal(attrText(doc.nodes.get('startShift'), 'ofs'), '10');
    assert.equal(attrText(doc.nodes.get('startShift'), 'mul'), '1');
    const cache = doc.nodes.get('cache1');
    assert.deepEqual(
      ['st', 'so', 'sc'].map((a) => attrText(cache, a)),
      ['1001', '-12', '0.5'],
    );
    assert.equal(attrText(doc.nodes.get('defaultRenderGlobals'), 'bfs'), '2');
  });

  const corpus = join(
    import.meta.dirname,
    '../../../../shared/corpus/maya/adlmaya__scene_file_to_reference.mb',
  );
  test('corpus: a real Maya 2023 file stores time1 as ticks (537, the project timeline) and enums/bools as doubles', (t) => {
    if (!existsSync(corpus)) {
      t.skip('the scene corpus is not on this machine');
      return;
    }
    const doc = parseMayaBinary(readFileSync(corpus));
    assert.equal(attrText(doc.nodes.get('time1'), 'o'), '537');
    assert.equal(attrText(doc.nodes.get('time1'), 'unw'), '537');
    assert.equal(attrText(doc.nodes.get('defaultRenderGlobals'), 'outf'), '51');
    assert.equal(attrText(doc.nodes.get('defaultColorMgtGlobals'), 'cfe'), '1');
    assert.equal(
      doc.nodes.get('hardwareRenderingGlobals')?.attrs.find((a) => a.name === 'otfva')?.value.values.length,
      22,
    );
    assert.equal(attrText(doc.nodes.get('hardwareRenderingGlobals'), 'otfva'), '0');
  });
});
