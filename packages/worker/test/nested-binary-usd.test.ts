import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { analyzeScene, bytesSource, readCrateTables, readZipMembers } from '@openfarm/analyzers';
import { ContentCache, type StagedInput, stagedPath, stageInputs } from '@openfarm/worker';
import { crateBytes } from '../../analyzers/test/support/usd-crate-writer.js';
import { storedZip } from '../../analyzers/test/support/usdz-writer.js';

/**
 * Absolute paths of the artist's machine inside binary USD layers — crates
 * (`.usdc`, a `.usd` crate) and the layers of a `.usdz` — are mapped into the
 * staged tree on the node like those in text layers: the crate gets a new
 * token table, the package is written anew. Staged by the worker's own code
 * from a real content cache; checked with the analyzers' crate reader (no
 * USD library on this machine) and by analyzing the staged scene.
 */
const root = mkdtempSync(join(tmpdir(), 'openfarm-nested-bin-'));
after(() => rmSync(root, { recursive: true, force: true }));

const ANIM = crateBytes([
  {
    path: '/',
    specType: 7,
    fields: { subLayers: { stringVector: ['D:\\show\\layers\\fx.usda', './rel.usda'] } },
  },
  { path: '/Ball', specType: 6, fields: { references: { references: ['//fileserver/share/ball.usd'] } } },
  { path: '/Ball{look=red}', specType: 10, fields: {} },
  {
    path: '/Ball{look=red}/Tex.inputs:file',
    specType: 1,
    fields: { default: { string: 'D:/show/tex/ball_<UDIM>.png' } },
  },
  { path: '/Ball.inputs:wood', specType: 1, fields: { default: { asset: '/Users/ann/tex/wood.png' } } },
  { path: '/Ball.props', specType: 1, fields: { default: { asset: 'D:/show/pkg/props.usdz' } } },
]);
// A `.usd` that is a crate of the 0.3.0 layout (tokens stored plain).
const BALL = crateBytes(
  [
    { path: '/', specType: 7, fields: {} },
    { path: '/Ball.inputs:file', specType: 1, fields: { default: { asset: '/Volumes/proj/tex/ball.png' } } },
  ],
  { legacyVersion: [0, 3, 0] },
);
const PROPS = storedZip({
  'props.usda':
    '#usda 1.0\n(\n    subLayers = [@./inner.usdc@]\n)\ndef "P" {\n    asset inputs:file = @D:\\show\\tex\\leaf.png@\n}\n',
  'inner.usdc': crateBytes([
    { path: '/', specType: 7, fields: {} },
    { path: '/P.inputs:bark', specType: 1, fields: { default: { asset: '/Users/ann/tex/bark.png' } } },
  ]),
  'tex/in-package.png': 'packaged texture',
});

const FILES: Record<string, string | Uint8Array> = {
  '/D/show/scenes/shot.ma':
    '//Maya ASCII 2024 scene\nrequires maya "2024";\nrequires -nodeType "mayaUsdProxyShape" "mayaUsdPlugin" "0.25.0";\n' +
    'createNode transform -n "stage1";\ncreateNode mayaUsdProxyShape -n "stageShape1" -p "stage1";\n' +
    '\tsetAttr ".fp" -type "string" "../../../Volumes/proj/layers/anim.usdc";\n',
  '/Volumes/proj/layers/anim.usdc': ANIM,
  '/Volumes/proj/layers/rel.usda': '#usda 1.0\n',
  '/D/show/layers/fx.usda': '#usda 1.0\n',
  '/fileserver/share/ball.usd': BALL,
  '/D/show/pkg/props.usdz': PROPS,
  '/D/show/tex/ball_1001.png': 'tile 1001',
  '/D/show/tex/leaf.png': 'leaf',
  '/Users/ann/tex/wood.png': 'wood',
  '/Users/ann/tex/bark.png': 'bark',
  '/Volumes/proj/tex/ball.png': 'ball',
};

const bytesOf = (c: string | Uint8Array): Buffer => (typeof c === 'string' ? Buffer.from(c) : Buffer.from(c));
const inputsOf = (files: Record<string, string | Uint8Array>): StagedInput[] =>
  Object.entries(files).map(([serverPath, content]) => ({
    serverPath,
    sha256: createHash('sha256').update(bytesOf(content)).digest('hex'),
    size: bytesOf(content).length,
  }));

test('absolute paths inside staged crates and a USDZ name the staged tree; the analyzer run on the node misses nothing', async () => {
  const cache = await ContentCache.open({ dir: join(root, 'cache'), maxBytes: 1 << 30 });
  const inputs = inputsOf(FILES);
  let fetches = 0;
  const fetchBlob = async (input: StagedInput, tmp: string): Promise<void> => {
    fetches++;
    await writeFile(tmp, bytesOf(FILES[input.serverPath]!));
  };
  const stagingRoot = join(root, 'stage-a');
  mkdirSync(stagingRoot, { recursive: true });
  const log: string[] = [];
  await stageInputs(cache, inputs, stagingRoot, fetchBlob, 4, (line) => log.push(line));
  assert.deepEqual(log, []);
  const at = (p: string): string => stagedPath(stagingRoot, p);

  // The crate: mapped tokens, every other table as the artist's file has it.
  const before = readCrateTables(bytesSource(ANIM));
  const after = readCrateTables(bytesSource(readFileSync(at('/Volumes/proj/layers/anim.usdc'))));
  assert.deepEqual(
    after.tokens.filter((t, i) => t !== before.tokens[i]),
    [
      at('/D/show/layers/fx.usda'),
      at('/fileserver/share/ball.usd'),
      `${at('/D/show/tex')}/ball_<UDIM>.png`,
      at('/Users/ann/tex/wood.png'),
      at('/D/show/pkg/props.usdz'),
    ],
  );
  assert.ok(after.tokens.includes('./rel.usda'));
  assert.deepEqual(after.strings, before.strings);
  assert.deepEqual(after.fields, before.fields);
  assert.deepEqual(after.paths, before.paths);
  assert.deepEqual(after.specs, before.specs);
  // The 0.3.0 `.usd` crate keeps its version and gets a plain token table.
  const ball = readCrateTables(bytesSource(readFileSync(at('/fileserver/share/ball.usd'))));
  assert.deepEqual(ball.version, { major: 0, minor: 3, patch: 0 });
  assert.ok(ball.tokens.includes(at('/Volumes/proj/tex/ball.png')));

  // The package: stored, aligned, its text and crate layers mapped, the texture kept.
  const pkg = readFileSync(at('/D/show/pkg/props.usdz'));
  const members = readZipMembers(bytesSource(pkg));
  assert.deepEqual(
    members.map((m) => [m.name, m.method, m.dataStart! % 64]),
    [
      ['props.usda', 0, 0],
      ['inner.usdc', 0, 0],
      ['tex/in-package.png', 0, 0],
    ],
  );
  const text = Buffer.from(members[0]!.source!.read(0, members[0]!.size)).toString('latin1');
  assert.ok(text.includes(`@${at('/D/show/tex/leaf.png')}@`), text);
  assert.ok(text.includes('@./inner.usdc@'));
  const inner = readCrateTables(members[1]!.source!);
  assert.ok(inner.tokens.includes(at('/Users/ann/tex/bark.png')));
  assert.equal(Buffer.from(members[2]!.source!.read(0, members[2]!.size)).toString(), 'packaged texture');

  // The analyzer, run on the node's tree, follows the rewritten chain to every file.
  const again = await analyzeScene(at('/D/show/scenes/shot.ma'), {
    workspace: mkdtempSync(join(root, 'ws-')),
  });
  assert.deepEqual(again.tipsInfo, {});
  assert.equal(again.uploadInfo!.asset.length, inputs.length);

  // The cached blobs keep the farm's bytes: staging elsewhere fetches nothing and finds them intact.
  const fetched = fetches;
  const second = join(root, 'stage-b');
  mkdirSync(second, { recursive: true });
  await stageInputs(cache, inputs, second, fetchBlob);
  assert.equal(fetches, fetched, 'no cached blob was spoiled by the rewrite');
  assert.notEqual(
    statSync(at('/Volumes/proj/layers/anim.usdc')).ino,
    statSync(stagedPath(second, '/Volumes/proj/layers/anim.usdc')).ino,
  );
  // A retried lease into the same root rewrites from the farm's bytes again, not the rewritten ones twice.
  const rewritten = readFileSync(at('/Volumes/proj/layers/anim.usdc'));
  await stageInputs(cache, inputs, stagingRoot, fetchBlob);
  assert.deepEqual(readFileSync(at('/Volumes/proj/layers/anim.usdc')), rewritten);
});

test('what a crate cannot take is left as it is and said in the frame log: a crate version not written, a path climbing out', async () => {
  const future = crateBytes([
    { path: '/', specType: 7, fields: {} },
    { path: '/A.inputs:file', specType: 1, fields: { default: { asset: 'D:/show/tex/a.png' } } },
  ]);
  future[9] = 12; // crate 0.12.0, newer than OpenUSD 24.08's 0.11.0
  const climbing = crateBytes([
    { path: '/', specType: 7, fields: {} },
    { path: '/A.inputs:file', specType: 1, fields: { default: { asset: 'D:/../../etc/passwd' } } },
    { path: '/A.inputs:ok', specType: 1, fields: { default: { asset: 'D:/show/tex/a.png' } } },
  ]);
  const files: Record<string, string | Uint8Array> = {
    '/D/show/future.usdc': future,
    '/D/show/climbing.usdc': climbing,
    '/D/show/tex/a.png': 'a',
  };
  const cache = await ContentCache.open({ dir: join(root, 'cache-log'), maxBytes: 1 << 30 });
  const stagingRoot = join(root, 'stage-log');
  mkdirSync(stagingRoot, { recursive: true });
  const log: string[] = [];
  await stageInputs(
    cache,
    inputsOf(files),
    stagingRoot,
    async (input, tmp) => writeFile(tmp, bytesOf(files[input.serverPath]!)),
    4,
    (line) => log.push(line),
  );
  assert.deepEqual(readFileSync(stagedPath(stagingRoot, '/D/show/future.usdc')), Buffer.from(future));
  assert.ok(
    log.some(
      (l) =>
        l.startsWith('[openfarm] /D/show/future.usdc: absolute paths inside left as written') &&
        /0\.12\.0 is not written/.test(l),
    ),
    log.join('\n'),
  );
  assert.ok(
    log.some(
      (l) =>
        l.includes('/D/show/climbing.usdc: absolute path "D:/../../etc/passwd" left as written') &&
        /climb/.test(l),
    ),
    log.join('\n'),
  );
  // The rest of that crate is still mapped.
  const tokens = readCrateTables(
    bytesSource(readFileSync(stagedPath(stagingRoot, '/D/show/climbing.usdc'))),
  ).tokens;
  assert.ok(tokens.includes(stagedPath(stagingRoot, '/D/show/tex/a.png')));
  assert.ok(tokens.includes('D:/../../etc/passwd'));
});
