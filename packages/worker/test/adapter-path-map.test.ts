/**
 * The directory maps every adapter hands to its DCC: one per root of the
 * staged tree, for the Windows drive, UNC server and POSIX forms of that root.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { applyPathMaps, stagedPathMaps, stagedPathOf } from '../src/renderers/path-map.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-pathmap-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('Windows (drive, UNC) and macOS (/Volumes, /Users) paths land at their staged place', () => {
  const stage = join(root, 'stage');
  for (const d of ['D', 'fileserver', 'Volumes', 'Users']) mkdirSync(join(stage, d), { recursive: true });
  const maps = stagedPathMaps(stage);
  const cases: [string, string][] = [
    ['D:\\proj\\tex.png', `${stage}/D/proj/tex.png`],
    ['d:/proj/tex.png', `${stage}/D/proj/tex.png`],
    ['\\\\fileserver\\share\\tex.png', `${stage}/fileserver/share/tex.png`],
    ['//fileserver/share/tex.png', `${stage}/fileserver/share/tex.png`],
    ['/Volumes/Projects/shot/tex.png', `${stage}/Volumes/Projects/shot/tex.png`],
    ['/Users/artist/tex.png', `${stage}/Users/artist/tex.png`],
    // Not staged: left alone, so the DCC reports it missing rather than reading something else.
    ['E:/other/tex.png', 'E:/other/tex.png'],
    ['/opt/lib/tex.png', '/opt/lib/tex.png'],
  ];
  for (const [from, to] of cases) assert.equal(applyPathMaps(from, maps), to, from);
  // The adapter's own values (Maya -proj) follow the same server-path rule.
  assert.equal(stagedPathOf('D:\\proj', stage), `${stage}/D/proj`);
  assert.equal(stagedPathOf('\\\\fileserver\\share\\proj', stage), `${stage}/fileserver/share/proj`);
  assert.equal(stagedPathOf('relative/proj', stage), undefined);
});

test('a root the staging folder itself starts with is not mapped (Houdini maps $HIP after expanding it)', () => {
  const stage = join(root, 'under', 'stage');
  const top = root.split('/')[1]!; // e.g. "tmp"
  mkdirSync(join(stage, top), { recursive: true });
  const maps = stagedPathMaps(stage);
  assert.ok(!maps.some((m) => m.from === `/${top}/`), JSON.stringify(maps));
  const hipFile = `${stage}/D/proj/scene.hip`;
  assert.equal(applyPathMaps(hipFile, maps), hipFile);
});

test('no staged tree, no maps', () => {
  assert.deepEqual(stagedPathMaps(join(root, 'absent')), []);
});
