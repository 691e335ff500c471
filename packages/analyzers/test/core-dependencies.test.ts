import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  AnalyzeError,
  applySequenceHint,
  DependencyCollector,
  expandVariables,
  fileNamePattern,
  normalizeSeparators,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'openfarm-core-deps-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function touch(...parts: string[]): string {
  const p = join(dir, ...parts);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, 'x');
  return p;
}

describe('path text', () => {
  test('separators are normalized and UNC kept', () => {
    assert.equal(normalizeSeparators('C:\\\\Users\\\\me\\\\t.png'), 'C:/Users/me/t.png');
    assert.equal(normalizeSeparators('\\\\srv\\share\\a'), '//srv/share/a');
    assert.equal(normalizeSeparators('tex//a\\b.png'), 'tex/a/b.png');
  });

  test('only the given variables expand, whole names only', () => {
    const vars = { HIP: '/p', HIPNAME: 'shot' };
    assert.equal(expandVariables('$HIP/geo/$HIPNAME.$F4.bgeo', vars), '/p/geo/shot.$F4.bgeo');
    // biome-ignore lint/suspicious/noTemplateCurlyInString: Houdini's ${VAR} syntax, not a template
    assert.equal(expandVariables('${HIP}/a/$JOB/b', vars), '/p/a/$JOB/b');
  });

  test('file-name tokens become patterns', () => {
    const cases: [string, string, string][] = [
      ['a.####.exr', 'a.0012.exr', 'a.012.exr'],
      ['a.%04d.exr', 'a.0012.exr', 'a.x.exr'],
      ['a.$F4.exr', 'a.0012.exr', 'a..exr'],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Houdini's ${VAR} syntax, not a template
      ['a.${F}.exr', 'a.7.exr', 'a.b.exr'],
      ['t_<UDIM>.png', 't_1001.png', 't_101.png'],
      ['t_<UVTILE>.png', 't_u1_v2.png', 't_1001.png'],
      ['t.<f>.png', 't.5.png', 't.png'],
      ['t.<frame>.png', 't.0005.png', 't.a.png'],
    ];
    for (const [name, yes, no] of cases) {
      const re = fileNamePattern(name);
      assert.ok(re, name);
      assert.ok(re.test(yes), `${name} ~ ${yes}`);
      assert.ok(!re.test(no), `${name} !~ ${no}`);
    }
    assert.equal(fileNamePattern('plain.png'), undefined);
    assert.equal(fileNamePattern('$FSTART.png'), undefined);
  });

  test('sequence hints rewrite the literal member', () => {
    assert.equal(applySequenceHint('tex/UdimTest_1001_color.png', 'udim'), 'tex/UdimTest_<UDIM>_color.png');
    assert.equal(applySequenceHint('a\\b_v2_1002.exr', 'udim'), 'a\\b_v2_<UDIM>.exr');
    assert.equal(applySequenceHint('seq/x.0012.exr', 'frames'), 'seq/x.####.exr');
    assert.equal(applySequenceHint('x_<UDIM>.png', 'udim'), 'x_<UDIM>.png');
    assert.equal(applySequenceHint('nodigits.png', 'frames'), 'nodigits.png');
  });
});

describe('DependencyCollector', () => {
  const a = touch('scene', 'tex', 'a.png');
  const projTex = touch('proj', 'sourceimages', 'grid.png');
  const udim = ['1001', '1002', '1011'].map((t) => touch('scene', 'tex', `u_${t}_c.png`));
  const frames = [1, 2, 3].map((f) => touch('scene', 'cache', `c.${String(f).padStart(4, '0')}.abc`));
  touch('scene', 'cache', 'c.abc');

  test('relative paths try each root in order', () => {
    const c = new DependencyCollector({ roots: [join(dir, 'scene'), join(dir, 'proj')] });
    assert.deepEqual(c.add({ path: 'tex/a.png', owner: 'f1.ftn', kind: 'texture' })?.files, [a]);
    assert.deepEqual(c.add({ path: 'sourceimages\\grid.png', owner: 'f2.ftn', kind: 'texture' })?.files, [
      projTex,
    ]);
    const miss = c.add({ path: 'tex/none.png', owner: 'f3.ftn', kind: 'texture' });
    assert.equal(miss?.status, 'missing');
    assert.equal(miss?.resolved, join(dir, 'scene', 'tex', 'none.png'));
    assert.deepEqual(c.files(), [a, projTex]);
    assert.equal(c.missing().length, 1);
  });

  test('UDIM hint and tokens expand to the files that exist', () => {
    const c = new DependencyCollector({ roots: [join(dir, 'scene')] });
    const u = c.add({ path: 'tex/u_1001_c.png', owner: 'f.ftn', kind: 'texture', sequence: 'udim' });
    assert.equal(u?.pattern, 'tex/u_<UDIM>_c.png');
    assert.deepEqual(u?.files, udim);
    const f = c.add({ path: `${join(dir, 'scene')}/cache/c.$F4.abc`, owner: 'n', kind: 'cache' });
    assert.deepEqual(f?.files, frames);
    const h = c.add({ path: 'cache/c.#.abc', owner: 'n2', kind: 'cache' });
    assert.deepEqual(h?.files, frames);
    const none = c.add({ path: 'cache/zz.####.abc', owner: 'n3', kind: 'cache' });
    assert.equal(none?.status, 'missing');
  });

  test('variables, builtin, empty and duplicate references', () => {
    const c = new DependencyCollector({
      roots: [],
      variables: { HIP: join(dir, 'scene') },
      isBuiltin: (p) => p.startsWith('<MAYA_RESOURCES>') || p.startsWith('$HFS'),
    });
    assert.equal(c.add({ path: '$HIP/tex/a.png', owner: 'n', kind: 'texture' })?.status, 'found');
    assert.equal(
      c.add({ path: '<MAYA_RESOURCES>/ocio/config.ocio', owner: 'cm', kind: 'color-config' })?.status,
      'builtin',
    );
    assert.equal(c.add({ path: '$HFS/pic/x.rat', owner: 'l', kind: 'texture' })?.status, 'builtin');
    assert.equal(c.add({ path: '   ', owner: 'n', kind: 'texture' }), undefined);
    const first = c.add({ path: '$JOB/x.png', owner: 'n', kind: 'texture' });
    assert.equal(first?.status, 'missing');
    assert.equal(c.add({ path: '$JOB/x.png', owner: 'n', kind: 'texture' }), first);
    assert.equal(c.all().length, 4);
    assert.deepEqual(c.files(), [a]);
  });

  test('foreign absolute paths are missing on POSIX, not resolved against the cwd', {
    skip: process.platform === 'win32',
  }, () => {
    const c = new DependencyCollector({ roots: [dir] });
    const d = c.add({ path: 'D:/deadline/tex.png', owner: 'f', kind: 'texture' });
    assert.equal(d?.status, 'missing');
    assert.equal(d?.resolved, 'D:/deadline/tex.png');
  });

  test('findMovedFiles looks for a missing absolute path under the roots', () => {
    const moved = new DependencyCollector({ roots: [join(dir, 'proj')], findMovedFiles: true });
    const hit = moved.add({ path: 'D:\\old\\proj\\sourceimages\\grid.png', owner: 'f', kind: 'texture' });
    assert.deepEqual(hit?.files, [projTex]);
    assert.equal(hit?.resolved, projTex);
    const plain = new DependencyCollector({ roots: [join(dir, 'proj')] });
    assert.equal(
      plain.add({ path: '/old/proj/sourceimages/grid.png', owner: 'f', kind: 'texture' })?.status,
      'missing',
    );
    assert.equal(
      moved.add({ path: '/old/proj/nothing/here.png', owner: 'g', kind: 'texture' })?.status,
      'missing',
    );
  });

  test('absurdly long path text is missing at once, without quadratic text work', () => {
    const c = new DependencyCollector({ roots: [dir] });
    const t0 = performance.now();
    const d = c.add({
      path: `${'x_1001_'.repeat(150_000)}.png`,
      owner: 'f',
      kind: 'texture',
      sequence: 'udim',
    });
    assert.equal(d?.status, 'missing');
    assert.ok(performance.now() - t0 < 500);
    const name = `${'a'.repeat(3000)}_1001_${'1'.repeat(900)}.png`;
    const t1 = performance.now();
    assert.equal(applySequenceHint(name, 'udim'), `${'a'.repeat(3000)}_<UDIM>_${'1'.repeat(900)}.png`);
    assert.ok(performance.now() - t1 < 500);
  });

  test('limits bound the work', () => {
    const c = new DependencyCollector({ roots: [dir], limits: { maxReferences: 2, maxFilesPerPattern: 2 } });
    const seq = c.add({ path: 'scene/cache/c.####.abc', owner: 'a', kind: 'cache' });
    assert.equal(seq?.files.length, 2);
    assert.equal(seq?.truncated, true);
    c.add({ path: 'b', owner: 'b', kind: 'cache' });
    assert.throws(
      () => c.add({ path: 'c', owner: 'c', kind: 'cache' }),
      (e) => e instanceof AnalyzeError && e.code === 'LIMIT_EXCEEDED',
    );
  });
});
