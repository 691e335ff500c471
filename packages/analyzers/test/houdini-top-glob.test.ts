import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { AnalyzeHoudini } from '../src/index.js';
import { buildHip, defSection, parmLine, parmSection } from './fixtures/houdini/hip-builder.js';

const root = mkdtempSync(join(tmpdir(), 'openfarm-top-glob-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('a TOP file pattern with * and ? is globbed to the files it matches', async () => {
  mkdirSync(join(root, 'geo'));
  mkdirSync(join(root, 'ws'));
  for (const f of ['rock_a.bgeo.sc', 'rock_b.bgeo.sc', 'tree.bgeo.sc', 'rock_a.vdb'])
    writeFileSync(join(root, 'geo', f), f);
  const hip = join(root, 'pattern.hip');
  writeFileSync(
    hip,
    buildHip([
      [
        '.start',
        'fplayback -i on -r off -f 1 -b 1 -e 10 -h 0 -t 0 -a on -k off -s 1\ntcur 0\nfps 24\ntset 0 0.4166\nframe 1\n',
      ],
      ['tasks.def', defSection()],
      ['tasks.parm', parmSection()],
      ['tasks/topnet1.init', 'type = topnet\nmatchesdef = 0\n'],
      ['tasks/topnet1.def', defSection()],
      ['tasks/topnet1.parm', parmSection()],
      ['tasks/topnet1/filepattern1.init', 'type = filepattern\nmatchesdef = 0\n'],
      ['tasks/topnet1/filepattern1.def', defSection()],
      ['tasks/topnet1/filepattern1.parm', parmSection(parmLine('pattern', '$HIP/geo/rock_*.bgeo.s?'))],
    ]),
  );
  const hou = await new AnalyzeHoudini({ cgFile: hip, workspace: join(root, 'ws') }).analyse();
  const locals = hou.uploadInfo!.asset.map((a) => a.local.slice(root.length + 1));
  assert.deepEqual(locals, ['geo/rock_a.bgeo.sc', 'geo/rock_b.bgeo.sc', 'pattern.hip']);
  assert.deepEqual(hou.tipsInfo, {});
});
