import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { AnalyzeError, parseMayaBinary, readMayaScene } from '../src/index.js';
import { mayaBinary } from './fixtures/maya/maya-binary-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'openfarm-maya-binary-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('Maya binary reader', () => {
  for (const wide of [true, false]) {
    test(`${wide ? 'FOR8 (64-bit)' : 'FOR4 (32-bit)'}: header, plugins, cameras, strings, select blocks, references`, () => {
      const folder = join(dir, wide ? 'wide' : 'narrow');
      mkdirSync(join(folder, 'sourceimages'), { recursive: true });
      writeFileSync(join(folder, 'sourceimages', 'wood.png'), 'png');
      const file = join(folder, 'scene.mb');
      writeFileSync(file, mayaBinary(wide));
      const { scene, dependencies } = readMayaScene(file);
      assert.equal(scene.format, 'mb');
      assert.equal(scene.partial, true);
      assert.equal(scene.version, '2019');
      assert.equal(scene.fileInfo.product, 'Maya 2019');
      assert.deepEqual(scene.plugins, { mtoa: '3.3.0' });
      assert.deepEqual(scene.cameras, [
        { shape: 'renderCamShape', transform: 'renderCam', renderable: true },
        { shape: 'topShape', transform: 'top', renderable: false },
      ]);
      const layer = scene.layers[0]!;
      assert.deepEqual([layer.renderer, layer.imageFormatCode, layer.imageFormat], ['arnold', 51, 'exr']);
      assert.deepEqual(layer.renderCameras, ['renderCamShape']);
      assert.deepEqual(
        dependencies.all().map((d) => `${d.owner} ${d.status} ${d.pattern}`),
        [
          'wood.ftn found sourceimages/wood.png',
          'treeShape.dso missing proxies/tree.ass',
          'hairPalette.xfn missing xgen/hair.xgen',
          'file -r missing assets/set.mb',
        ],
      );
    });
  }

  test('a file that is not IFF, or an IFF whose sizes overrun the file, is handled', () => {
    assert.throws(
      () => parseMayaBinary(Buffer.from('RIFF0000WAVE')),
      (e) => e instanceof AnalyzeError && e.code === 'WRONG_FORMAT',
    );
    const bytes = mayaBinary(true);
    bytes.writeBigUInt64BE(2n ** 62n, 16 + 4 + 8); // the HEAD group claims exabytes
    const doc = parseMayaBinary(bytes);
    assert.ok(doc.notes.some((n) => n.includes('truncated')));
    assert.equal(doc.version, '2019');
  });
});
