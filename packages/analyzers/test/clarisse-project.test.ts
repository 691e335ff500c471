import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { AnalyzeClarisse, AnalyzeError, analyzerFor, readClarisseProject } from '../src/index.js';
import { parseBraceTree } from '../src/clarisse/brace-tree.js';

const fixtures = fileURLToPath(new URL('./fixtures/clarisse/', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'openfarm-clarisse-'));
after(() => rmSync(root, { recursive: true, force: true }));

function rejects(text: string, code: string, message: RegExp): void {
  assert.throws(
    () => readClarisseProject(text, 'x.project'),
    (e: unknown) => e instanceof AnalyzeError && e.code === code && message.test(e.message),
  );
}

describe('brace tree', () => {
  test('statements, strings with escapes, <empty>, metadata, attribute sub-blocks', () => {
    const entries = parseBraceTree(
      '#Isotropix_Serial_Version 1.2\nObj {\n  name "a \\"b\\" c"\n  path "C:\\\\x\\\\y"\n  flag yes\n  empty <empty>\n  #version 0.9\n  color {\n    value 1 0.5 0\n    texture "t"\n  }\n}\n',
    );
    assert.equal(entries.length, 2);
    const [header, obj] = entries;
    assert.deepEqual(header, {
      kind: 'statement',
      name: 'Isotropix_Serial_Version',
      values: [{ text: '1.2', quoted: false }],
      meta: true,
      line: 1,
    });
    assert.equal(obj?.kind, 'block');
    if (obj?.kind !== 'block') return;
    const byName = new Map(obj.children.map((c) => [c.name, c]));
    const value = (name: string) => {
      const e = byName.get(name);
      return e?.kind === 'statement' ? e.values : undefined;
    };
    assert.deepEqual(value('name'), [{ text: 'a "b" c', quoted: true }]);
    assert.deepEqual(value('path'), [{ text: 'C:\\x\\y', quoted: true }]);
    assert.deepEqual(value('flag'), [{ text: 'yes', quoted: false }]);
    assert.deepEqual(value('empty'), [{ text: '<empty>', quoted: false }]);
    assert.equal(byName.get('version')?.meta, true);
    const color = byName.get('color');
    assert.equal(color?.kind === 'block' ? color.children.length : -1, 2);
  });

  test('damaged structure is reported with its line', () => {
    rejects(
      '#Isotropix_Serial_Version 1.2\nA {\n  B {\n  x 1\n}\n',
      'TRUNCATED',
      /block "A" opened on line 2 is not closed/,
    );
    rejects('#Isotropix_Serial_Version 1.2\nA {\n}\n}\n', 'CORRUPT', /unbalanced "}" on line 4/);
    rejects(
      '#Isotropix_Serial_Version 1.2\nA {\n name "abc\n}\n',
      'TRUNCATED',
      /string opened on line 3 is not closed/,
    );
    rejects('#Isotropix_Serial_Version 1.2\n{\n}\n', 'CORRUPT', /block without a name on line 2/);
    rejects('Context "scene" {\n}\n', 'WRONG_FORMAT', /not a Clarisse project/);
    rejects(
      `#Isotropix_Serial_Version 1.2\n${'A {\n'.repeat(300)}${'}\n'.repeat(300)}`,
      'LIMIT_EXCEEDED',
      /nested deeper/,
    );
  });
});

describe('reading the fixture shot', () => {
  const project = readClarisseProject(readFileSync(join(fixtures, 'shot.project')), 'shot.project');

  test('versions, timeline, contexts, cameras', () => {
    assert.deepEqual(
      [project.serialVersion, project.clarisseVersion, project.projectVersion],
      ['1.2', '4', '0.94'],
    );
    assert.deepEqual(project.timeline, { start: 1001, end: 1100 });
    assert.deepEqual(
      project.contexts.map((c) => c.path),
      ['project://scene', 'project://scene/set'],
    );
    assert.deepEqual(project.cameras, ['project://scene/main_cam', 'project://scene/top_cam']);
  });

  test('image with an embedded layer and a layer elsewhere in the context', () => {
    assert.equal(project.images.length, 1);
    const image = project.images[0]!;
    assert.equal(image.path, 'project://scene/beauty');
    assert.deepEqual([image.firstFrame, image.lastFrame, image.renderable], [1001, 1024, false]);
    assert.equal(image.output, '$PDIR/render/beauty.####.exr');
    const [hero, bg] = image.layers;
    assert.deepEqual(hero, {
      path: 'project://scene/beauty.hero',
      className: 'Layer3d',
      renderable: true,
      firstFrame: 1001,
      lastFrame: 1012,
      frameStep: 1,
      camera: 'project://scene/main_cam',
      renderer: 'project://scene/raytracer',
      output: '$PDIR/render/hero.####.exr',
      format: undefined,
      saveToDisk: undefined,
      enableDeepOutput: true,
      deepOutput: '$PDIR/render/hero_deep.####.exr',
    });
    assert.equal(bg?.path, 'project://scene/bg_layer');
    assert.equal(bg?.renderable, false);
    assert.deepEqual([bg?.firstFrame, bg?.lastFrame], [1001, 1024]);
    assert.equal(bg?.camera, 'project://scene/top_cam');
  });

  test('file references of any class, sub-block form, builtins, referenced projects', () => {
    assert.deepEqual(
      project.files.map((f) => [f.owner, f.className, f.raw, f.status, f.project]),
      [
        ['project://scene/set', 'Context', '$PDIR/set.project', 'file', true],
        ['project://scene/wood_tex', 'TextureMapFile', '$PDIR/textures/wood.png', 'file', false],
        ['project://scene/lost_tex', 'TextureMapFile', '$PDIR\\textures\\missing.exr', 'file', false],
        ['project://scene/props', 'GeometryBundleAlembic', '$PDIR/cache/props.abc', 'file', false],
        ['project://scene/blast', 'TextureStreamedMapFile', '$CTEMP\\blast_#####', 'builtin', false],
      ],
    );
  });
});

describe('AnalyzeClarisse', () => {
  const shot = join(root, 'shot');
  const workspace = join(root, 'workspace');
  mkdirSync(workspace, { recursive: true });
  mkdirSync(join(shot, 'textures'), { recursive: true });
  mkdirSync(join(shot, 'cache'), { recursive: true });
  copyFileSync(join(fixtures, 'shot.project'), join(shot, 'shot.project'));
  copyFileSync(join(fixtures, 'set.project'), join(shot, 'set.project'));
  const present = ['textures/wood.png', 'cache/props.abc', 'textures/wall_1001.tx', 'textures/wall_1002.tx'];
  for (const f of present) writeFileSync(join(shot, f), 'x');
  const slash = (p: string) => p.replace(/\\/g, '/');

  test('is registered for .project', () => {
    assert.equal(analyzerFor('/x/A.project'), AnalyzeClarisse);
  });

  test('writes image_node, uploads found files incl. the referenced project and its textures, tips 25009 for the rest', async () => {
    const analyzer = await new AnalyzeClarisse({ cgFile: join(shot, 'shot.project'), workspace }).analyse();
    const task = JSON.parse(readFileSync(analyzer.taskJson, 'utf8'));
    const tips = JSON.parse(readFileSync(analyzer.tipsJson, 'utf8'));
    const upload = JSON.parse(readFileSync(analyzer.uploadJson, 'utf8'));
    const asset = JSON.parse(readFileSync(analyzer.assetJson, 'utf8'));
    assert.deepEqual(analyzer.taskInfo, task);
    assert.equal(task.task_info.cg_id, '2013');
    assert.equal(task.task_info.input_cg_file, slash(join(shot, 'shot.project')));
    assert.deepEqual(task.software_config, { cg_name: 'Clarisse', cg_version: '4', plugins: {} });
    assert.deepEqual(task.scene_info_render, {
      image_node: [
        {
          name: 'project://scene/beauty',
          renderable: '0',
          frames: '1001-1024[1]',
          output: '$PDIR/render/beauty.####.exr',
          format: '',
          LUT: '',
          save_to_disk: '1',
          layers: [
            {
              name: 'project://scene/beauty.hero',
              renderable: '1',
              frames: '1001-1012[1]',
              output: '$PDIR/render/hero.####.exr',
              format: '',
              save_to_disk: '1',
              enable_deep_output: '1',
              enable_deep_output_path: '$PDIR/render/hero_deep.####.exr',
            },
            {
              name: 'project://scene/bg_layer',
              renderable: '0',
              frames: '1001-1024[1]',
              output: '',
              format: '',
              save_to_disk: '1',
              enable_deep_output: '0',
              enable_deep_output_path: '',
            },
          ],
        },
      ],
    });
    assert.deepEqual(Object.keys(tips), ['25009']);
    assert.equal(tips['25009'].length, 1);
    assert.match(tips['25009'][0], /project:\/\/scene\/lost_tex\.filename: .*textures\/missing\.exr/);
    const locals: string[] = upload.asset.map((a: { local: string }) => a.local);
    const expected = [...present, 'set.project'].map((f) => slash(join(shot, f)));
    assert.deepEqual([...locals.slice(0, -1)].sort(), expected.sort());
    assert.equal(locals.at(-1), slash(join(shot, 'shot.project')));
    // asset.json lists the files found: the same ones, plus the scene itself, which set.project refers back to.
    const assets = (asset.asset as string[]).map((a) => a.split('  (mtime')[0]);
    assert.deepEqual([...assets].sort(), [...expected, slash(join(shot, 'shot.project'))].sort());
  });

  test('a missing referenced project is tip 25009', async () => {
    const alone = join(root, 'alone');
    mkdirSync(alone, { recursive: true });
    copyFileSync(join(fixtures, 'shot.project'), join(alone, 'shot.project'));
    const analyzer = await new AnalyzeClarisse({ cgFile: join(alone, 'shot.project'), workspace }).analyse();
    const tips = analyzer.tipsInfo!['25009']!;
    assert.ok(tips.some((t) => t.includes('set.project')));
    assert.equal(tips.length, 4);
  });

  test('a file that is not a Clarisse project is an AnalyzeError', async () => {
    const eclipse = join(root, 'eclipse.project');
    writeFileSync(eclipse, '<?xml version="1.0"?>\n<projectDescription/>\n');
    await assert.rejects(new AnalyzeClarisse({ cgFile: eclipse, workspace }).analyse(), (e: unknown) => {
      return e instanceof AnalyzeError && e.code === 'WRONG_FORMAT';
    });
  });
});
