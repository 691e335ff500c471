import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { dependencyReaderFor } from '../src/index.js';
import { writeCrateFile } from './support/usd-crate-writer.js';

/**
 * A 100 MB crate layer (a point array as big as a production mesh, then the
 * asset paths) is read in bounded memory: the reader reads the structural
 * sections and the few values it needs where they lie, never the file.
 */
const dir = mkdtempSync(join(tmpdir(), 'openfarm-usd-large-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a 100 MB .usdc is read without holding it: RSS grows far less than the file', () => {
  const file = join(dir, 'heavy.usdc');
  writeCrateFile(file, [
    { path: '/', specType: 7, fields: { subLayers: { stringVector: ['./anim.usda'] } } },
    { path: '/Mesh.points', specType: 1, fields: { default: { blobBytes: 100 * 1024 * 1024 } } },
    { path: '/Mesh/Tex.inputs:file', specType: 1, fields: { default: { asset: 'tex/skin.<UDIM>.exr' } } },
  ]);
  assert.ok(statSync(file).size > 100 * 1024 * 1024);
  const reader = dependencyReaderFor(file)!;
  reader.read(file); // warm up code paths so the measurement is the read itself
  const before = process.memoryUsage().rss;
  let peak = before;
  let refs: ReturnType<typeof reader.read> = [];
  for (let i = 0; i < 3; i++) {
    refs = reader.read(file);
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const grown = peak - before;
  assert.ok(grown < 24 * 1024 * 1024, `RSS grew ${(grown / 1048576).toFixed(1)} MiB reading a 100 MiB layer`);
  assert.deepEqual(
    refs.map((r) => r.path),
    ['./anim.usda', 'tex/skin.<UDIM>.exr'],
  );
});
