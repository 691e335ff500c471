import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  ASSET_EXTENSIONS,
  absolutePathsIn,
  analyzeScene,
  DependencyCollector,
  followNestedDependencies,
  namesFileHere,
  scanAbsolutePaths,
  scannedRanges,
} from '../src/index.js';
import { flipBits, insertRandomBytes, mulberry32, overwriteBytes, randomInt } from './support/fuzz.js';

/**
 * Alembic archives and Redshift proxies are not rewritten on the render
 * node, so an absolute path stored inside one is opened as written there. The
 * analyzer scans them for such paths: those naming a texture, cache or
 * geometry file on this machine are uploaded (the renderer's path map finds
 * them staged under their root), the others get a warning (a tip under the
 * DCC's missing-file code, which does not block submission).
 */
const root = mkdtempSync(join(tmpdir(), 'openfarm-binary-paths-'));
after(() => rmSync(root, { recursive: true, force: true }));

/** Bytes laid out like an Ogawa archive's: binary around NUL-separated strings and `key=value;` metadata. */
function archive(strings: readonly (string | Uint8Array)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('Ogawa\xff\x00\x01', 'latin1')];
  const rng = mulberry32(7);
  for (const s of strings) {
    parts.push(Buffer.from(Array.from({ length: 64 }, () => randomInt(rng, 256))));
    parts.push(
      Buffer.from([0, 0, 0, 0x1c]),
      typeof s === 'string' ? Buffer.from(s) : Buffer.from(s),
      Buffer.from([0]),
    );
  }
  parts.push(Buffer.from(Array.from({ length: 64 }, () => randomInt(rng, 256))));
  return Buffer.concat(parts);
}

test('the scan finds drive, UNC and POSIX absolute paths with an extension, UTF-8 included, and nothing else', () => {
  const bytes = archive([
    'schema=AbcGeom_PolyMesh_v1;isGeom=1;interpretation=point',
    'D:\\show\\tex\\bark_<UDIM>.tx',
    '//fileserver/share/tex/leaf.exr',
    '\\\\fileserver\\share\\tex\\moss.png',
    '/mnt/proj/textures/rock.tif',
    'arnoldTexture=C:/Users/ann/My Textures/wood.jpg;other=1',
    'D:/纹理/石头.png',
    // Not absolute, no extension, or an object path: not reported.
    'textures/relative.png',
    './near.png',
    '/root/xform/pCubeShape1',
    'D:/show/folder/',
    '.userProperties',
    Uint8Array.from([0x44, 0x3a, 0x2f, 0xff, 0xfe, 0x2e, 0x70, 0x6e, 0x67]), // `D:/` + bytes that are not UTF-8
  ]);
  const found = new Set<string>();
  absolutePathsIn(bytes, found);
  assert.deepEqual(
    [...found],
    [
      'D:\\show\\tex\\bark_<UDIM>.tx',
      '//fileserver/share/tex/leaf.exr',
      '\\\\fileserver\\share\\tex\\moss.png',
      '/mnt/proj/textures/rock.tif',
      'C:/Users/ann/My Textures/wood.jpg',
      'D:/纹理/石头.png',
    ],
  );
});

test('a Maya scene with an Alembic cache and a Redshift proxy: absolute paths naming textures here are uploaded, the others get a warning tip with the chain', async () => {
  const dir = join(root, 'maya');
  mkdirSync(join(dir, 'cache'), { recursive: true });
  mkdirSync(join(dir, 'tex'), { recursive: true });
  mkdirSync(join(dir, 'notes'), { recursive: true });
  for (const f of ['bark_here.tx', 'moss_1001.png', 'moss_1002.png', 'rock_here.exr'])
    writeFileSync(join(dir, 'tex', f), f);
  writeFileSync(join(dir, 'notes', 'todo.txt'), 'not a texture');
  const here = (rel: string) => join(dir, rel);
  writeFileSync(
    join(dir, 'cache', 'tree.abc'),
    archive([
      'D:/show/tex/bark.tx', // another machine's path: warned
      here('tex/bark_here.tx'), // this machine's texture: uploaded
      here('tex/moss_<UDIM>.png'), // a UDIM set in an existing folder: every tile uploaded
      here('notes/todo.txt'), // exists, but not a file a renderer reads: warned, not uploaded
      here('tex/gone.png'), // absent: warned
      './relative.png', // relative: not looked for
    ]),
  );
  writeFileSync(
    join(dir, 'cache', 'rock.rs'),
    archive(['\\\\fileserver\\share\\tex\\rock.exr', here('tex/rock_here.exr')]),
  );
  writeFileSync(join(dir, 'cache', 'clean.abc'), archive(['schema=AbcGeom_Xform_v3']));
  writeFileSync(
    join(dir, 'shot.ma'),
    '//Maya ASCII 2024 scene\nrequires maya "2024";\n' +
      'createNode AlembicNode -n "tree_abc";\n\tsetAttr ".fn" -type "string" "cache/tree.abc";\n' +
      'createNode AlembicNode -n "clean_abc";\n\tsetAttr ".fn" -type "string" "cache/clean.abc";\n' +
      'createNode RedshiftProxyMesh -n "rockProxy";\n\tsetAttr ".fn" -type "string" "cache/rock.rs";\n',
  );
  const result = await analyzeScene(join(dir, 'shot.ma'), { workspace: mkdtempSync(join(root, 'ws-')) });
  const tips = Object.values(result.tipsInfo!).flat();
  assert.equal(tips.length, 2, tips.join('\n'));
  const treeTip = tips.find((t) => t.startsWith('tree.abc'))!;
  assert.match(
    treeTip,
    /^tree\.abc, named by tree_abc\.fn in shot\.ma: absolute paths inside this Alembic archive naming no texture, cache or geometry file on this machine .*: D:\/show\/tex\/bark\.tx, .*todo\.txt, .*gone\.png$/,
  );
  assert.doesNotMatch(treeTip, /bark_here|moss/);
  assert.match(
    tips.find((t) => t.startsWith('rock.rs'))!,
    /Redshift proxy .*: \\\\fileserver\\share\\tex\\rock\.exr$/,
  );
  assert.deepEqual(result.uploadInfo!.asset.map((a) => a.local.split(/[\\/]/).pop()).sort(), [
    'bark_here.tx',
    'clean.abc',
    'moss_1001.png',
    'moss_1002.png',
    'rock.rs',
    'rock_here.exr',
    'shot.ma',
    'tree.abc',
  ]);
  // The chain says where a file found by the scan came from.
  const bark = result.dependencies!.find((d) => d.path === here('tex/bark_here.tx'))!;
  assert.equal(bark.status, 'found');
  assert.match(
    bark.owner,
    /^tree\.abc string \(found by a scan of the Alembic archive\), named by tree_abc\.fn in shot\.ma$/,
  );
});

test('only an absolute path to an existing file with an asset extension names a file here', () => {
  const dir = join(root, 'here');
  mkdirSync(join(dir, 'tex'), { recursive: true });
  writeFileSync(join(dir, 'tex', 'a.exr'), 'x');
  writeFileSync(join(dir, 'id_rsa.pem'), 'secret');
  assert.equal(namesFileHere(join(dir, 'tex', 'a.exr')), true);
  assert.equal(namesFileHere(join(dir, 'tex', 'A.EXR')), false, 'another name');
  assert.equal(namesFileHere(join(dir, 'tex', 'b_<UDIM>.exr')), true, 'a pattern in an existing folder');
  assert.equal(namesFileHere(join(dir, 'none', 'b_<UDIM>.exr')), false, 'a pattern in no folder');
  assert.equal(namesFileHere(join(dir, 'id_rsa.pem')), false, 'not an asset');
  assert.equal(namesFileHere(join(dir, 'tex')), false, 'a folder');
  assert.equal(namesFileHere('tex/a.exr'), false, 'relative');
  assert.ok(ASSET_EXTENSIONS.has('exr') && !ASSET_EXTENSIONS.has('pem'));
  // A compressed cache by its whole extension; any other compressed file is not an asset.
  for (const name of ['sim.0001.bgeo.sc', 'stand.ass.gz', 'backup.tar.gz', 'notes.gz', 'a.sc'])
    writeFileSync(join(dir, name), 'x');
  assert.equal(namesFileHere(join(dir, 'sim.0001.bgeo.sc')), true);
  assert.equal(namesFileHere(join(dir, 'stand.ass.gz')), true);
  assert.equal(namesFileHere(join(dir, 'backup.tar.gz')), false, 'an archive');
  assert.equal(namesFileHere(join(dir, 'notes.gz')), false);
  assert.equal(namesFileHere(join(dir, 'a.sc')), false);
});

test('a frame sequence of caches is scanned at its first file only', () => {
  const dir = join(root, 'seq');
  mkdirSync(dir, { recursive: true });
  for (const f of [1, 2, 3])
    writeFileSync(join(dir, `rock.${String(f).padStart(4, '0')}.rs`), archive([`D:/show/tex/rock_${f}.exr`]));
  const collector = new DependencyCollector({ roots: [dir] });
  collector.add({ path: 'rock.####.rs', owner: 'rockProxy.fn', kind: 'proxy' });
  const report = followNestedDependencies(collector, join(dir, 'shot.ma'));
  assert.deepEqual(report.read, [join(dir, 'rock.0001.rs')]);
  assert.equal(report.problems.length, 1);
  assert.match(report.problems[0]!, /rock_1\.exr$/);
});

test('a large file is scanned at its first and last 16 MiB', () => {
  const file = join(root, 'big.abc');
  const size = 48 * 1024 * 1024;
  const fd = openSync(file, 'w');
  const put = (at: number, text: string): void => {
    writeSync(fd, Buffer.from(`\0${text}\0`), 0, text.length + 2, at);
  };
  put(1000, 'D:/head/a.png');
  put(24 * 1024 * 1024, 'D:/middle/b.png'); // between the scanned ends: not seen
  put(4 * 1024 * 1024 - 5, 'D:/across/a/chunk/edge.png'); // across a 4 MiB read: seen whole
  put(size - 100, 'D:/tail/c.png');
  closeSync(fd);
  assert.deepEqual(scannedRanges(size), [
    [0, 16 * 1024 * 1024],
    [32 * 1024 * 1024, size],
  ]);
  assert.deepEqual(scanAbsolutePaths(file), ['D:/head/a.png', 'D:/across/a/chunk/edge.png', 'D:/tail/c.png']);
});

test('1 000 mutated archives each give a list of paths (the scan has no error but a file it cannot open)', () => {
  const base = archive(['D:\\show\\tex\\bark.tx', '//srv/share/a.exr', 'schema=x;y=/mnt/p/a.png']);
  const rng = mulberry32(0x0abc0001);
  for (let i = 0; i < 1000; i++) {
    let input = Buffer.from(base);
    switch (randomInt(rng, 3)) {
      case 0:
        flipBits(rng, input, 8);
        break;
      case 1:
        overwriteBytes(rng, input, 16);
        break;
      default:
        input = Buffer.from(insertRandomBytes(rng, input, randomInt(rng, input.length), 64));
    }
    const found = new Set<string>();
    absolutePathsIn(input, found);
    for (const p of found) assert.match(p, /^(?:[A-Za-z]:[\\/]|[\\/]{2}|\/)/, `mutation ${i}: ${p}`);
  }
});
