/**
 * The local-path logic of uploads, downloads and task folders for an artist on
 * Windows, run here under `path.win32` (the flavour is injected): drive
 * letters, UNC shares, backslashes and forward slashes mixed, the SDK home
 * under `%USERPROFILE%`. The functions are the ones RayvisionUpload,
 * RayvisionDownload and the two engines call.
 */
import assert from 'node:assert/strict';
import { posix, win32 } from 'node:path';
import { test } from 'node:test';
import {
  childItem,
  configItem,
  localFileOf,
  localFolderOf,
  PART_SUFFIX,
  partPathOf,
  sdkHomeDir,
  uploadItemsOf,
  uploadJobName,
} from '../src/index.js';

const home = sdkHomeDir({ USERPROFILE: 'C:\\Users\\ann' }, 'win32');

test('job files go to /<taskId>/cfg/<file name> from drive, UNC and forward-slash paths', () => {
  assert.deepEqual(configItem('42', `${home}\\17000012345\\task.json`, win32), {
    localPath: 'C:\\Users\\ann\\renderfarm_sdk\\17000012345\\task.json',
    serverPath: '/42/cfg/task.json',
  });
  assert.deepEqual(configItem('42', '\\\\nas\\jobs\\shot10\\upload.json', win32), {
    localPath: '\\\\nas\\jobs\\shot10\\upload.json',
    serverPath: '/42/cfg/upload.json',
  });
  assert.deepEqual(configItem('42', 'D:/jobs/shot10/tips.json', win32), {
    localPath: 'D:\\jobs\\shot10\\tips.json',
    serverPath: '/42/cfg/tips.json',
  });
  // What POSIX rules would make of the same path: the whole path as the file name.
  assert.equal(configItem('42', 'D:\\jobs\\shot10\\tips.json', posix).serverPath.includes('\\'), true);
});

test('the local transfer database of an upload is named after its job folder on Windows', () => {
  assert.equal(uploadJobName(`${home}\\17000012345\\upload.json`, win32), '17000012345');
  assert.equal(uploadJobName('\\\\nas\\jobs\\shot10\\upload_2.json', win32), 'shot10');
  assert.equal(uploadJobName('E:/farm jobs/shot 11/upload.json', win32), 'shot 11');
});

test("upload.json's local paths: drive, UNC, forward slashes and relative ones, one normal form each", () => {
  const doc = {
    asset: [
      { local: 'D:/proj/tex/wood.png', server: '/D/proj/tex/wood.png' },
      { local: 'D:\\proj\\shots\\..\\tex\\metal.png', server: '/D/proj/tex/metal.png' },
      { local: '\\\\nas\\proj\\cache\\sim.vdb', server: '/nas/proj/cache/sim.vdb' },
      { local: '//nas/proj/cache/smoke.vdb', server: 'nas/proj/cache/smoke.vdb' },
      { local: 'tex\\local.png', server: '/C/Users/ann/renderfarm_sdk/17000012345/tex/local.png' },
    ],
  };
  assert.deepEqual(uploadItemsOf(doc, `${home}\\17000012345\\upload.json`, win32), [
    { localPath: 'D:\\proj\\tex\\wood.png', serverPath: '/D/proj/tex/wood.png' },
    { localPath: 'D:\\proj\\tex\\metal.png', serverPath: '/D/proj/tex/metal.png' },
    { localPath: '\\\\nas\\proj\\cache\\sim.vdb', serverPath: '/nas/proj/cache/sim.vdb' },
    { localPath: '\\\\nas\\proj\\cache\\smoke.vdb', serverPath: '/nas/proj/cache/smoke.vdb' },
    {
      localPath: 'C:\\Users\\ann\\renderfarm_sdk\\17000012345\\tex\\local.png',
      serverPath: '/C/Users/ann/renderfarm_sdk/17000012345/tex/local.png',
    },
  ]);
});

test("a folder's files are joined with backslashes locally and slashes on the farm", () => {
  assert.deepEqual(childItem({ localPath: 'D:\\proj\\tex', serverPath: '/D/proj/tex/' }, 'a.png', win32), {
    localPath: 'D:\\proj\\tex\\a.png',
    serverPath: '/D/proj/tex/a.png',
  });
  assert.deepEqual(childItem({ localPath: '\\\\nas\\share\\', serverPath: '/nas/share' }, 'b.exr', win32), {
    localPath: '\\\\nas\\share\\b.exr',
    serverPath: '/nas/share/b.exr',
  });
  assert.deepEqual(childItem({ localPath: 'D:\\', serverPath: '/D' }, 'c.abc', win32), {
    localPath: 'D:\\c.abc',
    serverPath: '/D/c.abc',
  });
});

test("a task's folder and files land under a drive or UNC download folder", () => {
  const drive = 'C:\\Users\\ann\\renders';
  const unc = '\\\\nas\\renders\\';
  assert.equal(localFolderOf('/10001_shot', drive, true, win32), 'C:\\Users\\ann\\renders\\10001_shot');
  assert.equal(localFolderOf('/10001_shot', unc, true, win32), '\\\\nas\\renders\\10001_shot');
  assert.equal(localFolderOf('/10001_shot', drive, false, win32), drive);
  assert.equal(localFolderOf('/', drive, true, win32), drive);
  const root = localFolderOf('/10001_shot', drive, true, win32);
  assert.equal(
    localFileOf('/10001_shot/passes/z.0001.exr', '/10001_shot', root, win32),
    'C:\\Users\\ann\\renders\\10001_shot\\passes\\z.0001.exr',
  );
  assert.equal(localFileOf('/10001_shot/a.png', '/', unc, win32), '\\\\nas\\renders\\10001_shot\\a.png');
  for (const bad of ['/10001_shot/a\\..\\..\\x.dll', '/10001_shot/D:x.dll', '/10001_shot/../x.dll']) {
    assert.throws(() => localFileOf(bad, '/10001_shot', root, win32), Error, bad);
  }
});

test('part files sit beside their file; a name too long for a part is shortened the same way every time', () => {
  assert.equal(
    partPathOf('C:\\r\\10001_shot\\a.0001.exr', win32),
    `C:\\r\\10001_shot\\a.0001.exr${PART_SUFFIX}`,
  );
  const dir = '\\\\nas\\renders\\10001_shot';
  const longName = `${'b'.repeat(246)}.exr`; // 250 characters: fits, but not with the suffix
  const part = partPathOf(`${dir}\\${longName}`, win32);
  assert.equal(win32.dirname(part), dir);
  const partName = win32.basename(part);
  assert.ok(partName.endsWith(PART_SUFFIX), partName);
  assert.ok(Buffer.byteLength(partName) <= 255, `${Buffer.byteLength(partName)} bytes`);
  assert.ok(partName.startsWith('b'.repeat(200)), partName);
  assert.equal(partPathOf(`${dir}\\${longName}`, win32), part);
  const sibling = partPathOf(`${dir}\\${'b'.repeat(246)}.png`, win32);
  assert.notEqual(sibling, part);
  // Multi-byte names are cut between characters, under 255 bytes (ext4) and so under 255 UTF-16 units (NTFS).
  const accents = partPathOf(`D:\\out\\${'é'.repeat(125)}.exr`, win32);
  const accentName = win32.basename(accents);
  assert.ok(Buffer.byteLength(accentName) <= 255, `${Buffer.byteLength(accentName)} bytes`);
  assert.ok(!accentName.includes('\uFFFD'));
  assert.match(accentName, /^é+~[0-9a-f]{16}\.openfarm-part$/);
});

test('farm file names Windows cannot hold are refused on a Windows workstation, and kept elsewhere', () => {
  const root = 'C:\\renders\\10001_shot';
  for (const [name, why] of [
    ['a:b.exr', /':' is not allowed/],
    ['beauty?.exr', /'\?' is not allowed/],
    ['CON.png', /CON is a device name/],
    ['passes/nul', /nul is a device name/],
    ['com1.exr', /com1 is a device name/],
    ['lpt9.tif', /lpt9 is a device name/],
    ['frame.', /trailing dot or space/],
    ['frame ', /trailing dot or space/],
  ] as const) {
    assert.throws(() => localFileOf(`/10001_shot/${name}`, '/10001_shot', root, win32), why, name);
    assert.equal(
      localFileOf(`/10001_shot/${name}`, '/10001_shot', '/renders/10001_shot', posix),
      `/renders/10001_shot/${name}`,
    );
  }
  for (const ok of ['console.png', 'CONFIG.exr', 'com10.exr', 'a.b.c.exr', 'ünïcode é.exr', '.hidden']) {
    assert.equal(localFileOf(`/10001_shot/${ok}`, '/10001_shot', root, win32), `${root}\\${ok}`);
  }
});
