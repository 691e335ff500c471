import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crc32 } from 'node:zlib';
import {
  AnalyzeError,
  applyCrateTokenRewrite,
  bytesSource,
  type CrateTokenRefusal,
  joinZipPieces,
  planCrateTokenRewrite,
  readCrateDependencies,
  readCrateTables,
  readUsdzDependencies,
  readZipMembers,
  rewriteUsdz,
} from '../src/index.js';
import {
  flipBits,
  mulberry32,
  overwriteBytes,
  randomInt,
  resultOrAnalyzeError,
  truncateRandomly,
} from './support/fuzz.js';
import { mapToStage } from './support/stage-roots.js';
import { type CrateSpecInput, type CrateWriteOptions, crateBytes } from './support/usd-crate-writer.js';
import { storedZip } from './support/usdz-writer.js';

/**
 * The render node maps absolute paths inside crates by writing a new TOKENS
 * section after the file's last byte and pointing the table of contents at
 * it. Checked here with this package's crate reader (usd-crate-tinyusdz.test.ts
 * has TinyUSDZ read the same rewrites): the rewritten crate names the mapped
 * paths, and every other table reads as before; the original bytes stay where
 * they were.
 */
const SPECS: CrateSpecInput[] = [
  {
    path: '/',
    specType: 7,
    fields: {
      subLayers: { stringVector: ['D:/show/layers/fx.usda', './rel.usda'] },
      customLayerData: { dictionary: { note: { asset: 'D:/show/notes/n.txt' } } },
    },
  },
  {
    path: '/Ball',
    specType: 6,
    fields: { references: { references: ['//fileserver/share/ball.usdc'] } },
  },
  { path: '/Ball{look=red}', specType: 10, fields: {} },
  {
    path: '/Ball{look=red}/Tex.inputs:file',
    specType: 1,
    fields: { default: { string: 'D:/show/tex/ball_<UDIM>.png' } },
  },
  {
    path: '/Ball.kind',
    specType: 1,
    fields: { default: { token: 'D:/show/not/a/file' } },
  },
  {
    path: '/Ball.maps',
    specType: 1,
    fields: {
      default: { assets: ['/Volumes/proj/a.png', 'C:/keep/b.png'] },
      timeSamples: { timeSamples: [{ asset: '/Volumes/proj/s.png' }] },
    },
  },
];

function pathsOf(bytes: Uint8Array): string[] {
  return readCrateDependencies(bytesSource(bytes))
    .map((r) => r.path)
    .sort();
}

function rewrite(
  bytes: Uint8Array,
  map = mapToStage,
  refused?: (r: CrateTokenRefusal) => void,
): Uint8Array | undefined {
  const plan = planCrateTokenRewrite(bytesSource(bytes, 'layer.usdc'), map, refused);
  return plan === undefined ? undefined : applyCrateTokenRewrite(bytes, plan);
}

const VERSIONS: ReadonlyArray<readonly [string, CrateWriteOptions]> = [
  ['0.8.0', {}],
  ['0.8.0, tokens in 3 LZ4 chunks', { tokenChunks: 3 }],
  ['0.3.0 (plain tokens)', { legacyVersion: [0, 3, 0] }],
  ['0.0.1 (padded structs)', { legacyVersion: [0, 0, 1] }],
];

for (const [label, options] of VERSIONS) {
  test(`crate ${label}: asset, string, list-op and dictionary paths are mapped; every other table reads as before`, () => {
    // The legacy writer keeps the 0.8 value layouts only for plain values (no arrays, no time samples).
    const specs = options.legacyVersion === undefined ? SPECS : SPECS.filter((s) => s.path !== '/Ball.maps');
    const original = crateBytes(specs, options);
    const copy = Uint8Array.from(original);
    const out = rewrite(original);
    assert.ok(out !== undefined);
    assert.deepEqual(original, copy, 'the input is not modified');

    const expected = pathsOf(original)
      .map((p) => mapToStage(p) ?? p)
      .sort();
    assert.deepEqual(pathsOf(out), expected);
    assert.ok(pathsOf(out).includes('/stage/D/show/tex/ball_<UDIM>.png'));
    assert.ok(pathsOf(out).includes('/stage/fileserver/share/ball.usdc'));
    assert.ok(pathsOf(out).includes('./rel.usda'));

    const before = readCrateTables(bytesSource(original));
    const after = readCrateTables(bytesSource(out));
    assert.deepEqual(after.version, before.version);
    assert.deepEqual(
      after.tokens,
      before.tokens.map((t) => mapToStage(t) ?? t),
    );
    assert.deepEqual(after.strings, before.strings);
    assert.deepEqual(after.fields, before.fields);
    assert.deepEqual(after.fieldSets, before.fieldSets);
    assert.deepEqual(after.paths, before.paths);
    assert.deepEqual(after.specs, before.specs);

    // Old bytes keep their offsets: only the table-of-contents offset (bytes 16–23) differs.
    assert.equal(out.length > original.length, true);
    assert.deepEqual(out.subarray(0, 16), original.subarray(0, 16));
    assert.deepEqual(out.subarray(24, original.length), original.subarray(24));
    const toc = Number(new DataView(out.buffer, out.byteOffset).getBigUint64(16, true));
    assert.ok(toc >= original.length && toc % 8 === 0);
  });
}

test('the rewritten token table holds every token once more, compressed as 0.4.0+ expects (count, size, compressed size, LZ4)', () => {
  const original = crateBytes(SPECS);
  const plan = planCrateTokenRewrite(bytesSource(original), mapToStage);
  assert.ok(plan !== undefined);
  const before = readCrateTables(bytesSource(original));
  const section = new DataView(plan.tail.buffer, plan.tail.byteOffset + ((8 - (plan.appendAt % 8)) % 8));
  assert.equal(Number(section.getBigUint64(0, true)), before.tokens.length);
  const textSize = Number(section.getBigUint64(8, true));
  assert.equal(
    textSize,
    new TextEncoder().encode(before.tokens.map((x) => `${mapToStage(x) ?? x}\0`).join('')).length,
  );
  const compressed = Number(section.getBigUint64(16, true));
  assert.ok(compressed > 0 && compressed < textSize + 64);
  assert.deepEqual(
    plan.changes.map((c) => c.from).sort(),
    before.tokens.filter((x) => mapToStage(x) !== undefined).sort(),
  );
});

test('a crate naming no path the map changes is not rewritten', () => {
  const original = crateBytes([
    { path: '/', specType: 7, fields: { subLayers: { stringVector: ['./a.usda', 'C:/keep.usda'] } } },
  ]);
  assert.equal(rewrite(original), undefined);
});

test('a crate version newer than 0.11 is refused by name, only when something would change; 0.11.0 is written', () => {
  const original = crateBytes(SPECS);
  original[9] = 12; // 0.12.0: the reader reads it, the writer does not know its layout
  assert.throws(
    () => rewrite(original),
    (e: unknown) =>
      e instanceof AnalyzeError && e.code === 'WRONG_FORMAT' && /0\.12\.0 is not written/.test(e.message),
  );
  const newest = crateBytes(SPECS);
  newest[9] = 11; // 0.11.0, OpenUSD 24.08's: written
  assert.ok(rewrite(newest) !== undefined);
  const plain = crateBytes([
    { path: '/', specType: 7, fields: { subLayers: { stringVector: ['./a.usda'] } } },
  ]);
  plain[9] = 12;
  assert.equal(rewrite(plain), undefined);
});

test('a change the format cannot hold as asked is refused: a renamed path element fails the read-back, a NUL is reported', () => {
  const original = crateBytes(SPECS);
  assert.throws(
    () => rewrite(original, (t) => (t === 'Ball' ? 'Bat' : undefined)),
    (e: unknown) => e instanceof AnalyzeError && e.code === 'CORRUPT' && /paths/.test(e.message),
  );
  const refused: CrateTokenRefusal[] = [];
  assert.equal(
    rewrite(
      original,
      (t) => (t === './rel.usda' ? 'a\0b' : undefined),
      (r) => refused.push(r),
    ),
    undefined,
  );
  assert.equal(refused.length, 1);
  assert.match(refused[0]!.reason, /NUL/);
});

test('a token whose bytes are not UTF-8 is left as it is and reported', () => {
  const original = crateBytes(SPECS, { legacyVersion: [0, 3, 0] });
  // 0.3.0 stores token text plain: damage one byte of a mapped path's text.
  const text = Buffer.from(original);
  const at = text.indexOf('D:/show/layers/fx.usda');
  assert.ok(at > 0);
  text[at + 3] = 0xff;
  const refused: CrateTokenRefusal[] = [];
  const out = rewrite(new Uint8Array(text), mapToStage, (r) => refused.push(r));
  assert.ok(out !== undefined, 'the other paths are still mapped');
  assert.deepEqual(
    refused.map((r) => r.reason),
    ['its bytes are not UTF-8, so they cannot be rewritten as read'],
  );
  assert.ok(
    Buffer.from(out).includes(Buffer.from([0x44, 0x3a, 0x2f, 0xff])),
    'the damaged token keeps its bytes',
  );
});

test('a USDZ is written anew: stored, every member 64-byte aligned, mapped layers replaced, other members byte for byte', () => {
  const crate = crateBytes(SPECS);
  const usda = '#usda 1.0\n(\n    subLayers = [@./inner.usdc@]\n)\n';
  // Names of several lengths move the data to every remainder of 64.
  const zip = storedZip({
    'top.usda': usda,
    'inner.usdc': crate,
    'tex/a.png': 'png bytes',
    'tex/bb.png': 'x'.repeat(1000),
  });
  const source = bytesSource(zip, 'pkg.usdz');
  const pieces = rewriteUsdz(source, (m) =>
    m.name.endsWith('.usdc') ? rewrite(m.source.read(0, m.size)) : undefined,
  );
  assert.ok(pieces !== undefined);
  const out = joinZipPieces(source, pieces);
  const members = readZipMembers(bytesSource(out));
  assert.deepEqual(
    members.map((m) => m.name),
    ['top.usda', 'inner.usdc', 'tex/a.png', 'tex/bb.png'],
  );
  const originals = readZipMembers(source);
  for (const [i, m] of members.entries()) {
    assert.equal(m.method, 0);
    assert.equal(m.dataStart! % 64, 0, `${m.name} starts at ${m.dataStart}`);
    const data = m.source!.read(0, m.size);
    assert.equal(m.crc, crc32(data), `${m.name} CRC`);
    if (m.name !== 'inner.usdc') assert.deepEqual(data, originals[i]!.source!.read(0, originals[i]!.size));
  }
  const paths = readUsdzDependencies(bytesSource(out)).map((r) => r.path);
  assert.ok(paths.includes('/stage/D/show/tex/ball_<UDIM>.png'));
  assert.ok(!paths.some((p) => p.startsWith('D:/')));
  assert.equal(
    rewriteUsdz(source, () => undefined),
    undefined,
    'nothing replaced, nothing written',
  );
});

test('rewriting 1 000 mutated crates gives a plan that reads back, nothing, or an AnalyzeError', () => {
  const base = crateBytes(SPECS);
  const rng = mulberry32(0x5eed0c2a);
  const seen = { result: 0, error: 0 };
  for (let i = 0; i < 1000; i++) {
    let input = Uint8Array.from(base);
    switch (randomInt(rng, 3)) {
      case 0:
        flipBits(rng, input, 4);
        break;
      case 1:
        overwriteBytes(rng, input, 8);
        break;
      default:
        input = Uint8Array.from(truncateRandomly(rng, input));
    }
    seen[
      resultOrAnalyzeError(`mutation ${i}`, 500, () => {
        const out = rewrite(input);
        if (out !== undefined) readCrateTables(bytesSource(out));
      })
    ]++;
  }
  assert.ok(seen.result > 0 && seen.error > 0, JSON.stringify(seen));
});
