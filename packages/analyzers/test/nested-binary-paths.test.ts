import assert from 'node:assert/strict';
import { closeSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  absolutePathsIn,
  analyzeScene,
  DependencyCollector,
  followNestedDependencies,
  scanAbsolutePaths,
  scannedRanges,
} from '../src/index.js';
import { flipBits, insertRandomBytes, mulberry32, overwriteBytes, randomInt } from './support/fuzz.js';

/**
 * Alembic archives and Redshift proxies are not rewritten on the render
 * node, so an absolute path stored inside one fails there. The analyzer scans
 * them for such paths and warns (a tip under the DCC's missing-file code,
 * which does not block submission); it lists no dependency from the scan.
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

test('a Maya scene with an Alembic cache and a Redshift proxy holding absolute paths gets a warning tip with the chain, and no extra upload', async () => {
  const dir = join(root, 'maya');
  mkdirSync(join(dir, 'cache'), { recursive: true });
  writeFileSync(join(dir, 'cache', 'tree.abc'), archive(['D:/show/tex/bark.tx', './relative.png']));
  writeFileSync(join(dir, 'cache', 'rock.rs'), archive(['\\\\fileserver\\share\\tex\\rock.exr']));
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
  assert.match(
    tips.find((t) => t.startsWith('tree.abc'))!,
    /^tree\.abc, named by tree_abc\.fn in shot\.ma: absolute path inside this Alembic archive .*: D:\/show\/tex\/bark\.tx$/,
  );
  assert.match(
    tips.find((t) => t.startsWith('rock.rs'))!,
    /Redshift proxy .*: \\\\fileserver\\share\\tex\\rock\.exr$/,
  );
  assert.deepEqual(result.uploadInfo!.asset.map((a) => a.local.split(/[\\/]/).pop()).sort(), [
    'clean.abc',
    'rock.rs',
    'shot.ma',
    'tree.abc',
  ]);
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
