import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { analyzeScene } from '@openfarm/analyzers';
import { ContentCache, type StagedInput, stagedPath, stageInputs } from '@openfarm/worker';
import { crateBytes } from '../../analyzers/test/support/usd-crate-writer.js';
import { stagedPathMaps } from '../src/renderers/path-map.js';
import { remapLine, textFormatOf } from '../src/staging/remap-nested-paths.js';

/**
 * Absolute paths of the artist's machine written inside nested files (a USD
 * text layer's `@D:\…@`, `@//server/share/…@`, `@/Volumes/…@`, an Arnold
 * stand-in's `filename "C:/…"`) are reached by no DCC's own path map: the
 * staging rewrites the staged copies of text layers and stand-ins so they
 * name the staged tree. The inputs are staged by the worker's own code from a
 * real content cache, at the server paths the SDK gives such files
 * (`D:\show\a` → `/D/show/a`, `\\fileserver\share\a` → `/fileserver/share/a`).
 */
const root = mkdtempSync(join(tmpdir(), 'openfarm-nested-abs-'));
after(() => rmSync(root, { recursive: true, force: true }));

const FILES: Record<string, string | Uint8Array> = {
  // The scene names its first layer relatively (Maya's dirmap would map an absolute one).
  '/D/show/scenes/shot.ma':
    '//Maya ASCII 2024 scene\nrequires maya "2024";\nrequires -nodeType "mayaUsdProxyShape" "mayaUsdPlugin" "0.25.0";\n' +
    'createNode transform -n "stage1";\ncreateNode mayaUsdProxyShape -n "stageShape1" -p "stage1";\n' +
    '\tsetAttr ".fp" -type "string" "../usd/shot.usda";\n',
  // Windows UNC and macOS volume paths to the next layers.
  '/D/show/usd/shot.usda':
    '#usda 1.0\r\n(\r\n    subLayers = [\r\n        @\\\\fileserver\\share\\layers\\fx.usda@,\r\n        @/Volumes/proj/layers/anim.usdc@\r\n    ]\r\n)\r\n',
  '/fileserver/share/layers/fx.usda':
    '#usda 1.0\ndef "Fx" {\n    asset arnold:filename = @//fileserver/share/props/tree.ass@\n}\n',
  // A crate holding only a relative reference: nothing in it to rewrite (nested-binary-usd.test.ts).
  '/Volumes/proj/layers/anim.usdc': crateBytes([
    { path: '/', specType: 7, fields: {} },
    { path: '/Ball', specType: 6, fields: { references: { references: ['../assets/ball.usda'] } } },
  ]),
  '/Volumes/proj/assets/ball.usda':
    '#usda 1.0\n# caf\xe9 (a Latin-1 byte, kept as it is)\ndef Xform "Ball"\n{\n' +
    '    asset inputs:file = @D:\\show\\tex\\ball_<UDIM>.png@\n' +
    '    string filename = "D:\\\\show\\\\tex\\\\ball_blue.png"\n' +
    '    asset inputs:wood = @/Users/ann/tex/wood.png@\n' +
    '    asset inputs:near = @./near.png@\n}\n',
  '/Volumes/proj/assets/near.png': 'near',
  '/fileserver/share/props/tree.ass':
    'options\n{\n name options\n}\nimage\n{\n name bark\n filename "C:/textures/bark.tx"\n}\n' +
    'image\n{\n name leaf\n filename "//fileserver/share/tex/leaf.tx"\n}\n',
  '/D/show/tex/ball_1001.png': 'tile 1001',
  '/D/show/tex/ball_1002.png': 'tile 1002',
  '/D/show/tex/ball_blue.png': 'blue',
  '/Users/ann/tex/wood.png': 'wood',
  '/C/textures/bark.tx': 'bark',
  '/fileserver/share/tex/leaf.tx': 'leaf',
};

function bytesOf(content: string | Uint8Array): Buffer {
  return typeof content === 'string' ? Buffer.from(content, 'latin1') : Buffer.from(content);
}

const inputs: StagedInput[] = Object.entries(FILES).map(([serverPath, content]) => ({
  serverPath,
  sha256: createHash('sha256').update(bytesOf(content)).digest('hex'),
  size: bytesOf(content).length,
}));

let fetches = 0;
const fetchBlob = async (input: StagedInput, tmp: string): Promise<void> => {
  fetches++;
  writeFileSync(tmp, bytesOf(FILES[input.serverPath]!));
};

test('absolute Windows (drive, UNC) and macOS paths inside staged USD text layers and an Arnold stand-in name the staged tree; the analyzer run on the node misses nothing', async () => {
  const cache = await ContentCache.open({ dir: join(root, 'cache'), maxBytes: 1 << 30 });
  const stagingRoot = join(root, 'stage-a');
  mkdirSync(stagingRoot, { recursive: true });
  await stageInputs(cache, inputs, stagingRoot, fetchBlob);
  const at = (p: string): string => stagedPath(stagingRoot, p);

  const shot = readFileSync(at('/D/show/usd/shot.usda'), 'utf8');
  assert.match(shot, new RegExp(`@${at('/fileserver/share/layers/fx.usda')}@`));
  assert.match(shot, new RegExp(`@${at('/Volumes/proj/layers/anim.usdc')}@`));
  assert.ok(shot.endsWith(')\r\n'), 'line ends are kept');
  const ball = readFileSync(at('/Volumes/proj/assets/ball.usda'), 'latin1');
  assert.ok(ball.includes('# caf\xe9 (a Latin-1 byte'), 'bytes that are not UTF-8 are kept');
  assert.ok(ball.includes(`@${at('/D/show/tex')}/ball_<UDIM>.png@`), ball);
  assert.ok(ball.includes(`"${at('/D/show/tex/ball_blue.png')}"`), ball);
  assert.ok(ball.includes(`@${at('/Users/ann/tex/wood.png')}@`), ball);
  assert.ok(ball.includes('@./near.png@'), 'relative paths are left as they are');
  const ass = readFileSync(at('/fileserver/share/props/tree.ass'), 'utf8');
  assert.ok(ass.includes(`filename "${at('/C/textures/bark.tx')}"`), ass);
  assert.ok(ass.includes(`filename "${at('/fileserver/share/tex/leaf.tx')}"`), ass);
  // The crate and the files without absolute paths are the farm's bytes, untouched.
  for (const p of ['/Volumes/proj/layers/anim.usdc', '/D/show/scenes/shot.ma', '/D/show/tex/ball_1001.png'])
    assert.deepEqual(readFileSync(at(p)), bytesOf(FILES[p]!), p);

  // The analyzer, run on the node's tree, follows the rewritten chain to every texture.
  const again = await analyzeScene(at('/D/show/scenes/shot.ma'), {
    workspace: mkdtempSync(join(root, 'ws-')),
  });
  assert.deepEqual(again.tipsInfo, {});
  assert.equal(again.uploadInfo!.asset.length, inputs.length);

  // The rewrite replaced the links: the cached bytes are intact, so staging again fetches nothing.
  const before = fetches;
  const second = join(root, 'stage-b');
  mkdirSync(second, { recursive: true });
  await stageInputs(cache, inputs, second, fetchBlob);
  assert.equal(fetches, before, 'no cached blob was spoiled by the rewrite');
  assert.notEqual(
    statSync(at('/D/show/usd/shot.usda')).ino,
    statSync(stagedPath(second, '/D/show/usd/shot.usda')).ino,
  );
  // Staging into the same root again (a retried lease) rewrites from the farm's bytes, not twice.
  await stageInputs(cache, inputs, stagingRoot, fetchBlob);
  assert.equal(readFileSync(at('/D/show/usd/shot.usda'), 'utf8'), shot);
});

test('each text format is rewritten where it holds paths; other paths are left alone', () => {
  const stagingRoot = join(root, 'formats');
  for (const d of ['D', 'Volumes', 'Users', 'fileserver'])
    mkdirSync(join(stagingRoot, d), { recursive: true });
  const maps = stagedPathMaps(stagingRoot);
  const s = (p: string): string => `${stagingRoot}/${p}`;
  const line = (file: string, text: string): string => remapLine(text, textFormatOf(file)!, maps);

  assert.equal(line('a.vrscene', 'file="D:/show/tex/a.exr";'), `file="${s('D/show/tex/a.exr')}";`);
  assert.equal(line('a.vrscene', 'file="d:\\\\show\\\\a.exr";'), `file="${s('D/show/a.exr')}";`);
  assert.equal(
    line('a.mtlx', '<input name="file" type="filename" value="/Volumes/proj/tex/a.png" />'),
    `<input name="file" type="filename" value="${s('Volumes/proj/tex/a.png')}" />`,
  );
  assert.equal(
    line('a.ass', ' filename "\\\\\\\\fileserver\\\\share\\\\a.tx"'),
    ` filename "${s('fileserver/share/a.tx')}"`,
  );
  assert.equal(
    line('config.ocio', 'search_path: /Volumes/luts:D:/luts:luts'),
    `search_path: ${s('Volumes/luts')}:${s('D/luts')}:luts`,
  );
  assert.equal(
    line('config.ocio', '  - !<FileTransform> {src: /Users/ann/lut.cube}'),
    `  - !<FileTransform> {src: ${s('Users/ann/lut.cube')}}`,
  );
  assert.equal(
    line('coll.xgen', `\txgDataPath\t\tD:/show/xgen;\${PROJECT}/xgen`),
    `\txgDataPath\t\t${s('D/show/xgen')};\${PROJECT}/xgen`,
  );
  // Not the artist's roots: a node path, a relative one, a URL, a drive not staged.
  for (const text of ['@/opt/lib/a.usda@', '@./a.usda@', '"https://example.com/a.png"', '"E:/x.png"'])
    assert.equal(line('a.usda', text), text);
  assert.equal(textFormatOf('a.usdc'), undefined, 'crates are not text (remap-usd-binary.ts)');
  assert.equal(textFormatOf('A.VRSCENE.GZ')?.gzip, true);
  assert.equal(textFormatOf('a.abc'), undefined);
});

test("a path whose '..' would climb above its staged root is left as written, never pointed outside the staged tree", () => {
  const stagingRoot = join(root, 'climb');
  for (const d of ['D', 'Volumes']) mkdirSync(join(stagingRoot, d), { recursive: true });
  const maps = stagedPathMaps(stagingRoot);
  const line = (text: string): string => remapLine(text, textFormatOf('a.usda')!, maps);
  for (const text of ['@D:/../../etc/passwd@', '@/Volumes/proj/../../../x.usda@', '"D:\\\\..\\\\secret.png"'])
    assert.equal(line(text), text);
  // '..' that stays inside the root is the author's own path and is mapped as before.
  assert.equal(line('@D:/show/../tex/a.png@'), `@${stagingRoot}/D/show/../tex/a.png@`);
});

test('a gzip-compressed stand-in is rewritten and stays gzip; a damaged one is left for the renderer to report', async () => {
  const cache = await ContentCache.open({ dir: join(root, 'cache-gz'), maxBytes: 1 << 30 });
  const files: Record<string, Buffer> = {
    '/D/show/tree.ass.gz': gzipSync('image\n{\n filename "D:/show/bark.tx"\n}\n'),
    '/D/show/bad.ass.gz': Buffer.from('not gzip "D:/show/bark.tx"'),
    '/D/show/bark.tx': Buffer.from('bark'),
  };
  const list = Object.entries(files).map(([serverPath, b]) => ({
    serverPath,
    sha256: createHash('sha256').update(b).digest('hex'),
    size: b.length,
  }));
  const stagingRoot = join(root, 'stage-gz');
  mkdirSync(stagingRoot, { recursive: true });
  await stageInputs(cache, list, stagingRoot, async (input, tmp) =>
    writeFileSync(tmp, files[input.serverPath]!),
  );
  const text = gunzipSync(readFileSync(stagedPath(stagingRoot, '/D/show/tree.ass.gz'))).toString();
  assert.ok(text.includes(`filename "${stagedPath(stagingRoot, '/D/show/bark.tx')}"`), text);
  assert.deepEqual(readFileSync(stagedPath(stagingRoot, '/D/show/bad.ass.gz')), files['/D/show/bad.ass.gz']);
});
