import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  AnalyzeMaya,
  applyCrateTokenRewrite,
  DependencyCollector,
  bytesSource,
  followNestedDependencies,
  isCrate,
  joinZipPieces,
  planCrateTokenRewrite,
  readCrateDependencies,
  readCrateTables,
  readUsdLayer,
  readZipMembers,
  rewriteUsdz,
} from '../src/index.js';

/**
 * Conformance on real files from public repositories (OpenUSD, maya-usd,
 * arnold-usd, MaterialX). They are not committed: `OPENFARM_NESTED_SAMPLES`
 * names a folder filled by `test/fixtures/nested-samples.sh`; the sources,
 * commits and licences are in `test/fixtures/NESTED-SOURCES.md`.
 */
const samples = process.env.OPENFARM_NESTED_SAMPLES;
const present = samples !== undefined && existsSync(join(samples, 'openusd'));
const skip = present
  ? false
  : 'OPENFARM_NESTED_SAMPLES is not set to a folder filled by test/fixtures/nested-samples.sh';
const S = (rel: string) => join(samples ?? '', rel);
const workspace = mkdtempSync(join(tmpdir(), 'openfarm-nested-samples-'));
after(() => rmSync(workspace, { recursive: true, force: true }));

/** UsdUtils' baseline lines (`crate.usdc references[007]: ./clip.010.usd`) → the paths. */
function baseline(rel: string): string[] {
  return readFileSync(S(rel), 'utf8')
    .split('\n')
    .filter((l) => l.includes(': '))
    .map((l) => l.slice(l.indexOf(': ') + 2).trim());
}

const EXTRACTOR = 'openusd/pxr/usd/usdUtils/testenv/testUsdUtilsDependencyExtractor';

describe('real USD files (OpenUSD test data)', { skip }, () => {
  for (const [layer, expected] of [
    ['crate.usdc', 'crate-usdc.txt'],
    ['ascii.usda', 'ascii-usda.txt'],
  ] as const) {
    test(`${layer}: the same asset paths as UsdUtils' dependency extractor baseline`, () => {
      const refs = readUsdLayer(bytesSource(readFileSync(S(`${EXTRACTOR}/${layer}`)), layer));
      const ours = new Set(refs.map((r) => r.path));
      // The baseline lists the clip files the template matched on disk; we keep the template.
      const theirs = new Set(
        baseline(`${EXTRACTOR}/baseline/${expected}`).filter((p) => !p.startsWith('./clip.')),
      );
      theirs.add('./clip.###.usd');
      assert.deepEqual([...ours].sort(), [...theirs].sort());
    });
  }

  test('crate versions 0.7 and 0.9 files read; payloads of a 0.7 file', () => {
    const old = readUsdLayer(
      bytesSource(
        readFileSync(
          S(
            'openusd/pxr/usd/usd/testenv/testUsdCratePayloadConversionFromVersion07.testenv/crate07SinglePayload.usdc',
          ),
        ),
      ),
    );
    assert.deepEqual(
      old.map((r) => [r.path, r.kind]),
      [
        ['Payload.usda', 'payload'],
        ['Payload2.usda', 'payload'],
      ],
    );
    const tables = readCrateTables(
      bytesSource(readFileSync(S('openusd/pxr/usd/usd/testenv/testUsdCrateRelocates.testenv/model.usdc'))),
    );
    assert.deepEqual(tables.version, { major: 0, minor: 9, patch: 0 });
    assert.ok(tables.paths.includes('/Model/Rig/Body/Anim'));
  });

  test('a USDZ package: names inside the package are not dependencies, others are', () => {
    const refs = readUsdLayer(
      bytesSource(
        readFileSync(
          S(
            'openusd/pxr/usd/usdUtils/testenv/testUsdUtilsDependencies/computeAllDependenciesUsdz/package_missing_external.usdz',
          ),
        ),
      ),
    );
    assert.deepEqual(refs.map((r) => r.path).sort(), ['missing.png', 'missing_in_reference.png']);
  });

  test('real crates (0.7.0, 0.8.0, 0.9.0, 0.11.0) and a package rewritten as the render node does read back with every asset path mapped', () => {
    /** Map every asset path the crate names (as the node maps absolute ones) and read the result back. */
    const rewriteCrate = (bytes: Uint8Array, name: string): Uint8Array | undefined => {
      const before = readCrateDependencies(bytesSource(bytes, name));
      const named = new Set(before.map((r) => r.path));
      const plan = planCrateTokenRewrite(bytesSource(bytes, name), (t) =>
        named.has(t) ? `/stage/${t}` : undefined,
      );
      if (plan === undefined) return undefined;
      const out = applyCrateTokenRewrite(bytes, plan);
      assert.deepEqual(
        readCrateDependencies(bytesSource(out)).map((r) => [r.path, r.owner, r.kind]),
        before.map((r) => [`/stage/${r.path}`, r.owner, r.kind]),
        name,
      );
      return out;
    };
    const crates = [
      `${EXTRACTOR}/crate.usdc`,
      'openusd/pxr/usd/usd/testenv/testUsdCratePayloadConversionFromVersion07.testenv/crate07SinglePayload.usdc',
      'openusd/pxr/usd/usdUtils/testenv/testUsdUtilsDependencies/computeAllDependencies/crate.usdc',
      'openusd/pxr/usd/usd/testenv/testUsdCrateRelocates.testenv/root_no_relocates.usdc',
      'openusd/pxr/usd/usd/testenv/testUsdCrateRelocates.testenv/root_with_relocates.usdc',
    ];
    const versions = crates.map((rel) => readCrateTables(bytesSource(readFileSync(S(rel)))).version.minor);
    assert.deepEqual(versions, [7, 7, 8, 9, 11]);
    for (const rel of crates) assert.ok(rewriteCrate(readFileSync(S(rel)), rel) !== undefined, rel);
    const pkg = 'openusd/pxr/usd/bin/usdchecker/testenv/testUsdChecker/clean/clean_usdc.usdz';
    const source = bytesSource(readFileSync(S(pkg)), pkg);
    const pieces = rewriteUsdz(source, (m) =>
      isCrate(m.source.read(0, Math.min(8, m.size)))
        ? rewriteCrate(m.source.read(0, m.size), m.name)
        : undefined,
    );
    assert.ok(pieces !== undefined, 'the package has a crate layer naming files');
    const out = joinZipPieces(source, pieces);
    const members = readZipMembers(bytesSource(out));
    assert.deepEqual(
      members.map((m) => m.name),
      readZipMembers(source).map((m) => m.name),
    );
    assert.ok(members.every((m) => m.method === 0 && m.dataStart! % 64 === 0));
    const refs = readUsdLayer(bytesSource(out));
    assert.ok(refs.length > 0 && refs.every((r) => r.path.startsWith('/stage/')), JSON.stringify(refs));
  });
});

describe("real Maya + USD files (maya-usd's ballset)", { skip }, () => {
  test('the proxy shape reaches every layer and texture; ball10.tex is missing with its chain', async () => {
    const dir = S('maya-usd/test/testSamples/ballset/StandaloneScene');
    const maya = await new AnalyzeMaya({ cgFile: join(dir, 'top_layer.ma'), workspace }).analyse();
    const locals = maya.uploadInfo!.asset.map((a) => a.local);
    for (const tex of ['ball1.tex', 'ball4.tex', 'ball8.tex', 'ball9.tex', 'ballCue.tex']) {
      assert.ok(locals.includes(join(dir, 'tex', tex).replace(/\\/g, '/')), tex);
    }
    for (const layer of [
      'top_layer.usda',
      'Assembly_room_set.usda',
      'Ball.usd',
      'Ball_payload.usd',
      'Ball.shadingVariants.usda',
      'Ball.maya.usd',
    ]) {
      assert.ok(locals.includes(join(dir, layer).replace(/\\/g, '/')), layer);
    }
    assert.equal(new Set(locals).size, locals.length);
    const tips = maya.tipsInfo!['10012']!;
    const ball10 = tips.find((t) => t.includes('ball10.tex'));
    assert.match(
      ball10 ?? '',
      /^Ball\.shadingVariants\.usda <\/Ball\{shadingVariant=Ball_10\}\/Looks\/BallLook\/BallTexture\.filename>, named by Ball_payload\.usd <\/Ball> references, named by Ball\.usd <\/Ball> payload, named by Assembly_room_set\.usda .*, named by top_layer\.usda <\/> subLayers, named by proxyShape1\.fp in top_layer\.ma: \.\/tex\/ball10\.tex/,
    );
    assert.ok(!tips.some((t) => /: Pxr[A-Z]\w+ \(resolved/.test(t)), 'shader registry names are not files');
    // Room_set.usd is a crate of version 0.0.1 (2017): read like the newer ones.
    assert.ok(!tips.some((t) => t.includes('not read')), tips.join('\n'));
    assert.ok(maya.nestedFiles.some((f) => f.endsWith('Room_set.usd')));
  });
});

describe('real Arnold and MaterialX files', { skip }, () => {
  test("arnold-usd's test_0000: the usd procedural's file, not the tiff driver's output", () => {
    const dir = S('arnold-usd/testsuite/test_0000/data');
    const collector = new DependencyCollector({ roots: [dir] });
    collector.add({ path: 'test.ass', owner: 'standIn.dso', kind: 'proxy' });
    followNestedDependencies(collector, join(dir, 'scene.ma'));
    assert.deepEqual(
      collector.all().map((d) => [d.path, d.status]),
      [
        ['test.ass', 'found'],
        ['sphere.usd', 'found'],
      ],
    );
  });

  test("MaterialX's include tests: relative includes followed, a self-include cycle ends", () => {
    const dir = S('materialx/javascript/MaterialXTest/data/includes');
    const collector = new DependencyCollector({ roots: [dir] });
    collector.add({ path: 'root.mtlx', owner: 'look', kind: 'materialx' });
    collector.add({ path: 'cycle.mtlx', owner: 'look', kind: 'materialx' });
    const report = followNestedDependencies(collector, join(dir, 'scene.ma'));
    assert.equal(report.read.length, 5);
    assert.deepEqual(collector.missing(), []);
    const boombox = S('materialx/resources/Materials/Examples/GltfPbr');
    const c2 = new DependencyCollector({ roots: [boombox] });
    c2.add({ path: 'gltf_pbr_boombox.mtlx', owner: 'look', kind: 'materialx' });
    followNestedDependencies(c2, join(boombox, 'scene.ma'));
    assert.deepEqual(
      c2
        .missing()
        .map((d) => d.path)
        .sort(),
      [
        'boombox/BoomBox_baseColor.png',
        'boombox/BoomBox_emissive.png',
        'boombox/BoomBox_normal.png',
        'boombox/BoomBox_occlusionRoughnessMetallic.png',
      ],
    );
  });
});
