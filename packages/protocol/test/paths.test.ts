import assert from 'node:assert/strict';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import {
  isValidServerPath,
  localToServerPath,
  normalizeServerPath,
  PathMappingError,
  ServerPathError,
  serverPathToLocal,
} from '@openfarm/protocol';

test('local → server path', () => {
  const cases: Array<[string, string]> = [
    ['D:\\proj\\a.jpg', '/D/proj/a.jpg'],
    ['d:\\proj\\a.jpg', '/d/proj/a.jpg'],
    ['D:/proj/a.jpg', '/D/proj/a.jpg'],
    ['D:\\proj/tex\\a.jpg', '/D/proj/tex/a.jpg'],
    ['D:\\', '/D'],
    ['C:\\Program Files\\x y\\é.png', '/C/Program Files/x y/é.png'],
    ['\\\\srv\\share\\x', '/srv/share/x'],
    ['//srv/share/x/y.exr', '/srv/share/x/y.exr'],
    ['\\\\srv\\share', '/srv/share'],
    ['\\\\?\\D:\\very\\long\\path.ma', '/D/very/long/path.ma'],
    ['\\\\?\\UNC\\srv\\share\\x', '/srv/share/x'],
    ['/home/u/x', '/home/u/x'],
    ['/home/u/x/', '/home/u/x'],
    ['/home//u/./x', '/home/u/x'],
    ['/home/u/../v/x', '/home/v/x'],
    ['D:\\proj\\scenes\\..\\tex\\a.png', '/D/proj/tex/a.png'],
    ['/mnt/a:b/c', '/mnt/a:b/c'],
    ['/', '/'],
  ];
  for (const [local, server] of cases) assert.equal(localToServerPath(local), server, local);
});

test('unmappable local paths fail with the path and why', () => {
  const cases: Array<[string, RegExp]> = [
    ['', /empty/],
    ['work\\a.jpg', /relative/],
    ['./a.jpg', /relative/],
    ['a.jpg', /relative/],
    ['D:work\\a.jpg', /drive-relative/],
    ['\\\\srv', /UNC path needs a server and a share/],
    ['/a/../../b', /climbs above the root/],
    ['D:\\..\\x', /climbs above the root/],
    ['\\\\srv\\share\\..\\..\\x', /climbs above the root/],
    ['/a\0b', /NUL/],
  ];
  for (const [local, reason] of cases) {
    assert.throws(
      () => localToServerPath(local),
      (e: unknown) => e instanceof PathMappingError && e.path === local && reason.test(e.message),
      JSON.stringify(local),
    );
  }
});

test('server paths are canonical', () => {
  const cases: Array<[string, string]> = [
    ['/a/b', '/a/b'],
    ['a/b', '/a/b'],
    ['/a/b/', '/a/b'],
    ['/', '/'],
    ['', '/'],
    ['18164087_test/l_layer', '/18164087_test/l_layer'],
    ['/a/..b/c..', '/a/..b/c..'],
    ['/a/.hidden', '/a/.hidden'],
  ];
  for (const [input, out] of cases) assert.equal(normalizeServerPath(input), out, input);
});

test('traversal and tricks are refused', () => {
  const cases: Array<[string, RegExp]> = [
    ['/a/../b', /'\.\.' segment/],
    ['..', /'\.\.' segment/],
    ['/a/./b', /'\.' segment/],
    ['/a/%2e%2e/b', /'%2e%2e' segment/],
    ['/a/%2E./b', /segment/],
    ['/a//b', /empty segment/],
    ['//srv/share', /empty segment/],
    ['/a\\..\\b', /backslash/],
    ['/a/b\0.png', /control character/],
    ['/a/b\n', /control character/],
    [`/${'x'.repeat(256)}`, /segment longer than 255/],
    [`/${'a/'.repeat(2100)}`, /longer than 4096/],
  ];
  for (const [input, reason] of cases) {
    assert.throws(
      () => normalizeServerPath(input),
      (e: unknown) => e instanceof ServerPathError && reason.test(e.message),
      JSON.stringify(input),
    );
    assert.equal(isValidServerPath(input), false);
  }
});

test('server → render node cache, never outside the root', () => {
  const root = resolve('/tmp/openfarm-cache');
  assert.equal(serverPathToLocal('/D/proj/a.jpg', root), join(root, 'D', 'proj', 'a.jpg'));
  assert.equal(serverPathToLocal('/srv/share/x', `${root}/`), join(root, 'srv', 'share', 'x'));
  assert.equal(serverPathToLocal('/', root), root);
  assert.equal(
    serverPathToLocal(localToServerPath('C:\\proj\\scene.ma'), root),
    join(root, 'C', 'proj', 'scene.ma'),
  );
  for (const bad of ['/../etc/passwd', '/a/../../x', '/a\\..\\..\\x', '/a//b']) {
    assert.throws(() => serverPathToLocal(bad, root), ServerPathError, bad);
  }
  assert.throws(() => serverPathToLocal('/a', ''), PathMappingError);
});
