import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  applyCrateTokenRewrite,
  bytesSource,
  joinZipPieces,
  planCrateTokenRewrite,
  readCrateDependencies,
  rewriteUsdz,
} from '../src/index.js';
import { mapToStage } from './support/stage-roots.js';
import { tinyUsd } from './support/tinyusdz.js';
import { type CrateSpecInput, crateBytes } from './support/usd-crate-writer.js';
import { storedZip } from './support/usdz-writer.js';

/**
 * A second USD reader's opinion of the crates the render node rewrites:
 * TinyUSDZ, an independent implementation of the crate format, must read a
 * rewritten crate as exactly the original layer with the mapped paths in
 * place of the artist's. (The crate reader's own checks are in
 * usd-crate-rewrite.test.ts; these catch a layout both of our sides could
 * get wrong the same way.) TinyUSDZ 0.9.0-rc10 reads crate versions 0.4.0 to
 * 0.9.0, and token sections in one LZ4 block (several blocks occur only past
 * 2 GB of token text); other versions are checked by the crate reader alone.
 */
const SPECS: CrateSpecInput[] = [
  {
    path: '/',
    specType: 7,
    fields: {
      subLayers: { stringVector: ['D:/show/layers/fx.usda', './rel.usda'] },
      customLayerData: { dictionary: { note: { asset: 'D:/show/notes/n.txt' } } },
      primChildren: { tokens: ['Ball'] },
    },
  },
  {
    path: '/Ball',
    specType: 6,
    fields: {
      references: { references: ['//fileserver/share/ball.usdc'] },
      payload: { payloads: ['/Volumes/proj/ball_payload.usdc'] },
      properties: { tokens: ['maps', 'file'] },
      variantSetChildren: { tokens: ['look'] },
    },
  },
  { path: '/Ball{look=}', specType: 11, fields: { variantChildren: { tokens: ['red'] } } },
  // (TinyUSDZ prints no property of a variant, so the variant's own paths are checked elsewhere.)
  { path: '/Ball{look=red}', specType: 10, fields: {} },
  {
    path: '/Ball.file',
    specType: 1,
    fields: { typeName: { token: 'asset' }, default: { asset: 'D:/show/tex/ball_<UDIM>.png' } },
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

interface Rewritten {
  bytes: Uint8Array;
  changes: ReadonlyArray<{ from: string; to: string }>;
}

function rewrite(bytes: Uint8Array, map: (t: string) => string | undefined): Rewritten | undefined {
  const plan = planCrateTokenRewrite(bytesSource(bytes, 'layer.usdc'), map);
  return plan === undefined
    ? undefined
    : { bytes: applyCrateTokenRewrite(bytes, plan), changes: plan.changes };
}

/** TinyUSDZ's text of `bytes`, or a failed assertion naming its error. */
async function textOf(bytes: Uint8Array, name: string): Promise<string> {
  const text = (await tinyUsd()).layerText(bytes, name);
  if (text instanceof Error) assert.fail(`TinyUSDZ could not read ${name}: ${text.message}`);
  return text;
}

/** The original's text with every changed token written the way the rewrite changed it. */
function mapped(text: string, changes: Rewritten['changes']): string {
  // Longest first, so a path that is a prefix of another cannot take part of it.
  const sorted = [...changes].sort((a, b) => b.from.length - a.from.length);
  let out = text;
  for (const { from, to } of sorted)
    out = out.replaceAll(`@${from}@`, `@${to}@`).replaceAll(`"${from}"`, `"${to}"`);
  return out;
}

test('TinyUSDZ reads a rewritten crate as the original layer with the mapped paths, and nothing else changed', async () => {
  const original = crateBytes(SPECS);
  const before = await textOf(original, 'layer.usdc');
  // The fixture is whole to TinyUSDZ: every spec it prints.
  for (const p of ['@D:/show/tex/ball_<UDIM>.png@', '@/Volumes/proj/ball_payload.usdc@', '@./rel.usda@'])
    assert.ok(before.includes(p), `${p} in\n${before}`);

  const out = rewrite(original, mapToStage);
  assert.ok(out !== undefined);
  const after = await textOf(out.bytes, 'layer.usdc');
  assert.equal(after, mapped(before, out.changes));
  for (const p of [
    '@/stage/D/show/layers/fx.usda@',
    '@/stage/D/show/notes/n.txt@',
    '@/stage/fileserver/share/ball.usdc@',
    '@/stage/Volumes/proj/ball_payload.usdc@',
    '@/stage/D/show/tex/ball_<UDIM>.png@',
    '@/stage/Volumes/proj/a.png@',
    '@/stage/Volumes/proj/s.png@',
    '@C:/keep/b.png@',
    '@./rel.usda@',
  ])
    assert.ok(after.includes(p), `${p} in\n${after}`);
  assert.ok(!/@(D:|\/\/fileserver|\/Volumes)/.test(after), after);
});

test('every sublayer, reference and payload TinyUSDZ lists is one the crate reader lists', async () => {
  const bytes = crateBytes(SPECS);
  const theirs = (await tinyUsd()).compositionPaths(bytes, 'layer.usdc');
  assert.ok(!(theirs instanceof Error), String(theirs));
  assert.deepEqual([...theirs].sort(), [
    './rel.usda',
    '//fileserver/share/ball.usdc',
    '/Volumes/proj/ball_payload.usdc',
    'D:/show/layers/fx.usda',
  ]);
  const ours = new Set(readCrateDependencies(bytesSource(bytes)).map((r) => r.path));
  for (const p of theirs) assert.ok(ours.has(p), `${p} is missing from the crate reader's list`);
});

test('a crate inside a rewritten USDZ reads in TinyUSDZ as its rewritten self', async () => {
  const crate = crateBytes(SPECS);
  const zip = storedZip({ 'inner.usdc': crate, 'tex/a.png': 'png bytes' });
  const source = bytesSource(zip, 'pkg.usdz');
  let changes: Rewritten['changes'] = [];
  const pieces = rewriteUsdz(source, (m) => {
    if (!m.name.endsWith('.usdc')) return undefined;
    const r = rewrite(m.source.read(0, m.size), mapToStage);
    if (r !== undefined) changes = r.changes;
    return r?.bytes;
  });
  assert.ok(pieces !== undefined);
  const usdz = joinZipPieces(source, pieces);
  // TinyUSDZ opens the package and reads its first layer, as a USD stage does.
  assert.equal(await textOf(usdz, 'pkg.usdz'), mapped(await textOf(crate, 'inner.usdc'), changes));
});

// Real crates written by OpenUSD (versions 0.7–0.9 here), when the samples folder is filled
// by test/fixtures/nested-samples.sh (sources and licences in NESTED-SOURCES.md).
const samples = process.env.OPENFARM_NESTED_SAMPLES;
const present = samples !== undefined && existsSync(join(samples, 'openusd'));
test("real OpenUSD crates, every relative path mapped to a staged root: TinyUSDZ reads each as the original with the node's paths", {
  skip: present
    ? false
    : 'OPENFARM_NESTED_SAMPLES is not set to a folder filled by test/fixtures/nested-samples.sh',
}, async () => {
  const crates = findCrates(samples ?? '');
  assert.ok(crates.length >= 5, crates.join(', '));
  let rewritten = 0;
  for (const file of crates) {
    const bytes = new Uint8Array(readFileSync(file));
    const paths = new Set(readCrateDependencies(bytesSource(bytes, file)).map((r) => r.path));
    const out = rewrite(bytes, (t) =>
      paths.has(t) && !t.startsWith('/') ? `/stage/${t.replace(/^\.\//, '')}` : undefined,
    );
    if (out === undefined) continue;
    rewritten++;
    assert.equal(await textOf(out.bytes, file), mapped(await textOf(bytes, file), out.changes), file);
  }
  assert.ok(rewritten >= 3, `${rewritten} of ${crates.length} crates named paths to map`);
});

function findCrates(dir: string): string[] {
  const found: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!e.isFile()) continue;
    const file = join(e.parentPath, e.name);
    if (!/\.usdc?$/.test(e.name)) continue;
    const head = readFileSync(file).subarray(0, 10);
    // TinyUSDZ reads 0.4.0 to 0.9.0 (the others are checked by the crate reader alone).
    if (
      head.subarray(0, 8).toString('latin1') === 'PXR-USDC' &&
      head[8] === 0 &&
      head[9]! >= 4 &&
      head[9]! <= 9
    )
      found.push(file);
  }
  return found.sort();
}
